"""Re-authentication before exports, break-the-glass and role changes (SECURITY.md A7).

A user confirms who they are again — the password, and the second factor when the account has
one — on ``/account/bevestigen/``. The moment is kept in the (server-side) session for
``REAUTH_WINDOW``; ``recently_authenticated`` reads it and ``reauth_required`` guards a view.

Web pages without a fresh confirmation are redirected to the confirm page, which sends the user
back to where they were (``next``, checked with ``url_has_allowed_host_and_scheme``).

The API answers ``403`` problem+json instead. Personal access tokens never count as a fresh
confirmation: a token is a long-lived bearer secret that proves nothing about who holds it now,
and a script cannot type a password. Operations behind re-authentication are therefore only
available through the API with a browser session confirmed in the last five minutes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import user_has_device

from ketenregie.audit.domain import log
from ketenregie.common.access import AUTHENTICATED, access_rule
from ketenregie.common.errors import NotAllowed

V = TypeVar("V", bound=Callable[..., Any])

REAUTH_WINDOW = timedelta(minutes=5)
SESSION_REAUTH = "ketenregie_reauth"


class ReauthenticationRequired(NotAllowed):
    """The action needs a password (and second factor) confirmed in the last five minutes."""

    def __init__(self, detail: str = "") -> None:
        detail = detail or _(
            "Confirm your password (and your second factor) on %(url)s first; the confirmation lasts five minutes."
        ) % {"url": reverse("accounts:reauthenticate")}
        super().__init__(detail, errors=[{"field": "__all__", "message": detail}])


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def recently_authenticated(request: HttpRequest) -> bool:
    """The user confirmed their password (and second factor, if enrolled) in this session, < 5 minutes ago."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or getattr(request, "api_token", None) is not None:
        return False
    stored = request.session.get(SESSION_REAUTH)
    if not isinstance(stored, dict) or stored.get("user") != str(user.pk):
        return False
    try:
        confirmed_at = float(stored.get("at", 0))
    except (TypeError, ValueError):
        return False
    age = timezone.now().timestamp() - confirmed_at
    return 0 <= age <= REAUTH_WINDOW.total_seconds()


def mark_reauthenticated(request: HttpRequest) -> None:
    request.session[SESSION_REAUTH] = {"user": str(request.user.pk), "at": timezone.now().timestamp()}


def forget_reauthentication(request: HttpRequest) -> None:
    request.session.pop(SESSION_REAUTH, None)


def confirm_url(next_url: str) -> str:
    return f"{reverse('accounts:reauthenticate')}?{urlencode({'next': next_url})}"


def require_reauthentication(request: HttpRequest) -> None:
    """Raise ``ReauthenticationRequired`` (403) unless the user confirmed recently; for domain-style callers."""
    if not recently_authenticated(request):
        raise ReauthenticationRequired()


def reauth_required(view: V) -> V:
    """Guard a view (web or django-ninja operation) with a recent re-authentication.

    Web: redirect to the confirm page and come back to this URL. A form posted after the window
    expired is not processed; the user confirms and fills it in again. API: 403 problem+json.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any):
        if recently_authenticated(request):
            return view(request, *args, **kwargs)
        if _is_api(request):
            raise ReauthenticationRequired()
        if request.method not in ("GET", "HEAD"):
            from django.contrib import messages

            messages.warning(request, _("Nothing was saved: confirm it is you first, then make the change again."))
        return redirect(confirm_url(request.get_full_path()))

    wrapped.reauth_required = True  # type: ignore[attr-defined]
    return wrapped  # type: ignore[return-value]


# --- The confirm page ------------------------------------------------------------------------


class ReauthenticationForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app, or a recovery code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, needs_code: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_code = needs_code
        if needs_code:
            self.fields["code"].required = True
        else:
            del self.fields["code"]


def _safe_next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("home")


@access_rule(AUTHENTICATED)
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Ask the password again, and the second factor when the account has one."""
    user = request.user
    needs_code = user_has_device(user, confirmed=True)
    next_url = _safe_next(request)
    form = ReauthenticationForm(request.POST or None, needs_code=needs_code)
    if request.method == "POST" and form.is_valid():
        # Through the authentication backends, so django-axes counts failures and locks out (A3).
        confirmed = authenticate(request, username=user.get_username(), password=form.cleaned_data["password"])
        if confirmed is None or confirmed.pk != user.pk:
            log("auth.reauth_failed", actor=user, obj=user, result="failed", details={"factor": "password"})
            form.add_error("password", _("This password is not right."))
        elif needs_code:
            from ketenregie.accounts.domain import verify_second_factor

            if verify_second_factor(actor=user, code=form.cleaned_data["code"]) is None:
                log("auth.reauth_failed", actor=user, obj=user, result="failed", details={"factor": "otp"})
                form.add_error(
                    "code", _("This code is not right. Enter the newest code from your app, or a recovery code.")
                )
        if not form.errors:
            mark_reauthenticated(request)
            log("auth.reauthenticated", actor=user, obj=user, details={"second_factor": needs_code})
            return redirect(next_url)
    return render(
        request,
        "accounts/reauthenticate.html",
        {"form": form, "next": next_url, "needs_code": needs_code, "minutes": int(REAUTH_WINDOW.total_seconds() // 60)},
    )
