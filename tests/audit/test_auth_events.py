"""Authentication events land in the audit log, without secrets (SECURITY.md AU3, AU4)."""

import json

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.urls import reverse

from ketenregie.accounts import domain
from ketenregie.audit.models import AuditEvent
from tests.factories import PASSWORD

LOGIN = reverse("accounts:login")
CANARY = "Kanarie-9f8e7d-nooit-loggen"


def _rows(model) -> list[str]:
    return [json.dumps(row, default=str) for row in model.objects.values()]


def test_login_and_logout_are_logged(client, coordinator):
    client.post(LOGIN, {"username": "coordinator", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1")
    client.post(reverse("accounts:logout"), REMOTE_ADDR="192.0.2.1")

    events = list(AuditEvent.objects.values_list("action", "actor_id", "result", "origin_ip"))
    assert events == [
        ("auth.login", coordinator.pk, "ok", "192.0.2.1"),
        ("auth.logout", coordinator.pk, "ok", "192.0.2.1"),
    ]


def test_failed_login_is_logged_under_the_normalised_login_name(client, coordinator):
    client.post(LOGIN, {"username": "  CoOrdinator ", "password": "not it at all"})

    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id, event.actor_username, event.result) == (
        "auth.login_failed",
        None,
        "coordinator",
        "failed",
    )


@pytest.mark.parametrize("login_name", ["coordinator", "nobody-at-all"])
def test_no_password_in_audit_rows_or_lockout_records(client, coordinator, login_name, caplog):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": login_name, "password": CANARY})

    assert AuditEvent.objects.filter(action="auth.login_failed").count() == settings.AXES_FAILURE_LIMIT
    assert AuditEvent.objects.filter(action="auth.locked_out").count() == 1
    for model in (AuditEvent, AccessAttempt, AccessFailureLog):
        assert not [row for row in _rows(model) if CANARY in row], model.__name__
    assert CANARY not in caplog.text


def test_token_lifecycle_is_logged_without_the_token(coordinator):
    token, plaintext = domain.create_token(actor=coordinator, name="script", valid_days=30)
    domain.revoke_token(actor=coordinator, token=token)
    assert domain.authenticate_token(plaintext) is None

    events = list(AuditEvent.objects.values_list("action", "object_id", "result"))
    assert events == [
        ("token.created", str(token.pk), "ok"),
        ("token.revoked", str(token.pk), "ok"),
        ("token.rejected", str(token.pk), "denied"),
    ]
    secret = plaintext.rsplit("_", 1)[1]
    assert not [row for row in _rows(AuditEvent) if secret in row]


def test_second_factor_events_are_logged(coordinator):
    from django_otp.oath import totp
    from freezegun import freeze_time

    device = domain.pending_totp_device(user=coordinator)
    with freeze_time("2026-03-02 08:00:00") as clock:
        assert domain.confirm_totp_device(actor=coordinator, device=device, code="000000") is None
        clock.tick(5)  # past the throttle the failure started
        codes = domain.confirm_totp_device(actor=coordinator, device=device, code=f"{totp(device.bin_key):06d}")
        assert codes is not None
        assert domain.verify_second_factor(actor=coordinator, code=codes[0]) is not None
        assert domain.verify_second_factor(actor=coordinator, code="999999") is None
        domain.regenerate_recovery_codes(actor=coordinator)

    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["2fa.failed", "2fa.enrolled", "2fa.recovery_used", "2fa.failed", "2fa.recovery_regenerated"]
    assert not [row for row in _rows(AuditEvent) if any(code in row for code in codes)]
