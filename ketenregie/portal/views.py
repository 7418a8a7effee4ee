"""Pages of "Mijn traject" (the youth's read-only view of their own trajectory) and the case director's
page that invites to it.

Portal pages take no case id: each shows the signed-in account's own trajectory, so there is no
other youth's trajectory to ask for. They run in the chain scope of that one case. The second
factor of a portal account is a code sent by e-mail (portal.domain.send_code), required whenever
two-factor is required for staff.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_scopes import scope

from ketenregie.audit.domain import log
from ketenregie.cases.views.base import apply_domain_error, get_case
from ketenregie.common.access import CASE, PORTAL, PUBLIC, access_rule
from ketenregie.common.errors import DomainError, NotAllowed
from ketenregie.consent.models import Consent
from ketenregie.network.models import NetworkMember
from ketenregie.portal import domain, queries
from ketenregie.portal.forms import (
    CodeForm,
    EndAccessForm,
    InviteForm,
    PortalLoginForm,
    PortalMessageForm,
    WithdrawalForm,
)
from ketenregie.portal.models import PortalAccess, PortalRequest

LOGIN_URL = "portal:login"


def _needs_code(request: HttpRequest) -> bool:
    return settings.REQUIRE_2FA and not request.user.is_verified()


def portal_page(*, verified: bool = True):
    """A page of the signed-in portal account; staff (and anyone else) get 404.

    The portal asks its own second factor, the e-mail code, before any page with content
    (portal.middleware serves these pages to portal accounts past the staff's two-factor rule).
    """

    def decorate(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            access = domain.access_of(request.user)
            if access is None:
                raise Http404
            if verified and _needs_code(request):
                return redirect("portal:code")
            with scope(chain=[access.case.chain_id]):
                return view(request, access, *args, **kwargs)

        wrapped = login_required(wrapped, login_url=LOGIN_URL)
        wrapped.access_rule = PORTAL  # type: ignore[attr-defined]
        return wrapped

    return decorate


def _public(view):
    view = login_not_required(view)
    view.access_rule = PUBLIC
    return view


# --- Signing in -------------------------------------------------------------------------------------


class PortalLoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = PortalLoginForm
    redirect_authenticated_user = False

    def form_valid(self, form):
        response = super().form_valid(form)  # logs in: a new session id, the login audited
        if settings.REQUIRE_2FA:
            domain.send_code(user=form.get_user())
            return redirect("portal:code")
        return response

    def get_success_url(self):
        return reverse("portal:home")


login_view = _public(PortalLoginView.as_view())


@portal_page(verified=False)
@require_http_methods(["GET", "POST"])
def code(request: HttpRequest, access: PortalAccess) -> HttpResponse:
    if not _needs_code(request):
        return redirect("portal:home")
    form = CodeForm(request.POST or None) if "resend" not in request.POST else CodeForm()
    if request.method == "POST" and "resend" in request.POST:
        if domain.send_code(user=request.user):
            messages.success(request, _("We sent you a new code."))
        else:
            messages.info(request, _("Wait a minute before you ask for a new code."))
        return redirect("portal:code")
    if request.method == "POST" and form.is_valid():
        device = domain.verify_code(user=request.user, code=form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            request.session.cycle_key()
            return redirect("portal:home")
        form.add_error("code", _("This code is not right, or too old. Check the newest e-mail or ask for a new code."))
    return render(request, "portal/code.html", {"form": form, "email": request.user.email})


@portal_page(verified=False)
@require_POST
def logout_view(request: HttpRequest, access: PortalAccess) -> HttpResponse:
    logout(request)
    messages.success(request, _("You are logged out."))
    return redirect(LOGIN_URL)


@_public
@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, token: str) -> HttpResponse:
    user = domain.user_for_invitation(token)
    if user is None:
        return render(request, "portal/activate_invalid.html", status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain.activate(user=user, password=form.cleaned_data["new_password1"])
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Your password is set. Log in with your e-mail address and your password."))
            return redirect(LOGIN_URL)
    return render(request, "portal/activate.html", {"form": form})


# --- "Mijn traject" ---------------------------------------------------------------------------------


def _ended(request: HttpRequest, access: PortalAccess) -> HttpResponse:
    return render(request, "portal/ended.html", {"access": access})


@portal_page()
def home(request: HttpRequest, access: PortalAccess) -> HttpResponse:
    if not access.is_active:
        return _ended(request, access)
    trajectory = queries.trajectory(access)
    log(
        "portal.viewed",
        actor=request.user,
        obj=access.case,
        chain_id=access.case.chain_id,
        case_id=access.case_id,
        details={"view": "trajectory"},
    )
    return render(request, "portal/home.html", {"t": trajectory, "access": access})


@portal_page()
@require_http_methods(["GET", "POST"])
def conversation(request: HttpRequest, access: PortalAccess) -> HttpResponse:
    if not access.is_active:
        return _ended(request, access)
    from ketenregie.threads.domain import log_read, mark_read, portal_thread

    form = PortalMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain.send_message(
                actor=request.user, body=form.cleaned_data["body"], submission_key=form.cleaned_data["submission_key"]
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("Your message is sent to your case director."))
            return redirect("portal:messages")
    thread = portal_thread(user=request.user, case=access.case)
    thread_messages = []
    if thread is not None:
        thread.case = access.case
        thread_messages = list(thread.messages.select_related("author"))
        log_read(actor=request.user, thread=thread, view="portal", count=len(thread_messages))
        mark_read(user=request.user, thread=thread)
    return render(
        request,
        "portal/messages.html",
        {"form": form, "thread_messages": thread_messages, "access": access, "director": access.case.case_director},
        status=422 if form.is_bound and not form.is_valid() else 200,
    )


@portal_page()
@require_http_methods(["GET", "POST"])
def withdrawal(request: HttpRequest, access: PortalAccess, consent_id) -> HttpResponse:
    if not access.is_active:
        return _ended(request, access)
    # Only the consents of the account's own case exist here: another youth's consent is a 404.
    consent = Consent.objects.filter(case=access.case, pk=consent_id).first()
    if consent is None:
        raise Http404
    form = WithdrawalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain.request_withdrawal(actor=request.user, consent=consent, note=form.cleaned_data["note"])
        except NotAllowed:
            raise Http404 from None
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your case director got your question and will talk it through with you. Until then nothing changes."
                ),
            )
            return redirect("portal:home")
    return render(
        request,
        "portal/withdrawal.html",
        {"form": form, "consent": consent, "text": queries.consent_sentence(consent.kind), "access": access},
    )


# --- The case director's page: who has "Mijn traject" ----------------------------------------------


def _trusted_people(case) -> list[NetworkMember]:
    return [m for m in NetworkMember.objects.filter(case=case, is_trusted_person=True) if m.until is None]


@access_rule(CASE)
@require_http_methods(["GET", "POST"])
def case_access(request: HttpRequest, case_id) -> HttpResponse:
    case = get_case(request, case_id, work=True)
    trusted = _trusted_people(case)
    form = InviteForm(request.POST or None, trusted_people=trusted)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            domain.invite(
                actor=request.user,
                case=case,
                role=data["role"],
                email=data["email"],
                youth_agreed_on=data["youth_agreed_on"],
                network_member=form.chosen_member(),
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("The invitation is sent. It works once, for %(days)d days.") % {"days": domain.INVITATION_DAYS},
            )
            return redirect("portal:case_access", case_id=case.pk)
    accesses = list(PortalAccess.objects.filter(case=case).select_related("user", "network_member", "invited_by"))
    requests = list(
        PortalRequest.objects.filter(case=case, handled_at__isnull=True).select_related("consent", "access")
    )
    return render(
        request,
        "portal/case_access.html",
        {
            "case": case,
            "form": form if not case.is_closed else None,
            "accesses": accesses,
            "requests": requests,
            "end_form": EndAccessForm(),
        },
        status=422 if form.is_bound and not form.is_valid() else 200,
    )


def _access_of_case(request: HttpRequest, access_id) -> PortalAccess:
    access = PortalAccess.objects.filter(pk=access_id).first()
    if access is None:
        raise Http404
    access.case = get_case(request, access.case_id, work=True, audit=False)
    return access


@access_rule(CASE)
@require_POST
def access_end(request: HttpRequest, access_id) -> HttpResponse:
    access = _access_of_case(request, access_id)
    form = EndAccessForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        domain.end_access(actor=request.user, access=access, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The access to “My trajectory” has ended."))
    return redirect("portal:case_access", case_id=access.case_id)


@access_rule(CASE)
@require_POST
def access_resend(request: HttpRequest, access_id) -> HttpResponse:
    access = _access_of_case(request, access_id)
    try:
        domain.resend_invitation(actor=request.user, access=access)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The invitation is sent again."))
    return redirect("portal:case_access", case_id=access.case_id)


@access_rule(CASE)
@require_POST
def request_handled(request: HttpRequest, request_id) -> HttpResponse:
    portal_request = PortalRequest.objects.filter(pk=request_id).first()
    if portal_request is None:
        raise Http404
    portal_request.case = get_case(request, portal_request.case_id, work=True, audit=False)
    try:
        domain.handle_request(actor=request.user, request=portal_request)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("The request is marked as handled."))
    return redirect("portal:case_access", case_id=portal_request.case_id)
