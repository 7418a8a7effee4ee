"""Every operation that changes case data. Views, the API, commands and the demo call these.

Each function takes keyword-only arguments with a required ``actor``, runs in one transaction,
writes the audit event inside it, and raises a DomainError (with field-level messages) instead of
saving anything when a rule is broken.
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import ChainPartner, Organisation, User
from ketenregie.accounts.queries import roles_in
from ketenregie.audit.domain import log
from ketenregie.cases import workflow
from ketenregie.cases.eligibility import age_on, check_eligibility, failed, is_minor
from ketenregie.cases.enums import (
    FLAGGED_ITEM_DECISIONS,
    NEW_ITEM_DECISIONS,
    OPEN_STATUSES,
    CaseStatus,
    ConsultOutcome,
    GuardianRelation,
    OTDecision,
    OTItemKind,
    OTMeetingStatus,
    ReferrerKind,
)
from ketenregie.cases.models import (
    Case,
    Consult,
    Guardian,
    Intake,
    LegalBasis,
    Offence,
    OTAgendaItem,
    OTAttendance,
    OTMeeting,
    Youth,
)
from ketenregie.chains.models import Chain
from ketenregie.common import chain_version
from ketenregie.common.errors import DomainError, GuardFailed, NotAllowed, StaleVersion, ValidationFailed

REGISTERING_ROLES = {Role.OPERATIONAL_COORDINATOR, Role.CASE_DIRECTOR, Role.OT_MEMBER, Role.PARTNER}
MINIMUM_AGE = 6


class DuplicateSuspected(DomainError):
    """The youth seems to be known already; the caller must confirm or link the existing youth."""

    status = 409
    title = "Conflict"

    def __init__(self, detail: str, *, matches: list[Youth]):
        super().__init__(detail, errors=[{"field": "youth", "message": detail}])
        self.matches = matches


class Errors:
    """Collects field errors and raises them together, so the user sees every problem at once."""

    def __init__(self) -> None:
        self.items: list[dict] = []

    def add(self, field_name: str, message: str) -> None:
        self.items.append({"field": field_name, "message": str(message)})

    def raise_if_any(self, detail: str = "") -> None:
        if self.items:
            raise ValidationFailed(detail or _("Some fields need attention."), errors=self.items)


def _require_role(actor: Any, chain_id: Any, roles: set) -> None:
    if not roles_in(actor, chain_id) & roles:
        raise NotAllowed(_("Your role does not allow this."))


def require_open(case: Case, message: Any = None) -> None:
    """Every write on a case passes here: a closed case is read-only, a restricted case frozen."""
    if case.is_closed:
        raise GuardFailed(message or _("This case is closed and can no longer be changed."))
    require_unrestricted(case)


def restriction_message(case: Case) -> str | None:
    """Why the case refuses writes while its processing is restricted (GDPR art. 18), or None."""
    from ketenregie.privacy.queries import active_restriction

    restriction = active_restriction(case)
    if restriction is None:
        return None
    return _(
        "The processing of this case is restricted since %(date)s: nothing can be changed or shared "
        "until an operational coordinator lifts the restriction."
    ) % {"date": date_format(timezone.localtime(restriction.since).date(), "j F Y")}


def require_unrestricted(case: Case) -> None:
    """Writes that are possible on a closed case (links, notes) still stop at a restriction."""
    message = restriction_message(case)
    if message is not None:
        raise GuardFailed(message, errors=[{"field": "__all__", "message": message}])


def require_work(actor: Any, case: Case, message: Any = None) -> None:
    """The one guard of every write on a case's content: the right to work on it, and an open case."""
    from ketenregie.consent.policy import can_work_on_case

    if not can_work_on_case(actor, case):
        raise NotAllowed(_("Your role does not allow this."))
    require_open(case, message)


def existing_submission(model, submission_key, **owner):
    """The record an earlier submit of the same form created, so a double submit is harmless.

    ``owner`` (e.g. ``chain_id=..., created_by_id=...``) must match: a key replayed by someone else
    or in another chain never hands out that record.
    """
    if submission_key is None:
        return None
    found = model.objects.with_scopes_disabled().filter(submission_key=submission_key).first()
    if found is not None and any(getattr(found, name) != value for name, value in owner.items()):
        raise GuardFailed(
            _("This form was already used. Reload the page and fill it in again."),
            errors=[
                {
                    "field": "submission_key",
                    "message": _("This form was already used. Reload the page and fill it in again."),
                }
            ],
        )
    return found


def search_key(first_name: str, last_name: str) -> str:
    text = f"{first_name} {last_name}".strip().lower()
    text = unicodedata.normalize("NFKD", text)
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


# --- Consult ----------------------------------------------------------------------------------


@dataclass
class ConsultData:
    referrer_kind: str
    referrer_name: str
    channel: str
    consulted_on: date
    summary: str
    outcome: str
    referrer_organisation: Organisation | None = None
    referrer_contact: str = ""
    advice: str = ""
    youth_initials: str = ""
    youth_age: int | None = None
    youth_birth_date: date | None = None
    youth_postal_code: str = ""
    has_offence: bool | None = None
    has_multi_problem: bool | None = None


def _check_referrer(errors: Errors, chain: Chain, kind: str, organisation: Organisation | None, name: str) -> None:
    if kind not in ReferrerKind.values:
        errors.add("referrer_kind", _("Choose who refers the youth."))
    if kind == ReferrerKind.ORGANISATION:
        if organisation is None:
            errors.add("referrer_organisation", _("Choose the referring organisation."))
        elif not ChainPartner.objects.filter(chain=chain, organisation=organisation).exists():
            errors.add("referrer_organisation", _("This organisation is not a partner of the chain."))
    if not name.strip():
        errors.add("referrer_name", _("Give the name of the person who refers."))


def record_consult(*, actor: User, chain: Chain, data: ConsultData, submission_key: uuid.UUID | None = None) -> Consult:
    """Record a referrer's question with the eligibility check on what is known."""
    _require_role(actor, chain.pk, {Role.OPERATIONAL_COORDINATOR})
    if (
        existing := existing_submission(Consult, submission_key, chain_id=chain.pk, created_by_id=actor.pk)
    ) is not None:
        return existing
    today = timezone.localdate()
    errors = Errors()
    _check_referrer(errors, chain, data.referrer_kind, data.referrer_organisation, data.referrer_name)
    if data.consulted_on > today:
        errors.add("consulted_on", _("The date of the consult cannot be in the future."))
    if not data.summary.strip():
        errors.add("summary", _("Summarise the referrer's question."))
    if data.youth_birth_date is not None:
        if data.youth_birth_date > today:
            errors.add("youth_birth_date", _("The birth date cannot be in the future."))
        elif age_on(data.youth_birth_date, data.consulted_on) < MINIMUM_AGE:
            errors.add(
                "youth_birth_date", _("This birth date makes the youth younger than %(n)d.") % {"n": MINIMUM_AGE}
            )
    if data.youth_age is not None and not (0 <= data.youth_age <= 99):
        errors.add("youth_age", _("Give an age between 0 and 99."))
    if data.outcome not in ConsultOutcome.values:
        errors.add("outcome", _("Choose the outcome of the consult."))
    if data.outcome == ConsultOutcome.DOES_NOT_FIT and not data.advice.strip():
        errors.add("advice", _("When the case does not fit, write the advice to the referrer."))
    errors.raise_if_any()
    criteria = check_eligibility(
        chain=chain,
        on=data.consulted_on,
        birth_date=data.youth_birth_date,
        age=data.youth_age,
        postal_code=data.youth_postal_code,
        has_offence=data.has_offence,
        has_multi_problem=data.has_multi_problem,
    )
    try:
        with transaction.atomic():
            consult = Consult.objects.create(
                chain=chain,
                created_by=actor,
                submission_key=submission_key,
                eligibility=[c.as_dict() for c in criteria],
                **data.__dict__,
            )
            log("consult.created", actor=actor, obj=consult, chain_id=chain.pk, details={"outcome": data.outcome})
    except IntegrityError:
        if (
            existing := existing_submission(Consult, submission_key, chain_id=chain.pk, created_by_id=actor.pk)
        ) is not None:
            return existing
        raise
    return consult


# --- Registration ---------------------------------------------------------------------------------


@dataclass
class YouthData:
    first_name: str
    last_name: str
    birth_date: date
    postal_code: str
    municipality: str
    gender: str = "u"
    strong_link: bool = False
    strong_link_explanation: str = ""


@dataclass
class GuardianData:
    name: str
    relation: str
    phone: str = ""
    email: str = ""


@dataclass
class OffenceData:
    offence_type: str
    committed_on: date | None = None
    description: str = ""
    in_group: bool = False


@dataclass
class RegistrationData:
    youth: YouthData
    referrer_kind: str
    referrer_name: str
    registered_on: date
    youth_informed_on: date | None
    multi_problem: str
    framework: str = "voluntary"
    referrer_organisation: Organisation | None = None
    referrer_contact: str = ""
    parents_informed_on: date | None = None
    concerns: str = ""
    offences: list[OffenceData] = field(default_factory=list)
    guardians: list[GuardianData] = field(default_factory=list)


def find_duplicates(*, chain: Chain, first_name: str, last_name: str, birth_date: date | None) -> list[Youth]:
    """Youths of the chain who are probably the same person: same birth date and a similar name."""
    if birth_date is None:
        return []
    wanted = search_key(first_name, last_name)
    swapped = search_key(last_name, first_name)
    first = search_key(first_name, "")
    last = search_key(last_name, "")
    candidates = Youth.objects.with_scope(chain=chain.pk).filter(birth_date=birth_date)
    matches = []
    for youth in candidates:
        if youth.search_name in (wanted, swapped):
            matches.append(youth)
            continue
        # Close variants: same last name and a first name that starts the same, or vice versa.
        other_first, other_last = search_key(youth.first_name, ""), search_key(youth.last_name, "")
        if (other_last == last and other_first[:3] == first[:3]) or (
            other_first == first and other_last[:4] == last[:4]
        ):
            matches.append(youth)
    return matches


def validate_registration(*, chain: Chain, data: RegistrationData) -> Errors:
    today = timezone.localdate()
    errors = Errors()
    y = data.youth
    if not y.first_name.strip():
        errors.add("youth.first_name", _("Give the youth's first name."))
    if not y.last_name.strip():
        errors.add("youth.last_name", _("Give the youth's last name."))
    if data.registered_on > today:
        errors.add("registered_on", _("The registration date cannot be in the future."))
    if y.birth_date > today:
        errors.add("youth.birth_date", _("The birth date cannot be in the future."))
    elif y.birth_date > data.registered_on:
        errors.add("registered_on", _("The registration date lies before the birth date."))
    elif age_on(y.birth_date, data.registered_on) < MINIMUM_AGE:
        errors.add("youth.birth_date", _("This birth date makes the youth younger than %(n)d.") % {"n": MINIMUM_AGE})
    if not (len(y.postal_code) == 4 and y.postal_code.isdigit()):
        errors.add("youth.postal_code", _("Give a Belgian postal code of four digits."))
    if not y.municipality.strip():
        errors.add("youth.municipality", _("Give the municipality where the youth lives."))
    outside = y.postal_code not in (chain.postal_codes or [])
    if outside and y.strong_link and not y.strong_link_explanation.strip():
        errors.add("youth.strong_link_explanation", _("Explain the youth's strong link with the region."))
    _check_referrer(errors, chain, data.referrer_kind, data.referrer_organisation, data.referrer_name)
    if data.framework not in ("voluntary", "imposed"):
        errors.add("framework", _("Choose the framework."))
    if data.youth_informed_on is None:
        errors.add("youth_informed_on", _("The youth must be informed before the registration: give the date."))
    elif data.youth_informed_on > data.registered_on:
        errors.add("youth_informed_on", _("The youth must be informed before the registration, not after it."))
    if y.birth_date <= data.registered_on and is_minor(y.birth_date, data.registered_on):
        if data.parents_informed_on is None:
            errors.add(
                "parents_informed_on", _("The youth is a minor: the parents must be informed too. Give the date.")
            )
        elif data.parents_informed_on > data.registered_on:
            errors.add("parents_informed_on", _("The parents must be informed before the registration, not after it."))
    if not data.offences and not data.concerns.strip():
        errors.add("offences", _("Record at least one offence or concern."))
    offence_codes = {d["code"] for d in chain.offence_types}
    for i, offence in enumerate(data.offences):
        if offence.offence_type not in offence_codes:
            errors.add(f"offences.{i}.offence_type", _("Choose a type of offence from the chain's list."))
        if offence.committed_on and offence.committed_on > today:
            errors.add(f"offences.{i}.committed_on", _("The date of an offence cannot be in the future."))
        elif offence.committed_on and offence.committed_on < y.birth_date:
            errors.add(f"offences.{i}.committed_on", _("The date of an offence lies before the birth date."))
    for i, guardian in enumerate(data.guardians):
        if not guardian.name.strip():
            errors.add(f"guardians.{i}.name", _("Give the name of the parent or guardian."))
        if guardian.relation not in GuardianRelation.values:
            errors.add(f"guardians.{i}.relation", _("Choose the relation to the youth."))
    if not data.multi_problem.strip():
        errors.add("multi_problem", _("Describe the complex multi-problem of the youth and/or family."))
    return errors


def eligibility_for(*, chain: Chain, data: RegistrationData):
    y = data.youth
    return check_eligibility(
        chain=chain,
        on=data.registered_on,
        birth_date=y.birth_date,
        postal_code=y.postal_code,
        strong_link=y.strong_link,
        strong_link_explanation=y.strong_link_explanation,
        has_offence=bool(data.offences),
        has_multi_problem=bool(data.multi_problem.strip()),
    )


def _next_reference(chain: Chain, year: int) -> str:
    prefix = (chain.slug.split("-")[0] or "K").upper()[:8]
    stem = f"{prefix}-{year}-"
    taken = Case.objects.with_scope(chain=chain.pk).filter(reference__startswith=stem).count()
    return f"{stem}{taken + 1:04d}"


def register_case(
    *,
    actor: User,
    chain: Chain,
    data: RegistrationData,
    override_reason: str = "",
    confirm_not_duplicate: bool = False,
    previous_case: Case | None = None,
    consult: Consult | None = None,
    submission_key: uuid.UUID | None = None,
) -> Case:
    """Register a case (aanmelding).

    Refused when a field is invalid, when a criterion fails without an operational coordinator's
    written override, when the youth already has an open case, or when the youth looks like a
    known one and the caller did not confirm otherwise. ``previous_case`` (a closed case of the
    same youth) makes it a new trajectory of that youth.
    """
    _require_role(actor, chain.pk, REGISTERING_ROLES)
    if (existing := existing_submission(Case, submission_key, chain_id=chain.pk, created_by_id=actor.pk)) is not None:
        return existing
    errors = validate_registration(chain=chain, data=data)
    errors.raise_if_any()
    criteria = eligibility_for(chain=chain, data=data)
    failing = failed(criteria)
    override_reason = override_reason.strip()
    if failing:
        if not override_reason:
            raise ValidationFailed(
                _(
                    "Not every criterion of the chain is met. Only an operational coordinator can register anyway, with a written reason."
                ),
                errors=[{"field": "eligibility", "message": c.message} for c in failing],
            )
        if Role.OPERATIONAL_COORDINATOR not in roles_in(actor, chain.pk):
            raise ValidationFailed(
                _("Only an operational coordinator can override the criteria."),
                errors=[
                    {
                        "field": "override_reason",
                        "message": _("Only an operational coordinator can override the criteria."),
                    }
                ],
            )
    youth = None
    if previous_case is not None:
        if previous_case.chain_id != chain.pk or not previous_case.is_closed:
            raise ValidationFailed(
                _("Only a closed case of this chain can be followed by a new trajectory."),
                errors=[
                    {
                        "field": "previous_case",
                        "message": _("Only a closed case of this chain can be followed by a new trajectory."),
                    }
                ],
            )
        require_unrestricted(previous_case)  # the new trajectory would rewrite the youth's details
        youth = previous_case.youth
        open_case = Case.objects.with_scope(chain=chain.pk).filter(youth=youth, status__in=OPEN_STATUSES).first()
        if open_case is not None:
            raise DuplicateSuspected(
                _("This youth already has an open case (%(ref)s). Add to that case instead of registering again.")
                % {"ref": open_case.reference},
                matches=[youth],
            )
    else:
        matches = find_duplicates(
            chain=chain,
            first_name=data.youth.first_name,
            last_name=data.youth.last_name,
            birth_date=data.youth.birth_date,
        )
        open_match = Case.objects.with_scope(chain=chain.pk).filter(youth__in=matches, status__in=OPEN_STATUSES).first()
        if open_match is not None:
            raise DuplicateSuspected(
                _("This youth already has an open case (%(ref)s). Add to that case instead of registering again.")
                % {"ref": open_match.reference},
                matches=matches,
            )
        if matches and not confirm_not_duplicate:
            raise DuplicateSuspected(
                _(
                    "A youth with the same birth date and a similar name is already known. Check whether it is the same person."
                ),
                matches=matches,
            )
    y = data.youth
    assert data.youth_informed_on is not None  # validate_registration refused it otherwise
    try:
        with transaction.atomic():
            Chain.objects.select_for_update().filter(pk=chain.pk).first()  # serialises case numbers
            if youth is None:
                youth = Youth.objects.create(
                    chain=chain,
                    first_name=y.first_name.strip(),
                    last_name=y.last_name.strip(),
                    birth_date=y.birth_date,
                    gender=y.gender,
                    postal_code=y.postal_code,
                    municipality=y.municipality.strip(),
                    strong_link=y.strong_link,
                    strong_link_explanation=y.strong_link_explanation.strip(),
                    search_name=search_key(y.first_name, y.last_name),
                )
            else:
                # A new trajectory keeps the youth and refreshes where they live now.
                youth.postal_code, youth.municipality = y.postal_code, y.municipality.strip()
                youth.strong_link, youth.strong_link_explanation = y.strong_link, y.strong_link_explanation.strip()
                youth.save(
                    update_fields=[
                        "postal_code",
                        "municipality",
                        "strong_link",
                        "strong_link_explanation",
                        "updated_at",
                    ]
                )
                # The youth's earlier trajectories show where they live too: their pages render afresh.
                for earlier in Case.objects.with_scope(chain=chain.pk).filter(youth=youth).values_list("pk", flat=True):
                    chain_version.bump(chain.pk, earlier)
            case = Case.objects.create(
                chain=chain,
                youth=youth,
                reference=_next_reference(chain, data.registered_on.year),
                framework=data.framework,
                referrer_kind=data.referrer_kind,
                referrer_organisation=data.referrer_organisation,
                referrer_name=data.referrer_name.strip(),
                referrer_contact=data.referrer_contact.strip(),
                registered_on=data.registered_on,
                youth_informed_on=data.youth_informed_on,
                parents_informed_on=data.parents_informed_on,
                concerns=data.concerns.strip(),
                multi_problem=data.multi_problem.strip(),
                eligibility=[c.as_dict() for c in criteria],
                eligibility_override_reason=override_reason if failing else "",
                eligibility_overridden_by=actor if failing else None,
                consult=consult,
                previous_case=previous_case,
                created_by=actor,
                submission_key=submission_key,
            )
            Offence.objects.bulk_create(
                [
                    Offence(
                        case=case,
                        offence_type=o.offence_type,
                        committed_on=o.committed_on,
                        description=o.description.strip(),
                        in_group=o.in_group,
                    )
                    for o in data.offences
                ]
            )
            Guardian.objects.bulk_create(
                [
                    Guardian(case=case, name=g.name.strip(), relation=g.relation, phone=g.phone, email=g.email)
                    for g in data.guardians
                ]
            )
            from ketenregie.cases.models import CaseTransition

            CaseTransition.objects.create(
                case=case,
                from_status="",
                to_status=CaseStatus.REGISTERED,
                actor=actor,
                reason=override_reason if failing else "",
                occurred_at=timezone.now(),
            )
            log(
                "case.registered",
                actor=actor,
                obj=case,
                chain_id=chain.pk,
                case_id=case.pk,
                details={
                    "overridden": [c.code for c in failing],
                    "previous_case": str(previous_case.pk) if previous_case else None,
                },
            )
    except IntegrityError:
        if (
            existing := existing_submission(Case, submission_key, chain_id=chain.pk, created_by_id=actor.pk)
        ) is not None:
            return existing
        raise
    return case


# --- Intake -----------------------------------------------------------------------------------------


def save_intake(
    *,
    actor: User,
    case: Case,
    version: int | None,
    intake_on: date | None,
    domains: dict[str, dict[str, str]],
    glm_needs: list[str],
    youth_words: str,
    reflection_until: date | None = None,
) -> Intake:
    """Save the intake form. A stale ``version`` is refused so no one's answers are overwritten."""
    require_work(actor, case)
    if case.status not in (
        CaseStatus.REGISTERED,
        CaseStatus.INTAKE,
        CaseStatus.AWAITING_OT,
        CaseStatus.INCLUDED,
        CaseStatus.ACTIVE,
    ):
        raise GuardFailed(_("The intake can no longer be changed for this case."))
    today = timezone.localdate()
    errors = Errors()
    if intake_on and intake_on > today:
        errors.add("intake_on", _("The intake conversation cannot be in the future."))
    if intake_on and intake_on < case.registered_on:
        errors.add("intake_on", _("The intake conversation cannot be before the registration."))
    if reflection_until and reflection_until < today:
        errors.add("reflection_until", _("Reflection time must end today or later."))
    known_domains = {d["code"] for d in case.chain.life_domains}
    for code in domains:
        if code not in known_domains:
            errors.add(f"domains.{code}", _("Unknown life domain."))
    known_needs = {d["code"] for d in case.chain.glm_needs}
    for need in glm_needs:
        if need not in known_needs:
            errors.add("glm_needs", _("Unknown GLM need: %(need)s.") % {"need": need})
    errors.raise_if_any()
    clean_domains = {
        code: {
            k: (v or "").strip()
            for k, v in answers.items()
            if k in ("situation", "risks", "strengths") and (v or "").strip()
        }
        for code, answers in domains.items()
    }
    clean_domains = {k: v for k, v in clean_domains.items() if v}
    with transaction.atomic():
        intake = Intake.objects.with_scope(chain=case.chain_id).select_for_update().filter(case=case).first()
        if intake is None:
            if version not in (None, 0):
                raise StaleVersion(_("Someone else changed the intake in the meantime. Reload the page and try again."))
            intake = Intake(case=case, version=0)
        elif version is not None and version != intake.version:
            raise StaleVersion(_("Someone else changed the intake in the meantime. Reload the page and try again."))
        changed = sorted(
            name
            for name, new in (
                ("intake_on", intake_on),
                ("domains", clean_domains),
                ("glm_needs", glm_needs),
                ("youth_words", youth_words.strip()),
            )
            if getattr(intake, name, None) != new
        )
        intake.intake_on = intake_on
        intake.domains = clean_domains
        intake.glm_needs = list(dict.fromkeys(glm_needs))
        intake.youth_words = youth_words.strip()
        intake.version += 1
        intake.updated_by = actor
        intake.save()
        if case.reflection_until != reflection_until:
            Case.objects.with_scope(chain=case.chain_id).filter(pk=case.pk).update(reflection_until=reflection_until)
            case.reflection_until = reflection_until
            changed.append("reflection_until")
        log(
            "intake.saved",
            actor=actor,
            obj=intake,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"fields": changed},
        )
    return intake


# --- Start and assignment -------------------------------------------------------------------------


def assign_case_director(*, actor: User, case: Case, case_director: User, expected_version: int | None = None) -> Case:
    """Give the case to a case director of the same chain (an operational coordinator's decision)."""
    _require_role(actor, case.chain_id, {Role.OPERATIONAL_COORDINATOR})
    require_open(case)
    if Role.CASE_DIRECTOR not in roles_in(case_director, case.chain_id):
        raise ValidationFailed(
            _("This person is not a case director of the chain."),
            errors=[{"field": "case_director", "message": _("This person is not a case director of the chain.")}],
        )
    with transaction.atomic():
        locked = Case.objects.with_scope(chain=case.chain_id).select_for_update().get(pk=case.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion(_("Someone else changed this case in the meantime. Reload the page and try again."))
        previous = locked.case_director_id
        locked.case_director = case_director
        locked.version += 1
        locked.save(update_fields=["case_director", "version", "updated_at"])
        log(
            "case.assigned",
            actor=actor,
            obj=locked,
            chain_id=locked.chain_id,
            case_id=locked.pk,
            details={"from": str(previous) if previous else None, "to": str(case_director.pk)},
        )
    return locked


def record_start(
    *,
    actor: User,
    case: Case,
    referrer_informed_on: date | None,
    youth_informed_of_decision_on: date | None,
    trusted_person_name: str = "",
    trusted_person_contact: str = "",
    expected_version: int | None = None,
) -> Case:
    """Record how the coordinator informed referrer and youth, and the youth's trusted person."""
    require_work(actor, case)
    today = timezone.localdate()
    errors = Errors()
    for name, value in (
        ("referrer_informed_on", referrer_informed_on),
        ("youth_informed_of_decision_on", youth_informed_of_decision_on),
    ):
        if value and value > today:
            errors.add(name, _("This date cannot be in the future."))
        if value and value < case.registered_on:
            errors.add(name, _("This date cannot be before the registration."))
    errors.raise_if_any()
    with transaction.atomic():
        locked = Case.objects.with_scope(chain=case.chain_id).select_for_update().get(pk=case.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion(_("Someone else changed this case in the meantime. Reload the page and try again."))
        locked.referrer_informed_on = referrer_informed_on
        locked.youth_informed_of_decision_on = youth_informed_of_decision_on
        locked.trusted_person_name = trusted_person_name.strip()
        locked.trusted_person_contact = trusted_person_contact.strip()
        locked.version += 1
        locked.save(
            update_fields=[
                "referrer_informed_on",
                "youth_informed_of_decision_on",
                "trusted_person_name",
                "trusted_person_contact",
                "version",
                "updated_at",
            ]
        )
        log(
            "case.changed",
            actor=actor,
            obj=locked,
            chain_id=locked.chain_id,
            case_id=locked.pk,
            details={"step": "start"},
        )
    return locked


def flag_for_ot(*, actor: User, case: Case, reason: str) -> Case:
    """Bring an included or active case back to the OT (a stop, or a major event)."""
    require_work(actor, case)
    if case.status not in (CaseStatus.INCLUDED, CaseStatus.ACTIVE):
        raise GuardFailed(
            _(
                "Only an included or active case can be brought back to the OT; new registrations reach it through intake."
            )
        )
    if not reason.strip():
        raise ValidationFailed(_("Give a reason."), errors=[{"field": "reason", "message": _("Give a reason.")}])
    with transaction.atomic():
        Case.objects.with_scope(chain=case.chain_id).filter(pk=case.pk).update(
            flagged_for_ot=True, flag_reason=reason.strip()[:300], updated_at=timezone.now()
        )
        case.flagged_for_ot, case.flag_reason = True, reason.strip()[:300]
        log(
            "case.changed",
            actor=actor,
            obj=case,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"step": "flag_for_ot"},
        )
    _add_to_next_meeting(case)
    return case


# --- Legal basis and OT meetings ------------------------------------------------------------------


def add_legal_basis(
    *,
    actor: User,
    chain: Chain,
    kind: str,
    reference: str,
    dated: date,
    valid_from: date,
    valid_until: date | None,
    purpose: str,
    modalities: str,
    organisations: list[Organisation],
    authorised_functions: str,
) -> LegalBasis:
    _require_role(actor, chain.pk, {Role.OPERATIONAL_COORDINATOR})
    errors = Errors()
    if not reference.strip():
        errors.add("reference", _("Give the reference of the decree or the prosecutor's consent."))
    if valid_until and valid_until < valid_from:
        errors.add("valid_until", _("The end of validity lies before its start."))
    if not purpose.strip():
        errors.add("purpose", _("Describe the purpose of the case conferences."))
    if not organisations:
        errors.add("organisations", _("Choose the organisations authorised to take part."))
    errors.raise_if_any()
    with transaction.atomic():
        basis = LegalBasis.objects.create(
            chain=chain,
            kind=kind,
            reference=reference.strip(),
            dated=dated,
            valid_from=valid_from,
            valid_until=valid_until,
            purpose=purpose.strip(),
            modalities=modalities.strip(),
            authorised_functions=authorised_functions.strip(),
        )
        basis.authorised_organisations.set(organisations)
        log("legal_basis.changed", actor=actor, obj=basis, chain_id=chain.pk)
    return basis


def agenda_candidates(chain: Chain) -> list[tuple[Case, str]]:
    """Cases for a new OT agenda: those awaiting the OT, and those flagged back to it."""
    from ketenregie.privacy.queries import restricted_case_ids

    # A restricted case is not shared with the OT until the restriction is lifted.
    cases = Case.objects.with_scope(chain=chain.pk).exclude(pk__in=restricted_case_ids())
    # An item left undecided at a meeting that was held rolls over to the next agenda.
    undecided = (
        OTAgendaItem.objects.with_scope(chain=chain.pk)
        .filter(decision="", meeting__status=OTMeetingStatus.PLANNED)
        .values("case_id")
    )
    parked_later = (
        OTAgendaItem.objects.with_scope(chain=chain.pk)
        .filter(decision=OTDecision.PARK, park_until__gt=timezone.localdate())
        .values("case_id")
    )
    waiting = cases.filter(status=CaseStatus.AWAITING_OT).exclude(pk__in=undecided).exclude(pk__in=parked_later)
    flagged = (
        cases.filter(flagged_for_ot=True, status__in=[CaseStatus.INCLUDED, CaseStatus.ACTIVE])
        .exclude(pk__in=undecided)
        .exclude(pk__in=parked_later)
    )
    # First registered, first discussed; the same day in the order they were entered (a stable order).
    order = ("registered_on", "created_at", "pk")
    return [(c, OTItemKind.NEW) for c in waiting.order_by(*order)] + [
        (c, OTItemKind.FLAGGED) for c in flagged.order_by(*order)
    ]


def plan_ot_meeting(
    *,
    actor: User,
    chain: Chain,
    starts_at: datetime,
    location: str,
    legal_basis: LegalBasis,
    attendees: list[User],
    submission_key: uuid.UUID | None = None,
) -> OTMeeting:
    """Plan an OT meeting; its agenda is generated from the cases awaiting or flagged for the OT."""
    _require_role(actor, chain.pk, {Role.OPERATIONAL_COORDINATOR})
    if (
        existing := existing_submission(OTMeeting, submission_key, chain_id=chain.pk, created_by_id=actor.pk)
    ) is not None:
        return existing
    errors = Errors()
    if legal_basis.chain_id != chain.pk:
        errors.add("legal_basis", _("This legal basis belongs to another chain."))
    elif not legal_basis.is_valid_on(timezone.localtime(starts_at).date()):
        errors.add(
            "legal_basis",
            _("The legal basis is not valid on the date of the meeting: a case conference cannot be held without one."),
        )
    authorised = set(legal_basis.authorised_organisations.values_list("pk", flat=True))
    for person in attendees:
        org_ids = {m.organisation_id for m in person.memberships.filter(chain=chain, is_active=True)}
        roles = roles_in(person, chain.pk)
        if not roles:
            errors.add("attendees", _("%(name)s has no role in this chain.") % {"name": person})
        elif (org_ids - {None}) and not (org_ids & authorised):
            errors.add(
                "attendees",
                _("%(name)s does not belong to an organisation authorised by the legal basis.") % {"name": person},
            )
    # A meeting may be entered afterwards (recording a past meeting), but not absurdly far back.
    if starts_at < timezone.now() - timedelta(days=366):
        errors.add("starts_at", _("This date lies more than a year in the past."))
    errors.raise_if_any()
    with transaction.atomic():
        meeting = OTMeeting.objects.create(
            chain=chain,
            starts_at=starts_at,
            location=location.strip(),
            legal_basis=legal_basis,
            created_by=actor,
            submission_key=submission_key,
        )
        for person in attendees:
            org = (
                person.memberships.filter(chain=chain, organisation__isnull=False)
                .values_list("organisation", flat=True)
                .first()
            )
            OTAttendance.objects.create(meeting=meeting, user=person, organisation_id=org)
        for position, (case, kind) in enumerate(agenda_candidates(chain)):
            OTAgendaItem.objects.create(
                meeting=meeting,
                case=case,
                kind=kind,
                position=position,
                flag_reason=case.flag_reason if kind == OTItemKind.FLAGGED else "",
            )
        log(
            "ot.meeting_created",
            actor=actor,
            obj=meeting,
            chain_id=chain.pk,
            details={"items": meeting.items.count(), "attendees": len(attendees)},
        )
    return meeting


def _add_to_next_meeting(case: Case) -> OTAgendaItem | None:
    meeting = (
        OTMeeting.objects.with_scope(chain=case.chain_id)
        .filter(status=OTMeetingStatus.PLANNED, starts_at__gte=timezone.now())
        .order_by("starts_at")
        .first()
    )
    if meeting is None or meeting.items.filter(case=case).exists() or restriction_message(case) is not None:
        return None
    kind = OTItemKind.NEW if case.status == CaseStatus.AWAITING_OT else OTItemKind.FLAGGED
    item = OTAgendaItem.objects.create(
        meeting=meeting,
        case=case,
        kind=kind,
        position=meeting.items.count(),
        flag_reason=case.flag_reason if kind == OTItemKind.FLAGGED else "",
    )
    log("ot.item_added", actor=None, obj=item, chain_id=case.chain_id, case_id=case.pk)
    return item


def refresh_agenda(*, actor: User, meeting: OTMeeting) -> int:
    """Add cases that became ready since the meeting was planned. Returns how many were added."""
    _require_role(actor, meeting.chain_id, {Role.OPERATIONAL_COORDINATOR})
    if meeting.status != OTMeetingStatus.PLANNED:
        raise GuardFailed(_("The meeting was held; its agenda is closed."))
    added = 0
    with transaction.atomic():
        present = set(meeting.items.values_list("case_id", flat=True))
        for case, kind in agenda_candidates(meeting.chain):
            if case.pk in present:
                continue
            OTAgendaItem.objects.create(
                meeting=meeting,
                case=case,
                kind=kind,
                position=len(present) + added,
                flag_reason=case.flag_reason if kind == OTItemKind.FLAGGED else "",
            )
            added += 1
            log("ot.item_added", actor=actor, obj=meeting, chain_id=meeting.chain_id, case_id=case.pk)
    return added


def acknowledge_confidentiality(*, actor: User, meeting: OTMeeting, attendee: User) -> OTAttendance:
    """An attendee is present and acknowledges confidentiality for this meeting (once)."""
    if actor.pk != attendee.pk:
        _require_role(actor, meeting.chain_id, {Role.OPERATIONAL_COORDINATOR})
    attendance = OTAttendance.objects.with_scope(chain=meeting.chain_id).filter(meeting=meeting, user=attendee).first()
    if attendance is None:
        raise ValidationFailed(
            _("This person is not on the attendance list of the meeting."),
            errors=[{"field": "attendee", "message": _("This person is not on the attendance list of the meeting.")}],
        )
    if attendance.confidentiality_acknowledged_at is None:
        with transaction.atomic():
            attendance.present = True
            attendance.confidentiality_acknowledged_at = timezone.now()
            attendance.save(update_fields=["present", "confidentiality_acknowledged_at"])
            log(
                "ot.attendance",
                actor=actor,
                obj=meeting,
                chain_id=meeting.chain_id,
                details={"attendee": str(attendee.pk)},
            )
    return attendance


@dataclass
class DecisionData:
    decision: str
    version: int | None = None
    chosen_case_director: User | None = None
    guideline: str = ""
    subsidiarity: str = ""
    advice: str = ""
    recontact_on: date | None = None
    park_until: date | None = None
    notes: str = ""


def decide_ot_item(*, actor: User, item: OTAgendaItem, data: DecisionData) -> OTAgendaItem:
    """Record the OT's decision on one agenda item and take the case to its next step.

    Two coordinators deciding the same item at once: the item's version makes the second one
    fail with StaleVersion instead of overwriting the first decision.
    """
    meeting = item.meeting
    _require_role(actor, meeting.chain_id, {Role.OPERATIONAL_COORDINATOR})
    require_open(item.case)
    allowed = NEW_ITEM_DECISIONS if item.kind == OTItemKind.NEW else FLAGGED_ITEM_DECISIONS
    errors = Errors()
    if data.decision not in allowed:
        errors.add("decision", _("Choose one of the decisions possible for this agenda item."))
    today = timezone.localdate()
    if data.decision == OTDecision.INCLUDE:
        if data.chosen_case_director is None:
            errors.add("chosen_case_director", _("Choose the case director."))
        elif Role.CASE_DIRECTOR not in roles_in(data.chosen_case_director, meeting.chain_id):
            errors.add("chosen_case_director", _("This person is not a case director of the chain."))
        if not data.subsidiarity.strip():
            errors.add("subsidiarity", _("Motivate why no regular structure can take the case (subsidiarity)."))
    if data.decision == OTDecision.NOT_INCLUDE:
        if not data.advice.strip():
            errors.add("advice", _("Write the advice to the referrer: which other way can take up this case?"))
        if data.recontact_on and data.recontact_on <= today:
            errors.add("recontact_on", _("The re-contact date must lie in the future."))
    if data.decision == OTDecision.PARK and (data.park_until is None or data.park_until <= today):
        errors.add("park_until", _("Give the date on which the OT looks at the case again (in the future)."))
    errors.raise_if_any()
    with transaction.atomic():
        locked = OTAgendaItem.objects.with_scope(chain=meeting.chain_id).select_for_update().filter(pk=item.pk).first()
        if locked is None:
            raise StaleVersion(_("This case is no longer on the agenda (it went back to intake). Reload the page."))
        if data.version is not None and locked.version != data.version:
            raise StaleVersion(
                _("Another coordinator recorded a decision on this item in the meantime. Reload the page to see it.")
            )
        if locked.decision and locked.decision != OTDecision.PARK:
            raise StaleVersion(_("A decision was already recorded for this item. Reload the page to see it."))
        locked.decision = data.decision
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.chosen_case_director = data.chosen_case_director if data.decision == OTDecision.INCLUDE else None
        locked.guideline, locked.subsidiarity = data.guideline.strip(), data.subsidiarity.strip()
        locked.advice, locked.notes = data.advice.strip(), data.notes.strip()
        locked.recontact_on = data.recontact_on if data.decision == OTDecision.NOT_INCLUDE else None
        locked.park_until = data.park_until if data.decision == OTDecision.PARK else None
        locked.version += 1
        locked.save()
        case = Case.objects.with_scope(chain=meeting.chain_id).get(pk=locked.case_id)
        if data.decision == OTDecision.INCLUDE:
            workflow.transition_case(
                case,
                CaseStatus.INCLUDED,
                actor=actor,
                ot_item=locked,
                reason=_("OT decision of %(date)s")
                % {"date": date_format(timezone.localtime(meeting.starts_at).date(), "j F Y")},
            )
            case = Case.objects.with_scope(chain=meeting.chain_id).get(pk=case.pk)
            case.case_director = data.chosen_case_director
            case.first_guideline = locked.guideline
            case.version += 1
            case.save(update_fields=["case_director", "first_guideline", "version", "updated_at"])
            log(
                "case.assigned",
                actor=actor,
                obj=case,
                chain_id=case.chain_id,
                case_id=case.pk,
                details={"to": str(data.chosen_case_director.pk) if data.chosen_case_director else None},
            )
        elif data.decision == OTDecision.NOT_INCLUDE:
            workflow.transition_case(case, CaseStatus.NOT_INCLUDED, actor=actor, ot_item=locked, reason=locked.advice)
        elif item.kind == OTItemKind.FLAGGED and data.decision in (
            OTDecision.CONTINUE,
            OTDecision.STOP,
            OTDecision.OTHER,
        ):
            Case.objects.with_scope(chain=meeting.chain_id).filter(pk=case.pk).update(flagged_for_ot=False)
        log(
            "ot.decided",
            actor=actor,
            obj=locked,
            chain_id=meeting.chain_id,
            case_id=locked.case_id,
            details={"decision": data.decision},
        )
    return locked


def mark_meeting_held(*, actor: User, meeting: OTMeeting, notes: str = "") -> OTMeeting:
    _require_role(actor, meeting.chain_id, {Role.OPERATIONAL_COORDINATOR})
    errors = Errors()
    if not meeting.legal_basis.is_valid_on(timezone.localtime(meeting.starts_at).date()):
        errors.add("legal_basis", _("The legal basis is not valid on the date of the meeting."))
    if not meeting.attendances.filter(confidentiality_acknowledged_at__isnull=False).exists():
        errors.add("attendees", _("Record who was present: each attendee acknowledges confidentiality."))
    if timezone.localtime(meeting.starts_at).date() > timezone.localdate():
        errors.add("starts_at", _("A meeting can be recorded as held only on or after its date."))
    errors.raise_if_any()
    with transaction.atomic():
        meeting.status = OTMeetingStatus.HELD
        meeting.notes = notes.strip()
        meeting.save(update_fields=["status", "notes", "updated_at"])
        log("ot.meeting_held", actor=actor, obj=meeting, chain_id=meeting.chain_id)
    return meeting


# --- Transitions with their step-specific data -------------------------------------------------------


def close_case(
    *,
    actor: User,
    case: Case,
    closure_reason: str,
    closure_summary: dict[str, str],
    expected_version: int | None = None,
) -> Case:
    known = {d["code"] for d in case.chain.life_domains} | {"general"}
    unknown = [code for code in closure_summary if code not in known]
    if unknown:
        raise ValidationFailed(
            _("Unknown life domain."),
            errors=[{"field": f"closure_summary.{c}", "message": _("Unknown life domain.")} for c in unknown],
        )
    return workflow.transition_case(
        case,
        CaseStatus.CLOSED,
        actor=actor,
        expected_version=expected_version,
        closure_reason=closure_reason,
        closure_summary=closure_summary,
    )


def activate_case(
    *, actor: User, case: Case, first_conversation_on: date | None, expected_version: int | None = None
) -> Case:
    return workflow.transition_case(
        case,
        CaseStatus.ACTIVE,
        actor=actor,
        expected_version=expected_version,
        first_conversation_on=first_conversation_on,
    )
