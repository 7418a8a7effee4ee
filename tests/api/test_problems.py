"""API errors are RFC 9457 problem details; the schema is public; session writes need CSRF."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import include, path
from ninja import NinjaAPI

from ketenregie.accounts import domain
from ketenregie.api.api import api
from ketenregie.api.auth import api_auth
from ketenregie.api.urls import _mark

PROBLEM = "application/problem+json"

# A probe API with the real authentication and the real error handlers, so CSRF, validation and
# unexpected errors are tested whatever endpoints the product API has at the moment.
probe_api = NinjaAPI(urls_namespace="probe", auth=api_auth)
for _exc_class, _handler in api._exception_handlers.items():
    probe_api.add_exception_handler(_exc_class, _handler)


@probe_api.post("/probe")
def _probe_write(request, count: int = 0):
    return {"user": request.auth.username, "count": count}


@probe_api.get("/crash")
def _probe_crash(request):
    raise RuntimeError("secret internals in the message")


_patterns, _app, _namespace = probe_api.urls
urlpatterns = [path("api/v1/", include((_mark(list(_patterns)), "probe"), namespace="probe"))]
handler404 = "ketenregie.common.views.page_not_found"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["type"] == "about:blank"
    return body


@pytest.mark.parametrize("as_user", [False, True])
def test_unknown_api_route_is_a_404_problem(client_for, client, coordinator, as_user):
    c = client_for(coordinator) if as_user else client

    body = assert_problem(c.get("/api/v1/does-not-exist"), 404)

    assert body["title"] == "Not Found"


def test_anonymous_gets_problem_with_status_title_and_detail(client):
    body = assert_problem(client.get("/api/v1/me"), 401)
    assert set(body) >= {"status", "title", "detail"}


def test_openapi_schema_is_public_and_openapi_3(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Ketenregie API"
    assert schema["info"]["version"] == "1"
    assert "/api/v1/me" in schema["paths"]
    schemes = schema["components"]["securitySchemes"]
    assert schemes["BearerToken"] == {"type": "http", "scheme": "bearer"}
    assert schemes["VerifiedSession"]["in"] == "cookie"
    try:
        from openapi_spec_validator import validate
    except ImportError:
        # openapi-spec-validator is not installed: check the structure OpenAPI requires ourselves.
        for route, operations in schema["paths"].items():
            assert route.startswith("/api/v1/"), route
            for method, operation in operations.items():
                assert method in {"get", "put", "post", "delete", "patch", "head", "options"}, (route, method)
                assert operation["responses"], (route, method)
                assert operation.get("operationId"), (route, method)
                assert operation.get("security"), f"{method.upper()} {route} declares no authentication"
        operation_ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
        assert len(operation_ids) == len(set(operation_ids)), "operationIds must be unique"
    else:
        validate(schema)


def _unsafe_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema()
    found = []
    for route, operations in schema["paths"].items():
        for method in operations:
            if method in {"post", "put", "patch", "delete"}:
                found.append((method, route.replace("{", "").replace("}", "")))
    return found


def _fill(route: str) -> str:
    # Every path parameter of this API is an opaque UUID.
    parts = [str(uuid.uuid4()) if part.endswith("_id") else part for part in route.split("/")]
    return "/".join(parts)


def test_session_writes_without_csrf_token_are_refused_on_every_operation(coordinator):
    operations = _unsafe_operations()
    if not operations:
        pytest.skip("the API has no writing operations yet")
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    refused = {}
    for method, route in operations:
        response = getattr(client, method)(_fill(route), data={}, content_type="application/json")
        refused[f"{method.upper()} {route}"] = (response.status_code, response["Content-Type"].split(";")[0])
    assert {op: answer for op, answer in refused.items() if answer != (403, PROBLEM)} == {}


@pytest.mark.urls(__name__)
def test_session_write_needs_the_csrf_token(coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)

    refused = client.post("/api/v1/probe")

    body = assert_problem(refused, 403)
    assert "CSRF" in body["detail"]
    token = _csrf_token(client)
    accepted = client.post("/api/v1/probe", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200
    assert accepted.json() == {"user": "coordinator", "count": 0}


def _csrf_token(client) -> str:
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    client.cookies["csrftoken"] = token
    return token


@pytest.mark.urls(__name__)
def test_token_write_needs_no_csrf_token(coordinator):
    _token, plaintext = domain.create_token(actor=coordinator, name="script")
    client = Client(enforce_csrf_checks=True)

    response = client.post("/api/v1/probe", HTTP_AUTHORIZATION=f"Bearer {plaintext}")

    assert response.status_code == 200
    assert response.json()["user"] == "coordinator"


@pytest.mark.urls(__name__)
def test_invalid_input_is_a_422_problem_with_field_errors(client_for, coordinator):
    body = assert_problem(client_for(coordinator).post("/api/v1/probe?count=many"), 422)

    assert body["errors"] == [{"field": "count", "message": body["errors"][0]["message"]}]
    assert body["errors"][0]["message"]


@pytest.mark.urls(__name__)
def test_unexpected_error_is_a_500_problem_without_internals(client_for, coordinator, caplog):
    response = client_for(coordinator).get("/api/v1/crash")

    body = assert_problem(response, 500)
    assert "secret internals" not in response.content.decode()
    assert body["detail"] == "Something went wrong on our side."
    assert "unexpected API error" in caplog.text


def test_wrong_method_is_a_405_naming_the_allowed_ones(client_for, coordinator):
    response = client_for(coordinator).delete("/api/v1/me")

    assert response.status_code == 405
    assert response["Allow"] == "GET"


def test_wrong_method_is_a_problem(client_for, coordinator):
    assert_problem(client_for(coordinator).delete("/api/v1/me"), 405)
