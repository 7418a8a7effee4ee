from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from ketenregie.common.access import public


@public
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: 200 when the database answers, 503 naming the failing part."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 — any database failure means "not ready"
        connection.close_if_unusable_or_obsolete()
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


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


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        from ketenregie.api.problems import problem_response

        return problem_response(status=500, title="Internal Server Error")
    return render(request, "errors/500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if request.path.startswith("/api/"):
        from ketenregie.api.problems import problem_response

        return problem_response(status=403, title="Forbidden", detail="CSRF check failed: send the X-CSRFToken header.")
    return render(request, "errors/csrf.html", status=403)
