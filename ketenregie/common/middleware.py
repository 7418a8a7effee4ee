import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django_scopes import scope

from ketenregie.common import request_context


class RequestContextMiddleware:
    """Gives each request an id and remembers its origin for the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        channel = "api" if request.path.startswith("/api/") else "web"
        token = request_context.current.set(
            request_context.RequestContext(
                request_id=request_id, origin_ip=request.META.get("REMOTE_ADDR", ""), channel=channel
            )
        )
        request.request_id = request_id  # type: ignore[attr-defined]
        try:
            response = self.get_response(request)
        finally:
            request_context.current.reset(token)
        response["X-Request-Id"] = request_id
        return response


class ChainScopeMiddleware:
    """Activates the django-scopes scope of the chains the user belongs to.

    Chain-owned models refuse to query outside a scope, so a query that forgot its chain fails
    loudly instead of leaking another chain's data. Anonymous users and administrators get an
    empty scope: they see no chain-owned data at all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from ketenregie.accounts.queries import chain_ids_of

        chain_ids = chain_ids_of(request.user) if request.user.is_authenticated else []
        with scope(chain=chain_ids):
            return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself (SECURITY.md H1, DP2)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        own_policy = response.get("Content-Security-Policy")
        if own_policy:  # a download's stricter policy does not fall back to these two: add them
            for directive in ("base-uri", "frame-ancestors"):
                if directive not in own_policy:
                    own_policy += f"; {directive} 'none'"
            response["Content-Security-Policy"] = own_policy
        # Nothing this application renders may be kept by a browser or proxy cache.
        response["Cache-Control"] = "no-store, private"
        patch_vary_headers(response, ("HX-Request",))
        return response
