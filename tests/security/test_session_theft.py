"""A stolen session cookie (SECURITY.md A6): copied into a second browser, it stops working when the
owner logs out, after 30 minutes without activity, 12 hours after login however busy the thief
keeps it, and when the account is deactivated — for good, also once the account is active again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from freezegun import freeze_time

from tests.factories import PASSWORD
from tests.security.htmlforms import main_form

COOKIE = "ketenregie_session"
HOME = reverse("home")
LOGIN = reverse("accounts:login")
START = "2026-03-02 08:00:00"


def _log_in(user) -> Client:
    """A real login (not force_login), as the victim would."""
    client = Client()
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _steal(victim: Client) -> Client:
    thief = Client()
    thief.cookies[COOKIE] = victim.cookies[COOKIE].value
    return thief


def _works(client: Client) -> bool:
    page = client.get(HOME)
    api = client.get("/api/v1/me")
    if page.status_code == 200:
        assert api.status_code == 200
        return True
    assert page.status_code == 302 and page["Location"].startswith(LOGIN)
    assert api.status_code == 401
    return False


def _sessions_of(user) -> int:
    return sum(1 for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk))


def test_the_stolen_cookie_works_until_something_ends_it(coordinator):
    victim = _log_in(coordinator)
    thief = _steal(victim)

    assert _works(thief)


def test_logout_ends_the_stolen_cookie(coordinator):
    victim = _log_in(coordinator)
    thief = _steal(victim)
    assert _works(thief)

    victim.post(reverse("accounts:logout"))

    assert not _works(thief)
    assert _sessions_of(coordinator) == 0


def test_thirty_idle_minutes_end_the_stolen_cookie(coordinator):
    with freeze_time(START) as clock:
        victim = _log_in(coordinator)
        thief = _steal(victim)
        clock.tick(timedelta(minutes=31))

        assert not _works(thief)
        assert not _works(victim)
    assert _sessions_of(coordinator) == 0


def test_a_busy_thief_is_still_out_12_hours_after_the_login(coordinator):
    with freeze_time(START) as clock:
        thief = _steal(_log_in(coordinator))
        for _ in range(12 * 60 // 25):  # a request every 25 minutes keeps the session from idling
            clock.tick(timedelta(minutes=25))
            assert _works(thief)
        clock.tick(timedelta(minutes=25))

        assert not _works(thief)


@pytest.mark.parametrize("reactivated", [False, True], ids=["deactivated", "deactivated-then-reactivated"])
def test_deactivation_ends_every_session_of_the_user(coordinator, admin_user, client_for, reactivated):
    office, laptop = _log_in(coordinator), _log_in(coordinator)
    thief = _steal(laptop)
    assert _sessions_of(coordinator) == 2
    administrator = client_for(admin_user)
    administrator.post(reverse("accounts:reauthenticate"), {"password": PASSWORD})  # A7, before account changes
    change = reverse("admin:accounts_user_change", args=[coordinator.pk])
    page = administrator.get(change)
    assert page.status_code == 200

    # The administrator unticks "active" and saves, as in the browser.
    data = {key: value for key, value in _admin_post(page).items() if key != "is_active"}
    response = administrator.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    coordinator.refresh_from_db()
    assert coordinator.is_active is False

    if reactivated:  # the account comes back (say after an investigation): the old sessions do not
        coordinator.is_active = True
        coordinator.save(update_fields=["is_active"])

    assert _sessions_of(coordinator) == 0
    for client in (office, laptop, thief):
        assert not _works(client)


def _admin_post(page) -> dict:
    """The user change form as the administrator's browser would send it back, unchanged."""
    form = main_form(page.content.decode(), page.request["PATH_INFO"])
    return form.filled({})
