from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache

from ketenregie.common.access import public


@public
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: 200 when the database and the cache answer, 503 naming the failing part.

    The cache holds the sessions when Redis is configured: without it nobody can work, so a load
    balancer must take the server out of its pool then too.
    """
    parts = {"database": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 — any database failure means "not ready"
        connection.close_if_unusable_or_obsolete()
        parts["database"] = "unavailable"
    try:
        cache.set("healthz", "ok", timeout=10)
        if cache.get("healthz") != "ok":
            parts["cache"] = "unavailable"
    except Exception:  # noqa: BLE001 — any cache failure (Redis down) means "not ready"
        parts["cache"] = "unavailable"
    if "unavailable" in parts.values():
        return JsonResponse({"status": "error", **parts}, status=503)
    return JsonResponse({"status": "ok", **parts})


def _problem_or_page(request: HttpRequest, status: int, title: str, template: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        from ketenregie.api.problems import problem_response

        return problem_response(status=status, title=title)
    return render(request, template, status=status)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _problem_or_page(request, 404, "Not Found", "errors/404.html")


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _problem_or_page(request, 403, "Forbidden", "errors/403.html")


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _problem_or_page(request, 400, "Bad Request", "errors/400.html")


def _backend_unavailable() -> bool:
    """Is the error being handled an unreachable database (or cache)? Then it is a 503: try again soon."""
    import sys

    from django.db import InterfaceError, OperationalError

    unavailable: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        unavailable += (RedisConnectionError, RedisTimeoutError)
    except ImportError:
        pass
    return isinstance(sys.exc_info()[1], unavailable)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without the request's context processors: they read the session and the database,
    # which may be what failed.
    status = 503 if _backend_unavailable() else 500
    if request.path.startswith("/api/"):
        from ketenregie.api.problems import problem_response

        title = "Service Unavailable" if status == 503 else "Internal Server Error"
        response = problem_response(status=status, title=title)
    else:
        response = HttpResponse(loader.render_to_string(f"errors/{status}.html"), status=status)
    if status == 503:
        response["Retry-After"] = "30"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.path.startswith("/api/"):
        from ketenregie.api.problems import problem_response

        return problem_response(status=403, title="Forbidden", detail="CSRF check failed: send the X-CSRFToken header.")
    return render(request, "errors/csrf.html", status=403)
