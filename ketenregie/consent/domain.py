"""Recording and withdrawing consents. Withdrawal is immediate and puts the case back to the OT."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import Organisation, User
from ketenregie.accounts.queries import roles_in
from ketenregie.audit.domain import log
from ketenregie.cases.domain import existing_submission, require_work
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case
from ketenregie.common.errors import GuardFailed, NotAllowed, ValidationFailed
from ketenregie.consent.documents import check_document
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.consent.models import BreakGlassAccess, Consent


@dataclass
class ConsentData:
    kind: str
    given_by: str
    given_by_name: str
    signed_on: date
    valid_until: date | None = None
    organisations: list[Organisation] = field(default_factory=list)
    life_domains: list[str] = field(default_factory=list)


def record_consent(
    *, actor: User, case: Case, data: ConsentData, document=None, submission_key: uuid.UUID | None = None
) -> Consent:
    """Record a signed consent with its scope and validity, optionally with the signed document."""
    from ketenregie.cases.domain import Errors

    require_work(actor, case)
    if (existing := existing_submission(Consent, submission_key, case_id=case.pk, recorded_by_id=actor.pk)) is not None:
        return existing
    today = timezone.localdate()
    errors = Errors()
    if data.kind not in ConsentKind.values:
        errors.add("kind", _("Choose the kind of consent."))
    if data.given_by not in GivenBy.values:
        errors.add("given_by", _("Choose who gave the consent."))
    if data.kind == ConsentKind.PARENTAL and data.given_by != GivenBy.PARENT:
        errors.add("given_by", _("Parental consent is given by a parent or guardian."))
    if not data.given_by_name.strip():
        errors.add("given_by_name", _("Give the name of the person who signed."))
    if data.signed_on > today:
        errors.add("signed_on", _("The signing date cannot be in the future."))
    elif data.signed_on < case.youth.birth_date:
        errors.add("signed_on", _("The signing date lies before the birth date."))
    if data.valid_until and data.valid_until < data.signed_on:
        errors.add("valid_until", _("The consent cannot end before it was signed."))
    if data.kind == ConsentKind.SHARING and not data.organisations:
        errors.add("organisations", _("Choose the organisations the youth agrees to share information with."))
    partner_ids = set(case.chain.partners.values_list("organisation_id", flat=True))
    if any(o.pk not in partner_ids for o in data.organisations):
        errors.add("organisations", _("Only partner organisations of the chain can be chosen."))
    known_domains = {d["code"] for d in case.chain.life_domains}
    if any(d not in known_domains for d in data.life_domains):
        errors.add("life_domains", _("Unknown life domain."))
    name = content_type = ""
    if document is not None:
        try:
            name, content_type = check_document(document)
        except ValueError as exc:
            errors.add("document", str(exc))
    errors.raise_if_any()
    try:
        with transaction.atomic():
            consent = Consent(
                case=case,
                kind=data.kind,
                given_by=data.given_by,
                given_by_name=data.given_by_name.strip(),
                signed_on=data.signed_on,
                valid_until=data.valid_until,
                life_domains=list(dict.fromkeys(data.life_domains)),
                recorded_by=actor,
                submission_key=submission_key,
                document_name=name,
                document_type=content_type,
            )
            if document is not None:
                consent.document.save("upload", document, save=False)
            consent.save()
            consent.organisations.set(data.organisations)
            log(
                "consent.recorded",
                actor=actor,
                obj=consent,
                chain_id=case.chain_id,
                case_id=case.pk,
                details={"kind": data.kind, "given_by": data.given_by, "document": bool(document)},
            )
    except IntegrityError:
        existing = existing_submission(Consent, submission_key, case_id=case.pk, recorded_by_id=actor.pk)
        if existing is not None:
            return existing
        raise
    return consent


def withdraw_consent(*, actor: User, consent: Consent, on: date | None = None, note: str = "") -> Consent:
    """Withdraw at once. Access that rested on it ends now; an ongoing case goes back to the OT."""
    from ketenregie.cases.domain import _add_to_next_meeting
    from ketenregie.consent.policy import can_work_on_case

    case = consent.case
    if not can_work_on_case(actor, case):
        raise NotAllowed(_("Your role does not allow this."))
    if consent.withdrawn_on is not None:
        raise GuardFailed(_("This consent was already withdrawn."))
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationFailed(
            _("The withdrawal date cannot be in the future."),
            errors=[{"field": "on", "message": _("The withdrawal date cannot be in the future.")}],
        )
    if on < consent.signed_on:
        raise ValidationFailed(
            _("The withdrawal cannot be before the signing."),
            errors=[{"field": "on", "message": _("The withdrawal cannot be before the signing.")}],
        )
    with transaction.atomic():
        consent.withdrawn_on = on
        consent.withdrawal_note = note.strip()
        consent.save(update_fields=["withdrawn_on", "withdrawal_note", "updated_at"])
        log(
            "consent.withdrawn",
            actor=actor,
            obj=consent,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"kind": consent.kind},
        )
        if case.status in (CaseStatus.INCLUDED, CaseStatus.ACTIVE):
            Case.objects.with_scope(chain=case.chain_id).filter(pk=case.pk).update(
                flagged_for_ot=True,
                flag_reason=_("Consent withdrawn: %(kind)s") % {"kind": consent.get_kind_display()},
                updated_at=timezone.now(),
            )
            case.refresh_from_db()
            _add_to_next_meeting(case)
    return consent


# --- Break the glass ---------------------------------------------------------------------------------

BREAK_GLASS_MIN_REASON = 20


def break_the_glass(*, actor: User, case: Case, reason: str) -> BreakGlassAccess:
    """Emergency read access to a case of the actor's chain that lies outside their scope.

    Only a case director or OT member of the case's chain (``policy.BREAK_GLASS_ROLES``) for a
    case they may not read in full, with a written reason of at least ``BREAK_GLASS_MIN_REASON``
    characters; the caller has re-authenticated the actor. The access lasts
    ``policy.BREAK_GLASS_HOURS`` hours and gives no right to change anything. The audit entry
    carries the reason (AU1); each operational coordinator of the chain and the case's own director get
    a notification.
    """
    from ketenregie.consent import policy
    from ketenregie.followup.domain_notify import notify

    if not (roles_in(actor, case.chain_id) & set(policy.BREAK_GLASS_ROLES)):
        raise NotAllowed(_("Your role does not allow emergency access."))
    if policy.can_view_case_content(actor, case):
        raise GuardFailed(_("You can already read this case: no emergency access is needed."))
    reason = reason.strip()
    if len(reason) < BREAK_GLASS_MIN_REASON:
        message = _("Write why you need this case now, in at least %(n)d characters.") % {"n": BREAK_GLASS_MIN_REASON}
        raise ValidationFailed(message, errors=[{"field": "reason", "message": message}])
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassAccess.objects.create(
            case=case, user=actor, reason=reason, expires_at=now + timedelta(hours=policy.BREAK_GLASS_HOURS)
        )
        policy.forget_break_glass(actor)
        log(
            "consent.break_glass",
            actor=actor,
            obj=case,
            chain_id=case.chain_id,
            case_id=case.pk,
            reason=reason,
            details={
                "access": str(grant.pk),
                "expires_at": grant.expires_at.isoformat(),
                "hours": policy.BREAK_GLASS_HOURS,
            },
        )
        # One filter() call: the chain, the role and the active flag hold for the same membership.
        told = User.objects.filter(
            is_active=True,
            memberships__chain_id=case.chain_id,
            memberships__is_active=True,
            memberships__role=Role.OPERATIONAL_COORDINATOR,
        )
        # The case's own director hears it too: someone read their case.
        told = told | User.objects.filter(pk=case.case_director_id, is_active=True)
        url = reverse("cases:case_detail", kwargs={"case_id": case.pk})
        for user in told.exclude(pk=actor.pk).distinct():
            notify(user, "break_glass", case, url)
    return grant
