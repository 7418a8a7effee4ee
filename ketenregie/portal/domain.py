"""Operations of "Mijn traject": inviting, activating, signing in with an e-mail code, ending access,
asking to withdraw a consent, writing to the case director.

The case director invites (the youth; the trusted person only with the youth's agreement); the
account gets no role anywhere and reaches only its own trajectory. The e-mails carry a link or a
code, never a name or anything about the case (SECURITY.md L9).
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_email.models import EmailDevice

from ketenregie.accounts.models import User
from ketenregie.audit.domain import log
from ketenregie.cases.domain import Errors, require_open, require_work
from ketenregie.cases.models import Case
from ketenregie.common.errors import GuardFailed, NotAllowed, ValidationFailed
from ketenregie.consent.enums import GivenBy
from ketenregie.consent.models import Consent
from ketenregie.network.models import NetworkMember
from ketenregie.portal.enums import PortalRole, RequestKind
from ketenregie.portal.models import PortalAccess, PortalRequest

INVITATION_DAYS = 7
CODE_VALID_SECONDS = 10 * 60
_SALT = "ketenregie.portal.invitation"


# --- Looking up -----------------------------------------------------------------------------------


def access_of(user: Any) -> PortalAccess | None:
    """The portal access of ``user`` (ended or not), cached on the user for the request; None for staff."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_ketenregie_portal_access"):
        user._ketenregie_portal_access = (
            PortalAccess.objects.with_scopes_disabled()
            .filter(user_id=user.pk)
            .select_related("case", "case__chain", "case__youth", "case__case_director", "network_member")
            .first()
        )
    found: PortalAccess | None = user._ketenregie_portal_access
    return found


def is_portal_user(user: Any) -> bool:
    """An account made for "Mijn traject" (read from the user row: no query on staff requests)."""
    return bool(getattr(user, "is_portal_account", False))


# --- Inviting and activating ------------------------------------------------------------------------


def _state(user: User) -> str:
    # Changes when a password is set or the user logs in: an invitation link works once.
    return hashlib.sha256(f"{user.password}|{user.last_login}".encode()).hexdigest()[:20]


def invitation_token(user: User) -> str:
    return signing.dumps({"u": str(user.pk), "s": _state(user)}, salt=_SALT)


def user_for_invitation(token: str) -> User | None:
    """The account an invitation link is for, while the link is fresh and unused; else None."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=timedelta(days=INVITATION_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    try:
        user = User.objects.filter(pk=str(data.get("u", "")), is_active=True).first()
    except (ValidationError, ValueError):
        return None
    if user is None or data.get("s") != _state(user) or access_of(user) is None:
        return None
    return user


def _link_base() -> str:
    from ketenregie.followup.digest import base_url

    return base_url()


def _send_invitation(user: User) -> None:
    link = _link_base() + reverse("portal:activate", kwargs={"token": invitation_token(user)})
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your invitation for “My trajectory”")
        body = "\n".join(
            [
                _("Hello,"),
                "",
                _(
                    "Your case director invites you to “My trajectory”: there you see your goals, your next meeting and your consents, and you can send your case director a message."
                ),
                "",
                _("Choose your password with this link (it works once, for %(days)d days):")
                % {"days": INVITATION_DAYS},
                link,
                "",
                _("You log in with this e-mail address, your password and a code we send you by e-mail."),
                _("Did you not expect this e-mail? Then you can ignore it."),
            ]
        )
    transaction.on_commit(lambda: EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send())


def _new_username(role: str) -> str:
    prefix = "jongere" if role == PortalRole.YOUTH else "vertrouwenspersoon"
    while True:
        name = f"{prefix}-{secrets.token_hex(3)}"
        if not User.objects.filter(username=name).exists():
            return name


def invite(
    *,
    actor: User,
    case: Case,
    role: str,
    email: str,
    youth_agreed_on: date | None = None,
    network_member: NetworkMember | None = None,
    send_email: bool = True,
) -> PortalAccess:
    """The case director (or a coordinator) invites the youth or, with the youth's agreement, the trusted person.

    One active access per person; the youth's agreement date is required; an e-mail address that
    already has an account is refused (a portal account is never a staff account).
    """
    require_work(actor, case)
    errors = Errors()
    email = (email or "").strip().lower()
    if role not in PortalRole.values:
        errors.add("role", _("Choose who you invite."))
    try:
        validate_email(email)
    except ValidationError:
        errors.add("email", _("Give a valid e-mail address."))
    else:
        if User.objects.filter(email__iexact=email).exists():
            errors.add("email", _("This e-mail address already has an account. Use another address."))
    if youth_agreed_on is None:
        errors.add("youth_agreed_on", _("Give the date on which the youth agreed."))
    elif youth_agreed_on > timezone.localdate():
        errors.add("youth_agreed_on", _("This date lies in the future."))
    active = PortalAccess.objects.filter(case=case, ended_at__isnull=True)
    if role == PortalRole.YOUTH and active.filter(role=PortalRole.YOUTH).exists():
        errors.add("role", _("The youth already has access. End it first to invite again."))
    if role == PortalRole.TRUSTED_PERSON:
        if network_member is None or network_member.case_id != case.pk or not network_member.is_trusted_person:
            errors.add("network_member", _("Choose the trusted person from the youth's network."))
        elif active.filter(network_member=network_member).exists():
            errors.add("network_member", _("This trusted person already has access."))
    errors.raise_if_any()
    assert youth_agreed_on is not None  # noqa: S101 — checked above
    now = timezone.now()
    with transaction.atomic():
        user = User(username=_new_username(role), email=email, is_active=True)
        if role == PortalRole.TRUSTED_PERSON and network_member is not None:
            user.first_name = network_member.name[:150]
        else:
            user.first_name = case.youth.first_name
        user.set_unusable_password()
        user.save()
        access = PortalAccess.objects.create(
            user=user,
            case=case,
            role=role,
            network_member=network_member if role == PortalRole.TRUSTED_PERSON else None,
            youth_agreed_on=youth_agreed_on,
            invited_by=actor,
            invited_at=now,
        )
        log("portal.invited", actor=actor, obj=access, chain_id=case.chain_id, case_id=case.pk, details={"role": role})
        if send_email:
            _send_invitation(user)
    return access


def resend_invitation(*, actor: User, access: PortalAccess) -> None:
    require_work(actor, access.case)
    if access.ended_at is not None or access.activated_at is not None:
        raise GuardFailed(_("This access is already in use or ended: there is nothing to send."))
    with transaction.atomic():
        log(
            "portal.invited",
            actor=actor,
            obj=access,
            chain_id=access.case.chain_id,
            case_id=access.case_id,
            details={"role": access.role, "again": True},
        )
        _send_invitation(access.user)


def activate(*, user: User, password: str) -> PortalAccess:
    """The invited person chooses a password (the site's password rules apply) and the access starts."""
    from django.contrib.auth.password_validation import validate_password

    access = access_of(user)
    if access is None or not access.is_active:
        raise GuardFailed(_("This access has ended."))
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(
            exc.messages[0], errors=[{"field": "new_password1", "message": m} for m in exc.messages]
        ) from None
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        access.activated_at = access.activated_at or timezone.now()
        access.save(update_fields=["activated_at", "updated_at"])
        log("portal.activated", actor=user, obj=access, chain_id=access.case.chain_id, case_id=access.case_id)
    return access


def end_access(*, actor: User, access: PortalAccess, reason: str = "") -> PortalAccess:
    """End someone's "Mijn traject" (the youth withdrew their agreement, the person changed, ...).

    It takes effect on their next request; closing the case ends every access by itself.
    """
    require_work(actor, access.case, message=_("This case is closed: its accesses ended with it."))
    if access.ended_at is not None:
        return access
    with transaction.atomic():
        access.ended_at = timezone.now()
        access.ended_by = actor
        access.end_reason = (reason or "").strip()[:200]
        access.save(update_fields=["ended_at", "ended_by", "end_reason", "updated_at"])
        log("portal.ended", actor=actor, obj=access, chain_id=access.case.chain_id, case_id=access.case_id)
    return access


# --- Signing in with an e-mail code ----------------------------------------------------------------


def email_device(user: User) -> EmailDevice:
    device = EmailDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = EmailDevice.objects.create(user=user, name="Mijn traject", confirmed=True)
    return device


def send_code(*, user: User) -> bool:
    """E-mail a one-time code (valid 10 minutes). False while the previous one was sent under a minute ago."""
    device = email_device(user)
    allowed, _info = device.generate_is_allowed()
    if not allowed:
        return False
    device.cooldown_set(commit=False)
    device.generate_token(valid_secs=CODE_VALID_SECONDS, commit=True)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Your code for “My trajectory”")
        body = "\n".join(
            [
                _("Your code: %(code)s") % {"code": device.token},
                "",
                _("It works once, for %(minutes)d minutes.") % {"minutes": CODE_VALID_SECONDS // 60},
                _("Did you not try to log in? Then tell your case director."),
            ]
        )
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
    log("portal.code_sent", actor=user, obj=user)
    return True


def verify_code(*, user: User, code: str) -> EmailDevice | None:
    """The device when ``code`` is the current one; wrong guesses slow down (django-otp throttling)."""
    device = email_device(user)
    if device.verify_token((code or "").strip()):
        log("portal.verified", actor=user, obj=user)
        return device
    log("portal.code_failed", actor=user, obj=user, result="failed")
    return None


# --- What the youth does in "Mijn traject" ---------------------------------------------------------


def _require_active(access: PortalAccess) -> None:
    if not access.is_active:
        raise NotAllowed(_("Your access to “My trajectory” has ended."))


def request_withdrawal(*, actor: User, consent: Consent, note: str = "") -> PortalRequest:
    """The youth asks to withdraw one of their consents: a task and a notification for the case director.

    The withdrawal itself is recorded by the case director (consent.domain.withdraw_consent), who
    talks it through with the youth first; asking twice for the same consent asks once.
    """
    access = access_of(actor)
    if access is None or access.role != PortalRole.YOUTH or consent.case_id != access.case_id:
        raise NotAllowed(_("Only the youth can ask this."))
    if consent.given_by != GivenBy.YOUTH:
        raise GuardFailed(_("Your parent gave this consent: only your parent can withdraw it."))
    _require_active(access)
    case = access.case
    require_open(case)
    if consent.withdrawn_on is not None and consent.withdrawn_on <= timezone.localdate():
        raise GuardFailed(_("This consent was already withdrawn."))
    note = (note or "").strip()
    if len(note) > 1000:
        raise ValidationFailed(
            _("Write at most 1000 characters."),
            errors=[{"field": "note", "message": _("Write at most 1000 characters.")}],
        )
    existing = PortalRequest.objects.filter(consent=consent, handled_at__isnull=True).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        request = PortalRequest.objects.create(
            access=access, case=case, kind=RequestKind.WITHDRAW_CONSENT, consent=consent, note=note
        )
        log(
            "portal.withdrawal_requested",
            actor=actor,
            obj=request,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"consent": str(consent.pk), "kind": consent.kind},
        )
        director = case.case_director if case.case_director_id else None
        if director is not None and director.is_active:
            from ketenregie.followup.domain_notify import notify

            url = reverse("portal:case_access", kwargs={"case_id": case.pk})
            transaction.on_commit(lambda: notify(director, "portal_withdrawal", case, url))
    return request


def handle_request(*, actor: User, request: PortalRequest) -> PortalRequest:
    """The case director marks a request as handled (after recording the withdrawal, or talking it through)."""
    require_work(actor, request.case)
    if request.handled_at is not None:
        return request
    with transaction.atomic():
        request.handled_at = timezone.now()
        request.handled_by = actor
        request.save(update_fields=["handled_at", "handled_by", "updated_at"])
        log(
            "portal.request_handled",
            actor=actor,
            obj=request,
            chain_id=request.case.chain_id,
            case_id=request.case_id,
            details={"kind": request.kind},
        )
    return request


def send_message(*, actor: User, body: str, submission_key: uuid.UUID | None = None):
    """The youth or trusted person writes to the case director (never to partners directly)."""
    from ketenregie.threads.domain import post_portal_message

    access = access_of(actor)
    if access is None:
        raise NotAllowed(_("Only from “My trajectory”."))
    _require_active(access)
    return post_portal_message(actor=actor, case=access.case, body=body, submission_key=submission_key)
