"""The data subject's rights on a case: restriction, legal holds and the access export.

Each operation is an operational coordinator's, runs in one transaction and writes its audit event
there. Reasons are stored encrypted with the restriction or hold and never copied into the audit
log (they may say why the youth objects, which is case content).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenregie.accounts.models import User
from ketenregie.audit.domain import log
from ketenregie.cases.models import Case, Youth
from ketenregie.common.errors import GuardFailed, NotAllowed, ValidationFailed
from ketenregie.consent.policy import is_coordinator
from ketenregie.privacy import queries
from ketenregie.privacy.models import LegalHold, Restriction

REASON_MAX = 2000


def _require_coordinator(actor: Any, chain_id: Any) -> None:
    if not is_coordinator(actor, chain_id):
        raise NotAllowed(_("Only an operational coordinator of the chain can do this."))


def _reason(value: str, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(message, errors=[{"field": field, "message": message}])
    if len(text) > REASON_MAX:
        too_long = _("Keep the reason under %(n)d characters.") % {"n": REASON_MAX}
        raise ValidationFailed(too_long, errors=[{"field": field, "message": too_long}])
    return text


def _lock(case: Case) -> Case:
    return Case.objects.with_scope(chain=case.chain_id).select_for_update().get(pk=case.pk)


def restrict_case(*, actor: User, case: Case, reason: str) -> Restriction:
    """Freeze a case at the youth's request (GDPR art. 18).

    From now on ``cases.domain.require_open`` refuses every write on the case and the case is kept
    off OT agendas and out of the retention run, until a coordinator lifts the restriction.
    """
    _require_coordinator(actor, case.chain_id)
    text = _reason(reason, "reason", _("Write why the processing of this case is restricted."))
    if queries.is_pseudonymised(case):
        raise GuardFailed(
            _("This case was pseudonymised after its retention period; there is nothing left to restrict.")
        )
    with transaction.atomic():
        locked = _lock(case)
        if queries.active_restriction(locked) is not None:
            message = _("The processing of this case is already restricted.")
            raise GuardFailed(message, errors=[{"field": "reason", "message": message}])
        restriction = Restriction.objects.create(case=locked, reason=text, restricted_by=actor, since=timezone.now())
        log(
            "privacy.case_restricted",
            actor=actor,
            obj=restriction,
            chain_id=locked.chain_id,
            case_id=locked.pk,
        )
    return restriction


def lift_restriction(*, actor: User, case: Case, reason: str) -> Restriction:
    """End the restriction: the case can be changed and shared again."""
    _require_coordinator(actor, case.chain_id)
    text = _reason(reason, "lift_reason", _("Write why the restriction can be lifted."))
    with transaction.atomic():
        locked = _lock(case)
        restriction = queries.active_restriction(locked)
        if restriction is None:
            message = _("The processing of this case is not restricted.")
            raise GuardFailed(message, errors=[{"field": "lift_reason", "message": message}])
        restriction.lifted_at = timezone.now()
        restriction.lifted_by = actor
        restriction.lift_reason = text
        restriction.save(update_fields=["lifted_at", "lifted_by", "lift_reason", "updated_at"])
        log(
            "privacy.restriction_lifted",
            actor=actor,
            obj=restriction,
            chain_id=locked.chain_id,
            case_id=locked.pk,
        )
    return restriction


def place_legal_hold(*, actor: User, case: Case, reason: str, until: date | None = None) -> LegalHold:
    """Keep a case out of the retention run (a court procedure, a complaint), until a date or lifted."""
    _require_coordinator(actor, case.chain_id)
    text = _reason(reason, "reason", _("Write why the case must be kept."))
    if until is not None and until < timezone.localdate():
        message = _("A legal hold cannot end in the past.")
        raise ValidationFailed(message, errors=[{"field": "until", "message": message}])
    if queries.is_pseudonymised(case):
        raise GuardFailed(_("This case was pseudonymised after its retention period; there is nothing left to keep."))
    with transaction.atomic():
        hold = LegalHold.objects.create(case=case, reason=text, until=until, placed_by=actor)
        log(
            "privacy.legal_hold_placed",
            actor=actor,
            obj=hold,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"until": until.isoformat() if until else None},
        )
    return hold


def lift_legal_hold(*, actor: User, hold: LegalHold) -> LegalHold:
    case = hold.case
    _require_coordinator(actor, case.chain_id)
    with transaction.atomic():
        if hold.lifted_at is None:
            hold.lifted_at = timezone.now()
            hold.lifted_by = actor
            hold.save(update_fields=["lifted_at", "lifted_by", "updated_at"])
            log("privacy.legal_hold_lifted", actor=actor, obj=hold, chain_id=case.chain_id, case_id=case.pk)
    return hold


def may_export(actor: Any, youth: Youth) -> bool:
    return is_coordinator(actor, youth.chain_id)


def export_subject(*, actor: Any, youth: Youth, fmt: str, channel_note: str = ""):
    """Everything held about ``youth`` for an access request; one audit event per case it covers.

    ``actor`` None is the command line (an operator with access to the server); the web and API
    views require an operational coordinator who re-authenticated.
    """
    from ketenregie.privacy.subject import build_export, cases_of

    if actor is not None:
        if not may_export(actor, youth):
            raise NotAllowed(_("Only an operational coordinator of the chain can export a youth's data."))
    if fmt not in ("json", "pdf"):
        raise ValidationFailed(
            _("Choose JSON or PDF."), errors=[{"field": "format", "message": _("Choose JSON or PDF.")}]
        )
    export = build_export(youth=youth, actor=actor)
    with transaction.atomic():
        for case in cases_of(youth):
            log(
                "privacy.subject_exported",
                actor=actor,
                obj=youth,
                chain_id=youth.chain_id,
                case_id=case.pk,
                details={"format": fmt, "cases": len(export.cases), **({"via": channel_note} if channel_note else {})},
            )
    return export
