import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device

from ketenregie.accounts import domain
from ketenregie.accounts.enums import Role
from ketenregie.accounts.forms import LoginForm, SecondFactorForm, TokenForm, TOTPCodeForm
from ketenregie.accounts.models import PersonalAccessToken
from ketenregie.accounts.queries import chain_ids_of, memberships_of
from ketenregie.audit.domain import log
from ketenregie.common import chain_version, fragments
from ketenregie.common.access import AUTHENTICATED, PUBLIC, access_rule


def _allow_unverified(view):
    view.allow_unverified = True
    return view


def _mark_public(view):
    view = login_not_required(view)
    view.access_rule = PUBLIC
    return view


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


login_view = _mark_public(LoginView.as_view())


@access_rule(AUTHENTICATED)
@_allow_unverified
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    logout(request)  # flushes the session server-side
    messages.success(request, _("You are logged out."))
    return redirect("accounts:login")


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


# --- Two-factor ------------------------------------------------------------------------------


@access_rule(AUTHENTICATED)
@_allow_unverified
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    if not request.user.is_verified() and user_has_device(request.user, confirmed=True):
        # Replacing an enrolled device needs that device first: with the password alone anyone
        # could enrol their own app here and be verified (SECURITY.md A1).
        return redirect(f"{reverse('accounts:two_factor_verify')}?{urlencode({'next': request.path})}")
    device = domain.pending_totp_device(user=request.user)
    form = TOTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = domain.confirm_totp_device(actor=request.user, device=device, code=form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            request.session.cycle_key()  # a new session id once the second factor is proven
            request.session["ketenregie_fresh_recovery_codes"] = codes
            return redirect("accounts:recovery_codes")
        form.add_error("code", _("This code is not right. Check the time on your phone and enter the newest code."))
    qr = segno.make(device.config_url, error="m")
    import base64

    secret_b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=5, dark="#1b1b1b"),
            "secret": " ".join(secret_b32[i : i + 4] for i in range(0, len(secret_b32), 4)),
        },
    )


@access_rule(AUTHENTICATED)
@_allow_unverified
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    if request.user.is_verified():
        return redirect("home")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = domain.verify_second_factor(actor=request.user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.cycle_key()  # a new session id once the second factor is proven
            next_url = request.GET.get("next", "")
            from django.utils.http import url_has_allowed_host_and_scheme

            if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                return redirect(next_url)
            return redirect("home")
        form.add_error("code", _("This code is not right. Enter the newest code from your app, or a recovery code."))
    return render(request, "accounts/two_factor_verify.html", {"form": form})


@access_rule(AUTHENTICATED)
def recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = request.session.pop("ketenregie_fresh_recovery_codes", None)
    if request.method == "POST":
        codes = domain.regenerate_recovery_codes(actor=request.user)
    return render(
        request,
        "accounts/recovery_codes.html",
        {"codes": codes, "codes_left": domain.recovery_codes_left(request.user)},
    )


# --- Account page and tokens -------------------------------------------------------------------


@access_rule(AUTHENTICATED)
def account(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _token, new_token = domain.create_token(
            actor=request.user, name=form.cleaned_data["name"], valid_days=int(form.cleaned_data["valid_days"])
        )
        form = TokenForm()
    tokens = PersonalAccessToken.objects.filter(user=request.user, revoked_at__isnull=True)
    return render(
        request,
        "accounts/account.html",
        {
            "form": form,
            "new_token": new_token,
            "tokens": tokens,
            "memberships": memberships_of(request.user),
            "recovery_codes_left": domain.recovery_codes_left(request.user),
        },
    )


@access_rule(AUTHENTICATED)
@require_POST
def revoke_token(request: HttpRequest, token_id) -> HttpResponse:
    token = get_object_or_404(PersonalAccessToken, pk=token_id, user=request.user)
    domain.revoke_token(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("accounts:account")


# --- Password change and reset (Django's views, our templates) --------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        log("auth.password_changed", actor=self.request.user, obj=self.request.user)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        # Logged without the address: the same answer for known and unknown accounts (A4).
        log("auth.password_reset_requested", actor=None)
        return super().form_valid(form)


password_change = access_rule(AUTHENTICATED)(
    PasswordChangeView.as_view(
        template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:account")
    )
)
password_reset = _mark_public(
    PasswordResetView.as_view(
        template_name="accounts/password_reset.html",
        email_template_name="accounts/email/password_reset.txt",
        subject_template_name="accounts/email/password_reset_subject.txt",
        success_url=reverse_lazy("accounts:password_reset_done"),
    )
)
password_reset_done = _mark_public(
    auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")
)
password_reset_confirm = _mark_public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_reset_confirm.html",
        success_url=reverse_lazy("accounts:password_reset_complete"),
    )
)
password_reset_complete = _mark_public(
    auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")
)


# --- Start page per role -----------------------------------------------------------------------

ROLE_ORDER = [
    Role.OPERATIONAL_COORDINATOR,
    Role.CASE_DIRECTOR,
    Role.OT_MEMBER,
    Role.PARTNER,
    Role.STRATEGIC_COORDINATOR,
    Role.REGIONAL_ANALYST,
]


@access_rule(AUTHENTICATED)
def home(request: HttpRequest) -> HttpResponse:
    """The start page: one section per role the user holds, each saying what comes next."""
    from ketenregie.accounts.start import start_sections

    user = request.user
    sections = fragments.render(
        request,
        "accounts/_home_sections.html",
        lambda: {"sections": start_sections(user)},
        versions=chain_version.chain_tokens(chain_ids_of(user)),
    )
    return render(
        request, "accounts/home.html", {"sections_html": sections.html, "has_roles": bool(memberships_of(user))}
    )
