"""Follow-up: contacts, cadence, major events, acknowledgements, intervision advice."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import User
from ketenregie.accounts.queries import roles_in
from ketenregie.audit.domain import log
from ketenregie.cases.domain import (
    Errors,
    _add_to_next_meeting,
    existing_submission,
    require_unrestricted,
    require_work,
)
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case
from ketenregie.common.errors import NotAllowed, ValidationFailed
from ketenregie.followup.enums import ContactChannel, ContactWith, EventKind
from ketenregie.followup.models import (
    CaseCadence,
    FollowUpContact,
    IntervisionAdvice,
    IntervisionSession,
    MajorEvent,
    SignalAcknowledgement,
)
from ketenregie.network.models import NetworkMember

FOLLOW_UP_STATUSES = (CaseStatus.INCLUDED, CaseStatus.ACTIVE)


@dataclass
class ContactData:
    contact_at: datetime
    with_whom: str
    channel: str
    reached: bool = True
    note: str = ""
    life_domains: list[str] = field(default_factory=list)
    positive_development: bool = False
    network_member: NetworkMember | None = None


def record_contact(
    *, actor: User, case: Case, data: ContactData, submission_key: uuid.UUID | None = None
) -> FollowUpContact:
    """Log a follow-up contact. Not in the future, not on a closed case, not before the registration."""
    require_work(actor, case)
    if (
        existing := existing_submission(FollowUpContact, submission_key, case_id=case.pk, created_by_id=actor.pk)
    ) is not None:
        return existing
    errors = Errors()
    if timezone.is_naive(data.contact_at):
        errors.add("contact_at", _("Give a date and time."))
    elif data.contact_at > timezone.now() + timedelta(minutes=5):
        errors.add("contact_at", _("A contact cannot be in the future."))
    elif timezone.localtime(data.contact_at).date() < case.registered_on:
        errors.add("contact_at", _("A contact cannot be before the registration."))
    if data.with_whom not in ContactWith.values:
        errors.add("with_whom", _("Choose with whom."))
    if data.with_whom == ContactWith.NETWORK_MEMBER and (
        data.network_member is None or data.network_member.case_id != case.pk
    ):
        errors.add("network_member", _("Choose someone from this youth's network."))
    if data.channel not in ContactChannel.values:
        errors.add("channel", _("Choose the channel."))
    known = {d["code"] for d in case.chain.life_domains}
    if any(d not in known for d in data.life_domains):
        errors.add("life_domains", _("Unknown life domain."))
    errors.raise_if_any()
    try:
        with transaction.atomic():
            contact = FollowUpContact.objects.create(
                case=case,
                contact_at=data.contact_at,
                with_whom=data.with_whom,
                channel=data.channel,
                reached=data.reached,
                note=data.note.strip(),
                life_domains=list(dict.fromkeys(data.life_domains)),
                positive_development=data.positive_development,
                network_member=data.network_member if data.with_whom == ContactWith.NETWORK_MEMBER else None,
                created_by=actor,
                submission_key=submission_key,
            )
            log(
                "followup.contact",
                actor=actor,
                obj=contact,
                chain_id=case.chain_id,
                case_id=case.pk,
                details={"with": data.with_whom, "reached": data.reached},
            )
    except IntegrityError:
        existing = existing_submission(FollowUpContact, submission_key, case_id=case.pk, created_by_id=actor.pk)
        if existing is not None:
            return existing
        raise
    return contact


def cadence_days(case: Case, cadence: CaseCadence | None = None) -> int:
    if cadence is not None:
        return cadence.days
    return case.chain.follow_up_cadence_days


def set_cadence(*, actor: User, case: Case, days: int | None, reason: str) -> CaseCadence | None:
    """Adjust this case's follow-up cadence (1–90 days) with a reason; None returns to the chain's default."""
    require_work(actor, case)
    errors = Errors()
    if days is not None and not 1 <= days <= 90:
        errors.add("days", _("The cadence is between 1 and 90 days."))
    if days is not None and not reason.strip():
        errors.add("reason", _("Give a reason for a different cadence."))
    errors.raise_if_any()
    with transaction.atomic():
        CaseCadence.objects.with_scope(chain=case.chain_id).filter(case=case).delete()
        cadence = None
        if days is not None:
            cadence = CaseCadence.objects.create(
                case=case, days=days, reason=reason.strip(), set_by=actor, set_at=timezone.now()
            )
        log("followup.cadence", actor=actor, obj=case, chain_id=case.chain_id, case_id=case.pk, details={"days": days})
    return cadence


def record_event(*, actor: User, case: Case, kind: str, occurred_on: date, description: str = "") -> MajorEvent:
    """Record a major event; events of the chain's configured kinds put the case on the next OT agenda."""
    require_work(actor, case)
    errors = Errors()
    if kind not in EventKind.values:
        errors.add("kind", _("Choose the kind of event."))
    if occurred_on > timezone.localdate():
        errors.add("occurred_on", _("The date cannot be in the future."))
    elif occurred_on < case.youth.birth_date:
        errors.add("occurred_on", _("The date lies before the birth date."))
    errors.raise_if_any()
    flag = kind in (case.chain.ot_event_kinds or []) and case.status in FOLLOW_UP_STATUSES
    with transaction.atomic():
        event = MajorEvent.objects.create(
            case=case,
            kind=kind,
            occurred_on=occurred_on,
            description=description.strip(),
            flagged_for_ot=flag,
            created_by=actor,
        )
        log(
            "followup.event",
            actor=actor,
            obj=event,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"kind": kind, "flagged_for_ot": flag},
        )
        if flag:
            reason = _("Major event: %(kind)s") % {"kind": EventKind(kind).label}
            Case.objects.with_scope(chain=case.chain_id).filter(pk=case.pk).update(
                flagged_for_ot=True, flag_reason=str(reason)[:300], updated_at=timezone.now()
            )
            case.flagged_for_ot, case.flag_reason = True, str(reason)[:300]
            _add_to_next_meeting(case)
    return event


def acknowledge_signal(
    *, actor: User, case: Case, key: str, note: str = "", quiet_days: int = 7
) -> SignalAcknowledgement:
    """Note that a signal was seen. It stays quiet for ``quiet_days`` and returns if its cause persists."""
    from ketenregie.consent.policy import visible_cases

    if not visible_cases(actor).filter(pk=case.pk).exists():
        raise NotAllowed(_("Your role does not allow this."))
    require_unrestricted(case)
    parts = key.split(":")
    if len(key) > 200 or len(parts) < 2 or parts[1] != str(case.pk):
        raise ValidationFailed(_("Unknown signal."), errors=[{"field": "key", "message": _("Unknown signal.")}])
    with transaction.atomic():
        ack = SignalAcknowledgement.objects.create(
            case=case,
            key=key,
            note=note.strip(),
            acknowledged_by=actor,
            acknowledged_at=timezone.now(),
            quiet_until=timezone.localdate() + timedelta(days=quiet_days),
        )
        log(
            "followup.signal_acknowledged",
            actor=actor,
            obj=case,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"signal": key.split(":", 1)[0]},
        )
    return ack


def start_intervision(*, actor: User, chain, held_on: date) -> IntervisionSession:
    if not roles_in(actor, chain.pk) & {Role.OPERATIONAL_COORDINATOR, Role.CASE_DIRECTOR}:
        raise NotAllowed(_("Your role does not allow this."))
    if held_on > timezone.localdate() + timedelta(days=1):
        raise ValidationFailed(
            _("The date cannot be in the future."),
            errors=[{"field": "held_on", "message": _("The date cannot be in the future.")}],
        )
    with transaction.atomic():
        session, created = IntervisionSession.objects.with_scope(chain=chain.pk).get_or_create(
            chain=chain, held_on=held_on, defaults={"created_by": actor}
        )
        if created:
            log("followup.intervision", actor=actor, obj=session, chain_id=chain.pk)
    return session


def record_intervision_advice(
    *, actor: User, session: IntervisionSession, case: Case, advice: str
) -> IntervisionAdvice:
    """The team's advice on a case at intervision; it lands in the case's timeline."""
    if not roles_in(actor, session.chain_id) & {Role.OPERATIONAL_COORDINATOR, Role.CASE_DIRECTOR}:
        raise NotAllowed(_("Your role does not allow this."))
    if case.chain_id != session.chain_id:
        raise ValidationFailed(
            _("The case belongs to another chain."),
            errors=[{"field": "case", "message": _("The case belongs to another chain.")}],
        )
    require_unrestricted(case)
    if not advice.strip():
        raise ValidationFailed(
            _("Write the team's advice."), errors=[{"field": "advice", "message": _("Write the team's advice.")}]
        )
    with transaction.atomic():
        item = IntervisionAdvice.objects.create(
            session=session, case=case, advice=advice.strip(), created_by=actor, created_at=timezone.now()
        )
        log("followup.intervision_advice", actor=actor, obj=item, chain_id=case.chain_id, case_id=case.pk)
    return item
