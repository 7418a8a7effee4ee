"""The JSON API at /api/v1/: parse, ask the policy, call the domain, answer."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from ketenregie.api.auth import api_auth
from ketenregie.api.problems import problem_response
from ketenregie.common.errors import DomainError

api = NinjaAPI(
    title="Ketenregie API",
    version="1",
    description=(
        "The JSON API of Ketenregie. Authenticate with a personal access token "
        "(`Authorization: Bearer …`, created on the account page or with `ketenregie issue_token`) "
        "or with a browser session. Errors are `application/problem+json` (RFC 9457)."
    ),
    auth=api_auth,
    urls_namespace="api",
    # The OpenAPI document is public; the interactive docs are for logged-in users only. Not with
    # ``docs_decorator``: django-ninja wraps the schema with it too. See ketenregie/api/urls.py.
    renderer=JSONRenderer(),
)


def _loc_to_field(loc) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form", "file", "header", "cookie")]
    return ".".join(parts) or "__all__"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError):
    errors = [{"field": _loc_to_field(e.get("loc", ())), "message": e.get("msg", "invalid")} for e in exc.errors]
    return problem_response(
        status=422, title="Unprocessable Content", detail="The request has invalid fields.", errors=errors
    )


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError):
    return problem_response(status=exc.status, title=exc.title, detail=exc.detail, errors=exc.errors)


@api.exception_handler(DjangoValidationError)
def _django_validation_error(request: HttpRequest, exc: DjangoValidationError):
    errors = []
    if hasattr(exc, "error_dict"):
        for field, field_errors in exc.message_dict.items():
            errors.extend({"field": field, "message": m} for m in field_errors)
    else:
        errors = [{"field": "__all__", "message": m} for m in exc.messages]
    return problem_response(
        status=422, title="Unprocessable Content", detail="The request has invalid fields.", errors=errors
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError):
    detail = "Log in, or send a valid personal access token as `Authorization: Bearer …`."
    if getattr(request, "api_token_invalid", False):
        detail = "The personal access token is invalid, expired or revoked."
    response = problem_response(status=401, title="Unauthorized", detail=detail)
    response["WWW-Authenticate"] = 'Bearer realm="ketenregie"'
    return response


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Exception):
    return problem_response(status=404, title="Not Found")


@api.exception_handler(ObjectDoesNotExist)
def _does_not_exist(request: HttpRequest, exc: Exception):
    return problem_response(status=404, title="Not Found")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: Exception):
    return problem_response(status=403, title="Forbidden", detail=str(exc) or "")


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: Exception):
    # Django refuses a body over DATA_UPLOAD_MAX_MEMORY_SIZE when ninja reads it; not our failure.
    return problem_response(status=413, title="Content Too Large", detail="The request body is too large.")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    titles = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict"}
    return problem_response(status=exc.status_code, title=titles.get(exc.status_code, "Error"), detail=str(exc))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception):
    import logging

    logging.getLogger("ketenregie.api").exception("unexpected API error")
    return problem_response(status=500, title="Internal Server Error", detail="Something went wrong on our side.")


def register_routers() -> None:
    from ketenregie.api.routers import me

    api.add_router("/", me.router)
    from ketenregie.api.routers import cases, consents, consults, ot

    for module in (consults, cases, consents, ot):
        api.add_router("/", module.router)
    api.add_router("/", "ketenregie.api.routers.followup.router")
    api.add_router("/", "ketenregie.api.routers.threads.router")
    api.add_router("/", "ketenregie.api.routers.reports.router")
    from ketenregie.api.routers import meetings, network, offence_groups, plans

    for module in (network, plans, meetings, offence_groups):
        api.add_router("/", module.router)


register_routers()
