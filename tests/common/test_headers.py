"""Security headers on every kind of response (SECURITY.md H1, DP2, DP3)."""

import pytest
from django.urls import reverse

from ketenregie.accounts import domain


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture(params=["login", "healthz", "start", "api-me", "api-error"])
def response(request, client, coordinator):
    if request.param == "login":
        return client.get(reverse("accounts:login"))
    if request.param == "healthz":
        return client.get(reverse("healthz"))
    if request.param == "start":
        client.force_login(coordinator)
        return client.get(reverse("home"))
    _token, plaintext = domain.create_token(actor=coordinator, name="headers")
    if request.param == "api-me":
        return client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client.get("/api/v1/me")  # 401 problem


def test_response_is_what_we_meant_to_check(response):
    assert response.status_code in (200, 401)


def test_content_security_policy(response):
    csp = _csp(response)

    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    every_source = [value for values in csp.values() for value in values]
    assert "'unsafe-inline'" not in every_source
    assert "'unsafe-eval'" not in every_source
    # No third-party hosts (no CDN, fonts or trackers): only our own origin and data: images.
    assert set(every_source) <= {"'self'", "'none'", "data:"}


def test_other_security_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    permissions = {p.strip() for p in response["Permissions-Policy"].split(",")}
    assert {"camera=()", "microphone=()", "geolocation=()"} <= permissions


def test_nothing_is_cached(response):
    assert "no-store" in response["Cache-Control"]


def test_request_id_is_returned(response):
    assert len(response["X-Request-Id"]) == 32


def test_static_files_may_be_cached(client, db):
    response = client.get("/static/ketenregie/ketenregie.css")
    b"".join(response.streaming_content)
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert response["X-Content-Type-Options"] == "nosniff"
