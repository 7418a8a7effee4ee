"""The plan of approach of a case, read and saved as one whole document with its version.

Thin: parse, look the case up through the policy, call ``plans.domain.save_plan``, answer. The
domain checks everything — life domains and GLM needs of the chain, responsible people in the
youth's current network, a closed case (409) — and refuses a save that did not start from the
current version (409), so no one's changes are overwritten unseen.

A partner reads the plan as on the plan page: only the life domains the youth consented to share
with their organisation (``policy.allowed_life_domains``, selected by ``plans.domain.plan_domains``
for both), never the earlier versions; they do not save it (their action statuses go through
``PATCH /actions/{id}``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field, StrictBool

from ketenregie.api.routers import shared
from ketenregie.api.routers.content import case_for
from ketenregie.api.schemas import PROBLEM_CONTENT, Code, Day, In, LongText, Ref, Version, responses
from ketenregie.cases.models import Case
from ketenregie.consent import policy
from ketenregie.plans import domain
from ketenregie.plans.enums import ActionStatus, ProposedBy
from ketenregie.plans.models import Plan

router = Router(tags=["plan"])

CASE_ID = "/cases/{uuid:case_id}"


# --- Schemas -----------------------------------------------------------------------------------------


class PlanActionIn(In):
    id: uuid.UUID | None = Field(None, description="The action's id when it exists; left out for a new action.")
    what: LongText
    responsible_member: uuid.UUID | None = Field(None, description="Someone from the youth's current network.")
    responsible_organisation: uuid.UUID | None = Field(None, description="Or a partner organisation of the chain.")
    due_on: Day | None = None
    status: ActionStatus = ActionStatus.PLANNED
    note: LongText = ""


class PlanGoalIn(In):
    id: uuid.UUID | None = Field(None, description="The goal's id when it exists; left out for a new goal.")
    text: LongText = Field(description="The goal, in the youth's own words.")
    proposed_by: ProposedBy = ProposedBy.YOUTH
    intended_result: LongText = ""
    youth_agreed: StrictBool = False
    actions: Annotated[list[PlanActionIn], Field(max_length=100)] = []


class PlanDomainIn(In):
    domain: Code = Field(description="A life-domain code of the chain; each at most once.")
    situation: LongText = ""
    strengths: LongText = ""
    risks: LongText = ""
    glm_needs: Annotated[list[Code], Field(max_length=30)] = []
    goals: Annotated[list[PlanGoalIn], Field(max_length=50)] = []


class PlanIn(In):
    version: Version = Field(description="The version you read (0 for a case without a plan yet).")
    domains: Annotated[list[PlanDomainIn], Field(max_length=30)] = Field(
        description="The whole plan: a life domain, goal or action left out is removed (evaluated actions are stopped)."
    )


class PlanActionOut(Schema):
    id: uuid.UUID
    what: str
    responsible_member: Ref | None
    responsible_organisation: Ref | None
    due_on: date | None
    status: ActionStatus
    note: str
    source_meeting: uuid.UUID | None = Field(description="The network meeting where this was agreed, if any.")


class PlanGoalOut(Schema):
    id: uuid.UUID
    text: str
    proposed_by: str
    intended_result: str
    youth_agreed: bool
    actions: list[PlanActionOut]


class PlanDomainOut(Schema):
    domain: str
    label: str
    situation: str
    strengths: str
    risks: str
    glm_needs: list[str]
    goals: list[PlanGoalOut]


class PlanOut(Schema):
    version: int = Field(description="Send it back with `PUT`; 0 while nothing was saved.")
    updated_at: datetime | None
    updated_by: Ref | None
    domains: list[PlanDomainOut]


# --- Helpers ----------------------------------------------------------------------------------------


def _present(case: Case, allowed: set[str] | None = None) -> dict:
    """The plan with its domains, goals and actions in a constant number of queries.

    ``allowed``: the viewer's ``policy.allowed_life_domains`` (None: every domain), as on the plan page.
    """
    plan = Plan.objects.filter(case=case).select_related("updated_by").first()
    if plan is None:
        return {"version": 0, "updated_at": None, "updated_by": None, "domains": []}
    domains = domain.plan_domains(plan, allowed)
    return {
        "version": plan.version,
        "updated_at": plan.updated_at,
        "updated_by": shared.user_ref(plan.updated_by),
        "domains": [
            {
                "domain": d.domain,
                "label": case.chain.life_domain_label(d.domain),
                "situation": d.situation,
                "strengths": d.strengths,
                "risks": d.risks,
                "glm_needs": list(d.glm_needs or []),
                "goals": [
                    {
                        "id": g.pk,
                        "text": g.text,
                        "proposed_by": g.proposed_by,
                        "intended_result": g.intended_result,
                        "youth_agreed": g.youth_agreed,
                        "actions": [
                            {
                                "id": a.pk,
                                "what": a.what,
                                "responsible_member": (
                                    {"id": a.responsible_member.pk, "name": a.responsible_member.name}
                                    if a.responsible_member
                                    else None
                                ),
                                "responsible_organisation": shared.org_ref(a.responsible_organisation),
                                "due_on": a.due_on,
                                "status": a.status,
                                "note": a.note,
                                "source_meeting": a.source_meeting_id,
                            }
                            for a in g.actions.all()
                        ],
                    }
                    for g in d.goals.all()
                ],
            }
            for d in domains
        ],
    }


def _document(payload: PlanIn) -> list[domain.DomainInput]:
    return [
        domain.DomainInput(
            domain=d.domain,
            situation=d.situation,
            strengths=d.strengths,
            risks=d.risks,
            glm_needs=list(d.glm_needs),
            goals=[
                domain.GoalInput(
                    id=g.id,
                    text=g.text,
                    proposed_by=g.proposed_by,
                    intended_result=g.intended_result,
                    youth_agreed=g.youth_agreed,
                    actions=[domain.ActionInput(**a.model_dump()) for a in g.actions],
                )
                for g in d.goals
            ],
        )
        for d in payload.domains
    ]


# --- Endpoints ------------------------------------------------------------------------------------------


@router.get(
    f"{CASE_ID}/plan",
    response=responses({200: PlanOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="The plan of approach, whole, with its version",
    description=(
        "For the chain's operational coordinators and the case's own case director; a case you may not read "
        "the content of is a 404. A case without a plan answers version 0 and no domains. A partner in the "
        "youth's network, under the youth's valid consent for their organisation, reads the consented life "
        "domains only (the others are left out whole); without that consent the case is a 404."
    ),
)
def get_plan(request: HttpRequest, case_id: uuid.UUID):
    case = case_for(request, case_id, view="api.plan", shared=True)
    return _present(case, policy.allowed_life_domains(request.user, case))


@router.put(
    f"{CASE_ID}/plan",
    response=responses({200: PlanOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Save the whole plan of approach",
    description=(
        "Send the whole document with the `version` you read. When someone saved in between the answer is 409 "
        "and nothing is written: read the plan again and apply your changes to it. Open actions need someone "
        "from the youth's current network or a partner organisation (422 naming the field). A closed case is "
        "read-only (409)."
    ),
)
def save_plan(request: HttpRequest, case_id: uuid.UUID, payload: PlanIn):
    case = case_for(request, case_id, view="api.plan", work=True, audit=False)
    domain.save_plan(actor=request.user, case=case, version=payload.version, domains=_document(payload))
    return _present(case)
