"""Session lifetime (SECURITY.md A6): idle 30 minutes, absolute 12 hours, logout ends it server-side."""

from datetime import timedelta

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse
from freezegun import freeze_time

from ketenregie.audit.models import AuditEvent

HOME = reverse("home")
LOGIN = reverse("accounts:login")
START = "2026-03-02 08:00:00"


def _session_key(client) -> str:
    return client.cookies["ketenregie_session"].value


def _expired_events():
    return list(AuditEvent.objects.filter(action="auth.session_expired").values("actor_username", "details"))


def test_idle_session_ends_after_30_minutes(client_for, coordinator):
    with freeze_time(START) as clock:
        client = client_for(coordinator)
        key = _session_key(client)
        clock.tick(timedelta(minutes=29))
        assert client.get(HOME).status_code == 200
        clock.tick(timedelta(minutes=29))  # active 29 minutes ago: still fine
        assert client.get(HOME).status_code == 200
        clock.tick(timedelta(minutes=31))

        response = client.get(HOME)

        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        assert SESSION_KEY not in client.session
        assert not Session.objects.filter(session_key=key).exists()
    assert _expired_events() == [{"actor_username": "coordinator", "details": {"idle": True, "absolute": False}}]


def test_active_session_still_ends_12_hours_after_login(client_for, coordinator):
    with freeze_time(START) as clock:
        client = client_for(coordinator)
        for _ in range(int(12 * 60 / 20)):  # a request every 20 minutes for 12 hours
            clock.tick(timedelta(minutes=20))
            assert client.get(HOME).status_code == 200, "ended before 12 hours"
            assert not _expired_events()
        clock.tick(timedelta(minutes=1))

        response = client.get(HOME)

        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
    assert _expired_events() == [{"actor_username": "coordinator", "details": {"idle": False, "absolute": True}}]


def test_expired_session_tells_the_user_why(client_for, coordinator):
    with freeze_time(START) as clock:
        client = client_for(coordinator)
        clock.tick(timedelta(minutes=31))

        response = client.get(HOME, follow=True)

    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert [m.level_tag for m in response.context["messages"]] == ["info"]


def test_expired_session_gets_401_from_the_api(client_for, coordinator):
    with freeze_time(START) as clock:
        client = client_for(coordinator)
        assert client.get("/api/v1/me").status_code == 200
        clock.tick(timedelta(minutes=31))

        response = client.get("/api/v1/me")

    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/problem+json")
    assert len(_expired_events()) == 1


def test_logout_deletes_the_session_server_side(client_for, coordinator):
    client = client_for(coordinator)
    key = _session_key(client)
    assert Session.objects.filter(session_key=key).exists()

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not Session.objects.filter(session_key=key).exists()
    event = AuditEvent.objects.filter(action="auth.logout").get()
    assert event.actor_id == coordinator.pk
    # Replaying the old cookie gets nowhere.
    client.cookies["ketenregie_session"] = key
    assert client.get(HOME)["Location"].startswith(LOGIN)


def test_logout_is_not_possible_by_get(client_for, coordinator):
    client = client_for(coordinator)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert client.get(HOME).status_code == 200
    assert not AuditEvent.objects.filter(action="auth.logout").exists()


def test_deactivated_user_is_out_on_the_next_request(client_for, coordinator):
    client = client_for(coordinator)
    assert client.get(HOME).status_code == 200
    coordinator.is_active = False
    coordinator.save(update_fields=["is_active"])

    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_session_cookie_flags(client, coordinator):
    from tests.factories import PASSWORD

    client.post(LOGIN, {"username": "coordinator", "password": PASSWORD})
    cookie = client.cookies["ketenregie_session"]

    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 12 * 3600
