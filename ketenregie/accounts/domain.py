"""Operations on accounts: API tokens and two-factor devices. Each one is audited."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketenregie.accounts.models import PersonalAccessToken, User
from ketenregie.audit.domain import log

TOKEN_PREFIX = "kr_"  # noqa: S105 — a public marker, not a secret
RECOVERY_CODE_COUNT = 10


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(*, actor: User, name: str, valid_days: int | None = None) -> tuple[PersonalAccessToken, str]:
    """Create a personal access token for ``actor``; the plaintext is returned once, never stored."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    plaintext = f"{TOKEN_PREFIX}{prefix}_{secret}"
    with transaction.atomic():
        token = PersonalAccessToken.objects.create(
            user=actor,
            name=name.strip()[:80],
            prefix=prefix,
            digest=_digest(plaintext),
            expires_at=timezone.now() + timedelta(days=valid_days) if valid_days else None,
        )
        log("token.created", actor=actor, obj=token)
    return token, plaintext


def revoke_token(*, actor: User, token: PersonalAccessToken) -> None:
    if token.user_id != actor.pk:
        raise PermissionError("only the owner may revoke a token")
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])
            log("token.revoked", actor=actor, obj=token)


def authenticate_token(plaintext: str) -> PersonalAccessToken | None:
    """Return the usable token for a bearer string, or None. Logs rejected tokens."""
    token = None
    if plaintext.startswith(TOKEN_PREFIX) and plaintext.count("_") >= 2:
        prefix = plaintext[len(TOKEN_PREFIX) :].split("_", 1)[0]
        token = PersonalAccessToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(plaintext)):
        log("token.rejected", actor=None, result="denied")
        return None
    if not token.is_usable or not token.user.is_active:
        log("token.rejected", actor=token.user, obj=token, result="denied")
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# --- Two-factor --------------------------------------------------------------------------------


def pending_totp_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled (created on first use, kept across page reloads)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)
    return device


def confirm_totp_device(*, actor: User, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm enrolment with a first valid code; returns the new recovery codes, or None."""
    if device.user_id != actor.pk or not device.verify_token(code):
        log("2fa.failed", actor=actor, result="failed")
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=True).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_recovery_codes(actor)
        log("2fa.enrolled", actor=actor, obj=actor)
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Herstelcodes", confirmed=True)
    codes = [f"{secrets.token_hex(2)}-{secrets.token_hex(2)}" for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def regenerate_recovery_codes(*, actor: User) -> list[str]:
    with transaction.atomic():
        codes = _replace_recovery_codes(actor)
        log("2fa.recovery_regenerated", actor=actor, obj=actor)
    return codes


def verify_second_factor(*, actor: User, code: str):
    """Return the device that accepts ``code`` (TOTP or a single-use recovery code), or None."""
    code = code.strip().replace(" ", "")
    for device in TOTPDevice.objects.filter(user=actor, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(code):
            log("2fa.verified", actor=actor, obj=actor)
            return device
    for device in StaticDevice.objects.filter(user=actor, confirmed=True):
        if device.verify_token(code.lower()):
            log("2fa.recovery_used", actor=actor, obj=actor)
            return device
    log("2fa.failed", actor=actor, result="failed")
    return None


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- Sessions ----------------------------------------------------------------------------------


def end_sessions(*, user: User) -> int:
    """End every session of ``user`` on the server (SECURITY.md A6); returns how many ended.

    Deactivating an account already keeps it out (an inactive user does not authenticate), but its
    sessions would come back to life if the account were reactivated: a stolen cookie with them.
    The database store is searched session by session (there are few); the cache store cannot be
    searched, so there the sessions run out by their idle and absolute timeouts.
    """
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0
    mine = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=mine).delete()
    return len(mine)
