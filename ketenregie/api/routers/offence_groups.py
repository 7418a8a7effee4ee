"""Offence groups (groepsfeiten): several youths involved in the same facts, their cases linked.

Thin: parse, ask the policy, call network.domain, answer. You read a group when you coordinate its
chain or may read the content of one of its cases. Of the other cases in it you see who they are
only when the policy lets you open them; the others are "another youth", as on the network page.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from ketenregie.accounts.enums import Role
from ketenregie.api.routers import shared
from ketenregie.api.routers.content import case_for
from ketenregie.api.schemas import PROBLEM_CONTENT, Day, In, LongText, Slug, Text, responses
from ketenregie.audit.domain import log
from ketenregie.cases.models import Case
from ketenregie.chains.models import Chain
from ketenregie.common.errors import DomainError
from ketenregie.consent import policy
from ketenregie.network import domain
from ketenregie.network.enums import GroupPosition, Influence
from ketenregie.network.models import OffenceGroup, OffenceGroupMember

router = Router(tags=["offence groups"])

CREATING_ROLES = {Role.OPERATIONAL_COORDINATOR, Role.CASE_DIRECTOR}


# --- Schemas -----------------------------------------------------------------------------------------


class GroupLinkIn(In):
    case: uuid.UUID = Field(description="A case of the group's chain that you work on.")
    position: GroupPosition = GroupPosition.UNKNOWN
    influence: Influence = Influence.UNKNOWN


class OffenceGroupIn(In):
    chain: Slug | None = Field(None, description="Slug of the chain; may be left out when you work in one chain only.")
    name: Text(150) = Field(description="Something the team recognises, not the youths' names.")
    facts_on: Day | None = Field(None, description="The date of the facts; not in the future.")
    dynamics: LongText = Field("", description="How the group works: who sets the tone, who follows.")
    members: Annotated[list[GroupLinkIn], Field(min_length=1, max_length=50)] = Field(
        description="The cases of the youths involved, at least the one you create the group for."
    )


class GroupCase(Schema):
    id: uuid.UUID
    reference: str
    youth_name: str


class OffenceGroupMemberOut(Schema):
    case: GroupCase | None = Field(description="Null for a case you may not open: another youth.")
    position: str
    influence: str


class OffenceGroupOut(Schema):
    id: uuid.UUID
    chain: str
    name: str
    facts_on: date | None
    dynamics: str
    created_at: datetime
    members: list[OffenceGroupMemberOut]


# --- Helpers ----------------------------------------------------------------------------------------


def _readable(request: HttpRequest, groups) -> list[dict]:
    """The groups this user may read, each with its members as the policy lets the user see them."""
    user = request.user
    coordinator_of = set(policy.coordinator_chain_ids(user))
    visible = policy.visible_cases(user)
    found = list(
        groups.filter(Q(chain_id__in=coordinator_of) | Q(members__case__in=visible))
        .distinct()
        .select_related("chain")
        .order_by("-facts_on", "name", "id")
    )
    links = list(OffenceGroupMember.objects.filter(group__in=found).order_by("case__reference"))
    seen = {c.pk: c for c in visible.filter(pk__in={link.case_id for link in links}).select_related("youth")}
    readable = {pk for pk, c in seen.items() if policy.can_view_case_content(user, c)}
    result = []
    for group in found:
        own = [link for link in links if link.group_id == group.pk]
        if group.chain_id not in coordinator_of and not any(link.case_id in readable for link in own):
            continue  # e.g. an OT member who sees a case on the agenda, not its network
        result.append(_present(group, own, seen))
    return result


def _present(group: OffenceGroup, links: list[OffenceGroupMember], seen: dict[Any, Case]) -> dict:
    def who(case: Case | None) -> dict | None:
        if case is None:
            return None
        return {"id": case.pk, "reference": case.reference, "youth_name": case.youth.full_name}

    return {
        "id": group.pk,
        "chain": group.chain.slug,
        "name": group.name,
        "facts_on": group.facts_on,
        "dynamics": group.dynamics,
        "created_at": group.created_at,
        "members": [
            {"case": who(seen.get(link.case_id)), "position": link.position, "influence": link.influence}
            for link in links
        ],
    }


def _link(request: HttpRequest, group: OffenceGroup, payload: GroupLinkIn, *, field: str) -> None:
    where = f"{field}." if field else ""
    case = policy.visible_cases(request.user).filter(chain_id=group.chain_id, pk=payload.case).first()
    if case is None:
        raise shared.field_error(f"{where}case", _("There is no case with this id in the chain."))
    try:
        domain.link_case_to_group(
            actor=request.user, group=group, case=case, position=payload.position, influence=payload.influence
        )
    except DomainError as exc:
        for error in exc.errors:
            error["field"] = f"{where}{error['field']}"
        raise


def _group_read_by(request: HttpRequest, group_id: uuid.UUID) -> dict:
    found = _readable(request, OffenceGroup.objects.filter(pk=group_id))
    if not found:
        raise Http404
    return found[0]


# --- Endpoints ------------------------------------------------------------------------------------------


@router.get(
    "/offence-groups",
    response=responses({200: list[OffenceGroupOut]}),
    openapi_extra=PROBLEM_CONTENT,
    summary="The offence groups you may read",
    description=(
        "A coordinator reads every group of the chain; a case director the groups of their own cases. Give "
        "`case` for the groups of one case (404 when you may not read its content)."
    ),
)
def list_groups(request: HttpRequest, case: uuid.UUID | None = None, chain: Slug | None = None):
    groups = OffenceGroup.objects.all()
    if chain:
        groups = groups.filter(chain__slug=chain)
    if case is not None:
        groups = groups.filter(members__case=case_for(request, case, view="api.offence_groups"))
    result = _readable(request, groups)
    if case is None:
        log("offence_group.listed", actor=request.user, details={"channel": "api", "results": len(result)})
    return result


@router.post(
    "/offence-groups",
    response=responses({201: OffenceGroupOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Record an offence group with the cases involved",
    description=(
        "For operational coordinators (any case of the chain) and case directors (their own cases). The group "
        "and its links are recorded together, or nothing is."
    ),
)
def create_group(request: HttpRequest, payload: OffenceGroupIn):
    chain: Chain = shared.chain_for(request.user, payload.chain, CREATING_ROLES)
    with transaction.atomic():
        group = domain.create_offence_group(
            actor=request.user, chain=chain, name=payload.name, facts_on=payload.facts_on, dynamics=payload.dynamics
        )
        for i, link in enumerate(payload.members):
            _link(request, group, link, field=f"members.{i}")
    return Status(201, _group_read_by(request, group.pk))


@router.post(
    "/offence-groups/{uuid:group_id}/members",
    response=responses({200: OffenceGroupOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Link a case to an offence group, or change its position and influence there",
    description="404 when you may not read the group.",
)
def link_case(request: HttpRequest, group_id: uuid.UUID, payload: GroupLinkIn):
    _group_read_by(request, group_id)
    group = OffenceGroup.objects.get(pk=group_id)
    _link(request, group, payload, field="")
    return _group_read_by(request, group_id)
