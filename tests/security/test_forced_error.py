"""A forced error through the whole middleware stack (SECURITY.md DP4): a generic page, no stack
trace or exception text, DEBUG off, and the security headers still on the error answer (H1, DP2)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import include, path

from ketenregie.common.access import AUTHENTICATED, access_rule
from tests.security.headers import header_problems

SECRET = "kr-secret-internals-7f3a"


@access_rule(AUTHENTICATED)
def crash(request):
    raise RuntimeError(f"a bug that mentions {SECRET}")


urlpatterns = [path("kapot/", crash), path("", include("ketenregie.urls"))]
handler404 = "ketenregie.common.views.page_not_found"
handler500 = "ketenregie.common.views.server_error"


@pytest.fixture
def client_with_errors(coordinator, production_headers):
    client = Client(raise_request_exception=False)
    client.force_login(coordinator)
    return client


@pytest.mark.urls(__name__)
def test_an_error_on_a_page_is_a_generic_500_with_the_headers(client_with_errors, caplog):
    response = client_with_errors.get("/kapot/", secure=True)

    html = response.content.decode()
    assert settings.DEBUG is False
    assert response.status_code == 500
    assert "Er ging iets mis" in html
    assert SECRET not in html and "Traceback" not in html and "RuntimeError" not in html
    assert header_problems(response) == []
    assert SECRET in caplog.text, "the error itself is logged for the operators"


def test_an_unknown_address_is_a_generic_404_with_the_headers(client_with_errors):
    response = client_with_errors.get("/bestaat-niet/", secure=True)

    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()
    assert header_problems(response) == []
