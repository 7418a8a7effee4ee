"""``/healthz``: ready when the database and the cache answer; 503 without a restart needed (SECURITY.md R6)."""

from unittest import mock

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

HEALTHZ = reverse("healthz")


def test_healthy(client, db):
    response = client.get(HEALTHZ)

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_needs_no_login_and_sets_no_session(client, db):
    response = client.get(HEALTHZ)
    assert response.status_code == 200
    assert "ketenregie_session" not in response.cookies


@pytest.mark.django_db(transaction=True)
def test_database_down_is_503_and_recovers(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        down = client.get(HEALTHZ)

    assert down.status_code == 503
    assert down.json() == {"status": "error", "database": "unavailable", "cache": "ok"}
    assert b"connection refused" not in down.content
    again = client.get(HEALTHZ)
    assert again.status_code == 200
    assert again.json()["database"] == "ok"


def test_cache_down_is_503_and_recovers(client, db):
    """With Redis the sessions live in the cache: a server that cannot reach it must leave the pool."""
    from django.core.cache import cache

    with mock.patch.object(cache, "set", side_effect=ConnectionError("redis refused")):
        down = client.get(HEALTHZ)

    assert down.status_code == 503
    assert down.json() == {"status": "error", "database": "ok", "cache": "unavailable"}
    assert b"refused" not in down.content
    assert client.get(HEALTHZ).json() == {"status": "ok", "database": "ok", "cache": "ok"}
