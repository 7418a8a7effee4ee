"""Consults: a referrer's question before any registration (operational coordinators)."""

from __future__ import annotations

import uuid
from typing import Annotated

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from pydantic import Field

from ketenregie.accounts.enums import Role
from ketenregie.api.routers import shared
from ketenregie.api.schemas import PROBLEM_CONTENT, ConsultIn, ConsultList, ConsultOut, Slug, responses
from ketenregie.audit.domain import log
from ketenregie.cases import domain
from ketenregie.cases.models import Consult
from ketenregie.common.errors import StaleVersion
from ketenregie.consent import policy

router = Router(tags=["consults"])


def _present(consult: Consult, user) -> dict:
    return {
        "id": consult.pk,
        "chain": shared.chain_ref(consult.chain),
        "referrer_kind": consult.referrer_kind,
        "referrer_organisation": shared.org_ref(consult.referrer_organisation),
        "referrer_name": consult.referrer_name,
        "referrer_contact": consult.referrer_contact,
        "channel": consult.channel,
        "consulted_on": consult.consulted_on,
        "summary": consult.summary,
        "outcome": consult.outcome,
        "advice": consult.advice,
        "youth_initials": consult.youth_initials,
        "youth_age": consult.youth_age,
        "youth_birth_date": consult.youth_birth_date,
        "youth_postal_code": consult.youth_postal_code,
        "has_offence": consult.has_offence,
        "has_multi_problem": consult.has_multi_problem,
        "eligibility": consult.eligibility,
        "cases": list(policy.visible_cases(user).filter(consult=consult).values_list("pk", flat=True)),
    }


@router.post(
    "/consults",
    response=responses({201: ConsultOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Record a consult (operational coordinators)",
    description=(
        "`chain` names a chain where you are an operational coordinator; any other value is a 422 field error. "
        "The answer holds the eligibility check on what is known."
    ),
)
def record_consult(request: HttpRequest, payload: ConsultIn):
    user = request.user
    chain = shared.chain_for(user, payload.chain, {Role.OPERATIONAL_COORDINATOR})
    data = domain.ConsultData(
        referrer_kind=payload.referrer_kind,
        referrer_name=payload.referrer_name,
        channel=payload.channel,
        consulted_on=payload.consulted_on,
        summary=payload.summary,
        outcome=payload.outcome,
        referrer_organisation=shared.organisation(payload.referrer_organisation, field="referrer_organisation"),
        referrer_contact=payload.referrer_contact,
        advice=payload.advice,
        youth_initials=payload.youth_initials,
        youth_age=payload.youth_age,
        youth_birth_date=payload.youth_birth_date,
        youth_postal_code=payload.youth_postal_code,
        has_offence=payload.has_offence,
        has_multi_problem=payload.has_multi_problem,
    )
    consult = domain.record_consult(actor=user, chain=chain, data=data, submission_key=payload.submission_key)
    if consult.chain_id != chain.pk or consult.created_by_id != user.pk:
        # A replayed key answers what was recorded the first time; that must be ours.
        raise StaleVersion(
            _("This submission key was used for another consult. Send a new key."),
            errors=[{"field": "submission_key", "message": _("This key was used already.")}],
        )
    return Status(201, _present(consult, user))


@router.get(
    "/consults",
    response=responses({200: ConsultList}),
    openapi_extra=PROBLEM_CONTENT,
    summary="The consults of the chains you coordinate",
    description="An unknown `chain`, or one you do not coordinate, gives an empty list.",
)
def list_consults(
    request: HttpRequest,
    chain: Slug | None = None,
    limit: Annotated[int, Field(ge=1, le=100)] = 50,
    offset: Annotated[int, Field(ge=0, le=shared.MAX_OFFSET)] = 0,
):
    user = request.user
    consults = policy.visible_consults(user)
    if chain:
        consults = consults.filter(chain__slug=chain)
    count = consults.count()
    rows = list(
        consults.select_related("chain").order_by("-consulted_on", "-created_at", "id")[offset : offset + limit]
    )
    log(
        "consult.listed",
        actor=user,
        details={"channel": "api", "filters": ["chain"] if chain else [], "results": len(rows)},
    )
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "items": [
            {
                "id": c.pk,
                "chain": c.chain.slug,
                "consulted_on": c.consulted_on,
                "channel": c.channel,
                "referrer_kind": c.referrer_kind,
                "outcome": c.outcome,
                "youth_initials": c.youth_initials,
            }
            for c in rows
        ],
    }


@router.get(
    "/consults/{uuid:consult_id}",
    response=responses({200: ConsultOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="One consult",
)
def get_consult(request: HttpRequest, consult_id: uuid.UUID):
    user = request.user
    consult = (
        policy.visible_consults(user).select_related("chain", "referrer_organisation").filter(pk=consult_id).first()
    )
    if consult is None:
        raise Http404
    log("consult.viewed", actor=user, obj=consult, chain_id=consult.chain_id, details={"view": "api.consult_detail"})
    return _present(consult, user)
