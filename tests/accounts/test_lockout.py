"""Brute-force lockout per (username, IP) with a cool-off (SECURITY.md A3, AU3)."""

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from freezegun import freeze_time

from ketenregie.audit.models import AuditEvent
from tests.factories import PASSWORD

LOGIN = reverse("accounts:login")
IP_A = "198.51.100.7"
IP_B = "203.0.113.9"


def _attempt(client, password, ip, username="coordinator"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _fail_until_locked(client, ip, username="coordinator"):
    responses = [_attempt(client, f"wrong password {n}", ip, username) for n in range(settings.AXES_FAILURE_LIMIT)]
    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    return responses[-1]


def test_repeated_failures_lock_the_account_from_that_ip(client, coordinator):
    assert settings.AXES_FAILURE_LIMIT == 5

    locked = _fail_until_locked(client, IP_A)

    assert locked.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]
    assert locked.context["minutes"] == 15
    # The right password does not help while the lock lasts.
    refused = _attempt(client, PASSWORD, IP_A)
    assert refused.status_code == 429
    assert SESSION_KEY not in client.session
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    lock = AuditEvent.objects.filter(action="auth.locked_out").first()
    assert lock is not None
    assert (lock.actor_username, lock.result, lock.origin_ip) == ("coordinator", "denied", IP_A)


def test_lock_from_one_ip_does_not_lock_the_user_out_elsewhere(client, coordinator):
    assert _fail_until_locked(client, IP_A).status_code == 429

    from_b = _attempt(client, PASSWORD, IP_B)

    assert from_b.status_code == 302
    assert client.session[SESSION_KEY] == str(coordinator.pk)
    assert AuditEvent.objects.filter(action="auth.login", origin_ip=IP_B, actor_id=coordinator.pk).exists()


def test_email_and_username_count_as_the_same_account(client, coordinator):
    coordinator.email = "sofie.claes@genk.example"
    coordinator.save(update_fields=["email"])
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(client, f"wrong {n}", IP_A).status_code == 200

    last = _attempt(client, "wrong again", IP_A, username="Sofie.Claes@genk.example")

    assert last.status_code == 429


def test_lock_of_one_user_leaves_other_users_on_the_same_ip_alone(client, coordinator, case_director):
    _fail_until_locked(client, IP_A)

    response = _attempt(client, PASSWORD, IP_A, username="regisseur1")

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(case_director.pk)


def test_lock_ends_after_the_cool_off(client, coordinator):
    with freeze_time("2026-03-02 10:00:00") as clock:
        _fail_until_locked(client, IP_A)
        clock.tick(settings.AXES_COOLOFF_TIME.total_seconds() + 60)

        response = _attempt(client, PASSWORD, IP_A)

        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(coordinator.pk)


def test_attempts_during_the_lock_restart_the_cool_off(client, coordinator):
    cool_off = settings.AXES_COOLOFF_TIME.total_seconds()
    with freeze_time("2026-03-02 10:00:00") as clock:
        _fail_until_locked(client, IP_A)
        clock.tick(cool_off - 60)
        assert _attempt(client, PASSWORD, IP_A).status_code == 429
        clock.tick(120)  # past the first lock's end, within the restarted one
        assert _attempt(client, PASSWORD, IP_A).status_code == 429
        clock.tick(cool_off + 60)

        response = _attempt(client, PASSWORD, IP_A)

    assert response.status_code == 302


@pytest.mark.parametrize("forwarded", ["10.9.9.9", "203.0.113.9, 10.0.0.1"])
def test_x_forwarded_for_does_not_escape_the_lock_without_a_proxy(client, coordinator, forwarded):
    # KETENREGIE_PROXY_COUNT=0: the client address is REMOTE_ADDR, a forged header changes nothing.
    _fail_until_locked(client, IP_A)

    response = client.post(
        LOGIN, {"username": "coordinator", "password": PASSWORD}, REMOTE_ADDR=IP_A, HTTP_X_FORWARDED_FOR=forwarded
    )

    assert response.status_code == 429
