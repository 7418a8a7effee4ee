"""The one rule that confines portal accounts to "Mijn traject".

A portal account (the youth, the trusted person) reaches only views classified ``PORTAL`` (the
pages under /mijn-traject/), the API operations of the portal (``PORTAL_API_PATHS``) and the
language switch; the start page sends them to their trajectory. Every other URL — staff pages,
the administrators' screens, the rest of the API, even the staff login — answers 404, exactly as
for a page that does not exist, and the attempt is audited.

Portal pages are served from here for portal accounts, so the staff's two-factor rule (TOTP
enrolment) never applies to them: their second factor is the e-mail code the portal asks.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from ketenregie.common.access import PORTAL

# API operations a portal account may call (see ketenregie/api/routers/threads.py).
PORTAL_API_PATHS = frozenset({"/api/v1/me/trajectory", "/api/v1/me/trajectory/messages"})
# Public routes that a signed-in portal account may still use: its own login and invitation pages.
PORTAL_ALLOWED_ROUTES = frozenset({"set_language", "healthz", "portal:login", "portal:activate"})


def view_rule(view_func) -> str | None:
    """The declared access rule of a view, looking through decorators."""
    seen = set()
    view = view_func
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        rule = getattr(view, "access_rule", None)
        if rule is not None:
            return rule
        view_class = getattr(view, "view_class", None)
        if view_class is not None and getattr(view_class, "access_rule", None) is not None:
            return view_class.access_rule
        view = getattr(view, "__wrapped__", None)
    return None


class PortalConfinementMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        from ketenregie.portal.domain import is_portal_user

        if not request.user.is_authenticated or not is_portal_user(request.user):
            return None
        if view_rule(view_func) == PORTAL:
            # A portal account's second factor is the e-mail code the portal pages ask for themselves;
            # the staff's two-factor redirect (to TOTP enrolment) that follows must not apply to it.
            return view_func(request, *view_args, **view_kwargs)
        match = request.resolver_match
        name = match.view_name if match else ""
        if name in PORTAL_ALLOWED_ROUTES or request.path in PORTAL_API_PATHS:
            return None
        if name == "home":
            return redirect("portal:home")
        from ketenregie.audit.domain import log

        log("access.denied", actor=request.user, result="denied", details={"view": "portal_confinement"})
        if request.path.startswith("/api/"):
            from ketenregie.api.problems import problem_response

            return problem_response(status=404, title="Not Found")
        raise Http404
