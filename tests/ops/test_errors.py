"""The error page when the database (or Redis) is unreachable: 503, friendly, and no database needed."""

from __future__ import annotations

import json

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory
from redis.exceptions import ConnectionError as RedisConnectionError

from ketenregie.common.views import server_error


def handled(path: str, error: Exception):
    """What handler500 answers while Django handles ``error`` (it is called inside the except block)."""
    request = RequestFactory().get(path)
    try:
        raise error
    except Exception:
        return server_error(request)


@pytest.mark.parametrize(
    "error",
    [OperationalError("connection refused"), InterfaceError("connection already closed"), RedisConnectionError()],
    ids=["database", "closed-connection", "redis"],
)
def test_an_unreachable_backend_is_a_friendly_503(error):
    response = handled("/zaken/", error)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "Ketenregie is even niet beschikbaar" in html and "temporarily unavailable" in html
    assert "connection" not in html


def test_the_api_answers_a_503_problem():
    response = handled("/api/v1/cases", OperationalError("connection refused"))

    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/problem+json")
    assert json.loads(response.content) == {"type": "about:blank", "title": "Service Unavailable", "status": 503}


def test_any_other_error_stays_a_500():
    response = handled("/zaken/", ValueError("a bug"))

    assert response.status_code == 500
    assert "Er ging iets mis" in response.content.decode()
    assert not response.has_header("Retry-After")
    assert json.loads(handled("/api/v1/cases", ValueError("a bug")).content)["status"] == 500


def test_the_error_page_needs_no_database(django_db_blocker):
    # Rendered without the context processors, which would read the session and the database.
    with django_db_blocker.block():
        assert handled("/", OperationalError("down")).status_code == 503
        assert handled("/", KeyError("x")).status_code == 500
