from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenregie.common.access import API

SESSION_LOGIN_AT = "ketenregie_login_at"
SESSION_LAST_SEEN = "ketenregie_last_seen"
# Refresh the idle clock at most this often, so most requests do not write the session.
_LAST_SEEN_RESOLUTION = 60


class TokenAuthenticationMiddleware:
    """Authenticates API requests that carry ``Authorization: Bearer <token>``.

    Resolving the token here, before the chain scope is activated, lets token and session
    requests follow the same path through the access policy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.api_token = None  # type: ignore[attr-defined]
        request.api_token_invalid = False  # type: ignore[attr-defined]
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header[:7].lower() == "bearer ":
            from ketenregie.accounts.domain import authenticate_token

            token = authenticate_token(header[7:].strip())
            if token is None:
                request.api_token_invalid = True  # type: ignore[attr-defined]
                from django.contrib.auth.models import AnonymousUser

                request.user = AnonymousUser()
            else:
                request.user = token.user
                request.api_token = token  # type: ignore[attr-defined]
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """Ends a session after 30 minutes without activity or 12 hours after login (SECURITY.md A6)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and getattr(request, "api_token", None) is None:
            now = timezone.now().timestamp()
            login_at = request.session.get(SESSION_LOGIN_AT, now)
            last_seen = request.session.get(SESSION_LAST_SEEN, now)
            idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT.total_seconds()
            too_old = now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if idle or too_old:
                from ketenregie.audit.domain import log

                log("auth.session_expired", actor=request.user, details={"idle": idle, "absolute": too_old})
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, _("Your session has expired. Please log in again."))
            elif now - last_seen > _LAST_SEEN_RESOLUTION or SESSION_LOGIN_AT not in request.session:
                request.session[SESSION_LAST_SEEN] = now
                request.session.setdefault(SESSION_LOGIN_AT, now)
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """With two-factor required, a password alone reaches nothing but the second-factor pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not settings.REQUIRE_2FA or not request.user.is_authenticated:
            return None
        if getattr(request, "api_token", None) is not None or getattr(view_func, "access_rule", None) == API:
            return None  # the API's own authentication requires a verified session
        if request.user.is_verified():
            return None
        if getattr(view_func, "allow_unverified", False) or not getattr(view_func, "login_required", True):
            return None
        from django_otp import devices_for_user

        has_device = any(True for _ in devices_for_user(request.user, confirmed=True))
        return redirect("accounts:two_factor_verify" if has_device else "accounts:two_factor_setup")
