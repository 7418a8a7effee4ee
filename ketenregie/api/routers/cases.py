"""Cases: registration, the scoped list, the dossier, workflow steps, assignment, start and intake."""

from __future__ import annotations

import uuid
from typing import Annotated

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from pydantic import Field

from ketenregie.api.routers import shared
from ketenregie.api.schemas import (
    PROBLEM_CONTENT,
    AssignmentIn,
    CaseDetail,
    CaseList,
    CaseSearchIn,
    CaseState,
    IntakeIn,
    IntakeOut,
    RegistrationIn,
    Slug,
    StartIn,
    TransitionIn,
    responses,
)
from ketenregie.audit.domain import log
from ketenregie.cases import domain, queries, workflow
from ketenregie.cases.eligibility import age_on, is_minor
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case, Intake
from ketenregie.cases.queries import for_read_page
from ketenregie.common.errors import NotAllowed, StaleVersion
from ketenregie.consent import policy

router = Router(tags=["cases"])

CASE_ID = "/cases/{uuid:case_id}"


# --- Registration and list ------------------------------------------------------------------------


@router.post(
    "/cases",
    response=responses({201: CaseState}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Register a case (aanmelding)",
    description=(
        "Any coordinator, case director, OT member or partner of the chain may register. Field errors answer 422; "
        "failing criteria answer 422 with `eligibility` errors unless an operational coordinator gives "
        "`override_reason`; a youth who looks known answers 409 until `confirm_not_duplicate` is true. "
        "Retrying with the same `submission_key` answers the case registered the first time."
    ),
)
def register_case(request: HttpRequest, payload: RegistrationIn):
    user = request.user
    chain = shared.chain_for(user, payload.chain, domain.REGISTERING_ROLES)
    consult = None
    if payload.consult is not None:
        consult = policy.visible_consults(user).filter(chain=chain, pk=payload.consult).first()
        if consult is None:
            raise shared.field_error("consult", _("There is no consult with this id in the chain."))
    previous_case = None
    if payload.previous_case is not None:
        previous_case = (
            policy.visible_cases(user).filter(chain=chain, pk=payload.previous_case).select_related("youth").first()
        )
        if previous_case is None:
            raise shared.field_error("previous_case", _("There is no case with this id in the chain."))
    data = domain.RegistrationData(
        youth=domain.YouthData(**payload.youth.model_dump()),
        referrer_kind=payload.referrer_kind,
        referrer_organisation=shared.organisation(payload.referrer_organisation, field="referrer_organisation"),
        referrer_name=payload.referrer_name,
        referrer_contact=payload.referrer_contact,
        registered_on=payload.registered_on,
        youth_informed_on=payload.youth_informed_on,
        parents_informed_on=payload.parents_informed_on,
        concerns=payload.concerns,
        multi_problem=payload.multi_problem,
        framework=payload.framework,
        offences=[domain.OffenceData(**o.model_dump()) for o in payload.offences],
        guardians=[domain.GuardianData(**g.model_dump()) for g in payload.guardians],
    )
    case = domain.register_case(
        actor=user,
        chain=chain,
        data=data,
        override_reason=payload.override_reason,
        confirm_not_duplicate=payload.confirm_not_duplicate,
        previous_case=previous_case,
        consult=consult,
        submission_key=payload.submission_key,
    )
    if case.created_by_id != user.pk or case.chain_id != chain.pk:
        # The domain answers a replayed key with what it made the first time; that must be ours.
        raise StaleVersion(
            _("This submission key was used for another registration. Send a new key."),
            errors=[{"field": "submission_key", "message": _("This key was used already.")}],
        )
    return Status(201, shared.case_state(case, user))


@router.get(
    "/cases",
    response=responses({200: CaseList}),
    openapi_extra=PROBLEM_CONTENT,
    summary="The cases you may open",
    description=(
        "Scoped by the access policy; minimal fields. To search by name or case number, use "
        "`POST /cases/search`: a name does not belong in a URL."
    ),
)
def list_cases(
    request: HttpRequest,
    status: CaseStatus | None = None,
    chain: Slug | None = None,
    limit: Annotated[int, Field(ge=1, le=100)] = 50,
    offset: Annotated[int, Field(ge=0, le=shared.MAX_OFFSET)] = 0,
):
    if "q" in request.GET:
        # Refused, not ignored: an unfiltered answer would look like the search's (SECURITY.md L9).
        raise shared.field_error("q", _("Search with POST /api/v1/cases/search: a name does not belong in a URL."))
    return _case_page(request.user, status=status, chain=chain, q="", limit=limit, offset=offset)


@router.post(
    "/cases/search",
    response=responses({200: CaseList}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Search the cases you may open",
    description=(
        "The list of `GET /cases`, narrowed to the cases whose youth's name holds every word of `q` "
        "(accents and case ignored) or whose case number holds `q`. Posted, so the search term stays out of "
        "URLs and access logs."
    ),
)
def search_cases(request: HttpRequest, payload: CaseSearchIn):
    return _case_page(
        request.user,
        status=payload.status,
        chain=payload.chain,
        q=payload.q.strip(),
        limit=payload.limit,
        offset=payload.offset,
    )


def _case_page(user, *, status: CaseStatus | None, chain: str | None, q: str, limit: int, offset: int) -> dict:
    """One page of the cases ``user`` may see (the access policy), filtered; one audit row."""
    cases = policy.visible_cases(user)
    if status:
        cases = cases.filter(status=status)
    if chain:
        cases = cases.filter(chain__slug=chain)
    if q:
        cases = cases.filter(queries.search_filter(q))
    count = cases.count()
    rows = list(
        cases.select_related("youth", "chain", "case_director").order_by("-registered_on", "-created_at", "id")[
            offset : offset + limit
        ]
    )
    # Which filters were used, never their values: a search term may be a name.
    used = [name for name, value in (("status", status), ("q", q), ("chain", chain)) if value]
    log("case.listed", actor=user, details={"channel": "api", "filters": used, "results": len(rows)})
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "items": [
            {
                "id": c.pk,
                "reference": c.reference,
                "chain": c.chain.slug,
                "youth_name": c.youth.full_name,
                "status": c.status,
                "case_director": shared.user_ref(c.case_director),
                "registered_on": c.registered_on,
            }
            for c in rows
        ],
    }


# --- The dossier ------------------------------------------------------------------------------------


@router.get(
    CASE_ID,
    response=responses({200: CaseDetail}),
    openapi_extra=PROBLEM_CONTENT,
    summary="One case, with the steps you may take now",
    description=(
        "404 when the case does not exist or lies outside your scope. Offences, guardians and other content "
        "are null for roles that do not see a dossier's content (OT members see the summary only)."
    ),
)
def get_case(request: HttpRequest, case_id: uuid.UUID):
    user = request.user
    # A read: the case's restriction (the refused steps of ``allowed_transitions``) comes with it.
    case = policy.get_visible_case(user, case_id, for_read_page(user))
    content = policy.can_view_case_content(user, case)
    # Field rules (AC3): what of the case this viewer may see, as on the case page.
    fields = policy.visible_fields(user, case)
    details = policy.YOUTH_DETAILS in fields
    referrer = policy.REFERRER in fields
    log(
        "case.viewed",
        actor=user,
        obj=case,
        chain_id=case.chain_id,
        case_id=case.pk,
        details={"view": "api.case_detail", "content": content},
    )
    today = timezone.localdate()
    youth = case.youth
    transitions = case.transitions.select_related("actor") if policy.TIMELINE in fields else []
    return {
        **shared.case_state(case, user),
        "chain": shared.chain_ref(case.chain),
        "framework": case.framework if policy.SUMMARY in fields else "",
        "youth": {
            "first_name": youth.first_name,
            "last_name": youth.last_name,
            "birth_date": youth.birth_date if details else None,
            "age": age_on(youth.birth_date, today),
            "is_minor": is_minor(youth.birth_date, today),
            "gender": youth.gender if details else "",
            "postal_code": youth.postal_code if details else "",
            "municipality": youth.municipality if details else "",
            "strong_link": youth.strong_link if details else False,
            "strong_link_explanation": youth.strong_link_explanation if details else "",
        },
        "referrer": {
            "kind": case.referrer_kind if referrer else "",
            "organisation": shared.org_ref(case.referrer_organisation) if referrer else None,
            "name": case.referrer_name if referrer else "",
            "contact": case.referrer_contact if policy.REFERRER_CONTACT in fields else "",
        },
        "dates": {
            name: getattr(case, name)
            for name in (
                "registered_on",
                "youth_informed_on",
                "parents_informed_on",
                "reflection_until",
                "referrer_informed_on",
                "youth_informed_of_decision_on",
                "first_conversation_on",
                "recontact_on",
                "closed_on",
            )
        },
        "eligibility": case.eligibility if policy.ELIGIBILITY in fields else [],
        "closure_reason": case.closure_reason,
        "flagged_for_ot": case.flagged_for_ot if policy.OT_DECISIONS in fields else False,
        "offences": [
            {
                "id": o.pk,
                "offence_type": o.offence_type,
                "committed_on": o.committed_on,
                "description": o.description,
                "in_group": o.in_group,
            }
            for o in case.offences.all()
        ]
        if content
        else None,
        "guardians": [
            {"id": g.pk, "name": g.name, "relation": g.relation, "phone": g.phone, "email": g.email}
            for g in case.guardians.all()
        ]
        if content
        else None,
        "content": {
            "concerns": case.concerns,
            "multi_problem": case.multi_problem,
            "first_guideline": case.first_guideline,
            "not_included_advice": case.not_included_advice,
            "trusted_person_name": case.trusted_person_name,
            "trusted_person_contact": case.trusted_person_contact,
            "closure_summary": case.closure_summary or {},
            "eligibility_override_reason": case.eligibility_override_reason,
        }
        if content
        else None,
        "transitions": [
            {
                "from_status": t.from_status,
                "to_status": t.to_status,
                "actor": shared.user_ref(t.actor),
                "occurred_at": t.occurred_at,
                "reason": t.reason if content else None,
            }
            for t in transitions
        ],
    }


# --- Steps ------------------------------------------------------------------------------------------


@router.post(
    CASE_ID + "/transitions",
    response=responses({200: CaseState}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Take a workflow step",
    description=(
        "Moves the case to `to`. A refused step answers 409 with every failing guard's message in `detail` and "
        "`errors`; a `version` other than the current one answers 409 too. Inclusion and non-inclusion of a case "
        "awaiting the OT are OT decisions (`POST /ot-meetings/{id}/decisions`), not steps. Closing needs "
        "`closure_reason` and `closure_summary`; starting the trajectory (`active`) needs `first_conversation_on`."
    ),
)
def take_step(request: HttpRequest, case_id: uuid.UUID, payload: TransitionIn):
    user = request.user
    case = policy.get_visible_case(user, case_id)
    if payload.to == CaseStatus.CLOSED:
        case = domain.close_case(
            actor=user,
            case=case,
            closure_reason=payload.closure_reason or "",
            closure_summary=dict(payload.closure_summary),
            expected_version=payload.version,
        )
    elif payload.to == CaseStatus.ACTIVE:
        case = domain.activate_case(
            actor=user,
            case=case,
            first_conversation_on=payload.first_conversation_on,
            expected_version=payload.version,
        )
    else:
        case = workflow.transition_case(
            case, payload.to, actor=user, expected_version=payload.version, reason=payload.reason
        )
    return shared.case_state(case, user)


@router.put(
    CASE_ID + "/assignment",
    response=responses({200: CaseState}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Assign the case director (operational coordinators)",
)
def assign(request: HttpRequest, case_id: uuid.UUID, payload: AssignmentIn):
    user = request.user
    case = policy.get_visible_case(user, case_id)
    director = shared.member_of(case.chain, payload.case_director, field="case_director")
    case = domain.assign_case_director(actor=user, case=case, case_director=director, expected_version=payload.version)
    return shared.case_state(case, user)


@router.put(
    CASE_ID + "/start",
    response=responses({200: CaseState}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Record the start: referrer and youth informed of the decision, trusted person",
    description="What the step to `active` needs besides the first conversation. Coordinators and the case's own case director.",
)
def record_start(request: HttpRequest, case_id: uuid.UUID, payload: StartIn):
    user = request.user
    case = policy.get_visible_case(user, case_id)
    case = domain.record_start(
        actor=user,
        case=case,
        referrer_informed_on=payload.referrer_informed_on,
        youth_informed_of_decision_on=payload.youth_informed_of_decision_on,
        trusted_person_name=payload.trusted_person_name,
        trusted_person_contact=payload.trusted_person_contact,
        expected_version=payload.version,
    )
    return shared.case_state(case, user)


# --- Intake -----------------------------------------------------------------------------------------


def _intake_out(intake: Intake | None, case: Case) -> dict:
    return {
        "version": intake.version if intake else 0,
        "intake_on": intake.intake_on if intake else None,
        "domains": (intake.domains or {}) if intake else {},
        "glm_needs": intake.glm_needs if intake else [],
        "youth_words": intake.youth_words if intake else "",
        "reflection_until": case.reflection_until,
    }


@router.get(
    CASE_ID + "/intake",
    response=responses({200: IntakeOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="The intake form (version 0 while nothing was saved)",
)
def get_intake(request: HttpRequest, case_id: uuid.UUID):
    user = request.user
    case = policy.get_visible_case(user, case_id)
    if not policy.can_view_shared_content(user, case):
        raise NotAllowed(_("Your role does not allow you to read the intake."))
    log("case.viewed", actor=user, obj=case, chain_id=case.chain_id, case_id=case.pk, details={"view": "api.intake"})
    out = _intake_out(Intake.objects.filter(case=case).first(), case)
    allowed = policy.allowed_intake_domains(user, case)
    if allowed is not None:
        # A partner: the consented, non-sensitive life domains only; the rest of the form stays out.
        out.update(
            domains={code: answers for code, answers in out["domains"].items() if code in allowed},
            glm_needs=[],
            youth_words="",
            reflection_until=None,
        )
    return out


@router.put(
    CASE_ID + "/intake",
    response=responses({200: IntakeOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Save the intake form",
    description="Send the `version` you read; a different current version answers 409 so no answers are overwritten.",
)
def save_intake(request: HttpRequest, case_id: uuid.UUID, payload: IntakeIn):
    user = request.user
    case = policy.get_visible_case(user, case_id)
    intake = domain.save_intake(
        actor=user,
        case=case,
        version=payload.version,
        intake_on=payload.intake_on,
        domains={code: answers.model_dump() for code, answers in payload.domains.items()},
        glm_needs=list(payload.glm_needs),
        youth_words=payload.youth_words,
        reflection_until=payload.reflection_until,
    )
    return _intake_out(intake, case)
