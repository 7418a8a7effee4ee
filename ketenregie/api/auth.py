"""API authentication: a verified session (with CSRF) or a personal access token.

Bearer tokens are resolved by ``TokenAuthenticationMiddleware`` before the chain scope is set, so
here both kinds only confirm what the middleware established.
"""

from django.conf import settings
from django.http import HttpRequest
from ninja.security import APIKeyCookie
from ninja.security.base import AuthBase


class BearerToken(AuthBase):
    openapi_type = "http"
    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest):
        token = getattr(request, "api_token", None)
        if token is not None:
            return request.user
        return None


class VerifiedSession(APIKeyCookie):
    """The browser session, only once two-factor verification is done. CSRF is checked by ninja."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key):
        if getattr(request, "api_token", None) is not None:
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        if settings.REQUIRE_2FA and not user.is_verified():
            return None
        return user


api_auth = [BearerToken(), VerifiedSession()]
