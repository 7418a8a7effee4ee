"""The youth's network: the people around the youth, added, changed and ended by network.domain.

Thin: parse, look the case up through the policy, call the domain, answer. Only those who may read
a case's content see its network (an OT member gets the 404 of a missing case, as on the web page);
only those who may work on it change it. Ending someone's part never leaves open actions without
someone responsible: the domain refuses (409) until ``reassign_to`` names who takes them over.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field, StrictBool, field_validator

from ketenregie.accounts.models import User
from ketenregie.api.routers import shared
from ketenregie.api.routers.content import case_for, object_of_case
from ketenregie.api.schemas import PROBLEM_CONTENT, Code, Day, Email, In, LongText, Ref, Text, responses
from ketenregie.cases.models import Case
from ketenregie.network import domain
from ketenregie.network.enums import MemberKind
from ketenregie.network.models import NetworkMember
from ketenregie.network.queries import NetworkShare, network_share, with_open_actions

router = Router(tags=["network"])

CASE_ID = "/cases/{uuid:case_id}"
MEMBER_ID = "/network/{uuid:member_id}"


# --- Schemas -----------------------------------------------------------------------------------------


class NetworkMemberIn(In):
    kind: MemberKind = Field(description="`formal` (a professional) or `informal` (family, friends, a coach …).")
    name: Text(150)
    role: Text(100) = Field(description="The role or relation to the youth: mother, football coach, GP …")
    organisation: uuid.UUID | None = Field(None, description="A professional's organisation.")
    user: uuid.UUID | None = Field(None, description="A professional's partner account in the chain, if any.")
    phone: Text(40) = ""
    email: Email = ""
    is_support_figure: StrictBool = False
    is_trusted_person: StrictBool = Field(
        False, description="There is one trusted person at a time: choosing someone replaces the previous one."
    )
    youth_agreed: StrictBool = False
    life_domains: Annotated[list[Code], Field(max_length=30)] = Field(
        default_factory=list, description="Codes of the chain's life domains this person works on."
    )
    since: Day | None = Field(None, description="Today when left out.")
    until: Day | None = None
    notes: LongText = ""


# A PATCH names only what changes; these fields may be left out but never be null.
NOT_NULL = ("kind", "name", "role", "phone", "email", "is_support_figure", "is_trusted_person", "youth_agreed")


class NetworkMemberPatch(In):
    """The fields to change; the others keep their value. `organisation`, `user`, `since`, `until` may be null."""

    kind: MemberKind | None = None
    name: Text(150) | None = None
    role: Text(100) | None = None
    organisation: uuid.UUID | None = None
    user: uuid.UUID | None = None
    phone: Text(40) | None = None
    email: Email | None = None
    is_support_figure: StrictBool | None = None
    is_trusted_person: StrictBool | None = None
    youth_agreed: StrictBool | None = None
    life_domains: Annotated[list[Code], Field(max_length=30)] | None = None
    since: Day | None = None
    until: Day | None = None
    notes: LongText | None = None

    @field_validator(*NOT_NULL, "life_domains", "notes")
    @classmethod
    def _given_means_a_value(cls, value: Any) -> Any:
        # Runs only for fields the client sent: leaving a field out keeps it, null is no value.
        if value is None:
            raise ValueError(_("Leave the field out to keep its value; it cannot be null."))
        return value


class NetworkMemberOut(Schema):
    id: uuid.UUID
    kind: str
    name: str
    role: str
    organisation: Ref | None
    user: Ref | None
    phone: str
    email: str
    is_support_figure: bool
    is_trusted_person: bool
    youth_agreed: bool
    life_domains: list[str]
    since: date | None
    until: date | None
    open_actions: int = Field(description="Open plan actions this person is responsible for.")
    notes: str


# --- Helpers ----------------------------------------------------------------------------------------


def _present(member: NetworkMember, share: NetworkShare | None = None) -> dict:
    """``member`` as the API shows it; with ``share`` only what the viewer may see of them (a change
    is answered to who may work on the case: everything)."""
    if share is not None:
        return {
            **_present(member),
            "phone": share.phone_of(member),
            "email": share.email_of(member),
            "life_domains": share.domains_of(member),
            "notes": share.notes_of(member),
        }
    return {
        "id": member.pk,
        "kind": member.kind,
        "name": member.name,
        "role": member.role,
        "organisation": shared.org_ref(member.organisation),
        "user": shared.user_ref(member.user),
        "phone": member.phone,
        "email": member.email,
        "is_support_figure": member.is_support_figure,
        "is_trusted_person": member.is_trusted_person,
        "youth_agreed": member.youth_agreed,
        "life_domains": list(member.life_domains or []),
        "since": member.since,
        "until": member.until,
        "open_actions": getattr(member, "open_actions", 0),
        "notes": member.notes,
    }


def _reread(member: NetworkMember) -> dict:
    return _present(with_open_actions(NetworkMember.objects.filter(pk=member.pk)).get())


def _organisation(pk: uuid.UUID | None, *, keep: Any = None):
    # A member keeps an organisation that was deactivated since; a new choice must be active.
    if pk is not None and keep is not None and pk == keep.pk:
        return keep
    return shared.organisation(pk, field="organisation")


def _account(case: Case, pk: uuid.UUID | None, *, keep: User | None = None) -> User | None:
    if pk is not None and keep is not None and pk == keep.pk:
        return keep
    return shared.member_of(case.chain, pk, field="user")


# --- Endpoints ------------------------------------------------------------------------------------------


@router.get(
    f"{CASE_ID}/network",
    response=responses({200: list[NetworkMemberOut]}),
    openapi_extra=PROBLEM_CONTENT,
    summary="The youth's network: current and earlier members",
    description=(
        "For who may read the case's content: every member, earlier ones too. A partner with whom the case is "
        "shared gets the current members, with the consented life domains only, without the informal members' "
        "phone and e-mail and without notes. Anyone else gets a 404."
    ),
)
def list_network(request: HttpRequest, case_id: uuid.UUID):
    case = case_for(request, case_id, view="api.network", shared=True)
    share = network_share(request.user, case, timezone.localdate())
    return [_present(m, share) for m in share.members]


@router.post(
    f"{CASE_ID}/network",
    response=responses({201: NetworkMemberOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Add someone to the youth's network",
    description="A professional needs `organisation`; a trusted person needs `youth_agreed`. A closed case is a 409.",
)
def add_member(request: HttpRequest, case_id: uuid.UUID, payload: NetworkMemberIn):
    case = case_for(request, case_id, view="api.network", work=True, audit=False)
    data = domain.MemberData(
        **payload.model_dump(exclude={"organisation", "user"}),
        organisation=_organisation(payload.organisation),
        user=_account(case, payload.user),
    )
    member = domain.add_network_member(actor=request.user, case=case, data=data)
    return Status(201, _reread(member))


@router.patch(
    MEMBER_ID,
    response=responses({200: NetworkMemberOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Change a network member",
    description="Send only the fields that change. To end someone's part in the network use `DELETE`.",
)
def change_member(request: HttpRequest, member_id: uuid.UUID, payload: NetworkMemberPatch):
    member = object_of_case(
        request,
        NetworkMember.objects.select_related("organisation", "user"),
        member_id,
        view="api.network",
        work=True,
        audit=False,
    )
    changes = payload.model_dump(exclude_unset=True)
    data = domain.MemberData(
        kind=changes.get("kind", member.kind),
        name=changes.get("name", member.name),
        role=changes.get("role", member.role),
        organisation=(
            _organisation(changes["organisation"], keep=member.organisation)
            if "organisation" in changes
            else member.organisation
        ),
        user=_account(member.case, changes["user"], keep=member.user) if "user" in changes else member.user,
        phone=changes.get("phone", member.phone),
        email=changes.get("email", member.email),
        is_support_figure=changes.get("is_support_figure", member.is_support_figure),
        is_trusted_person=changes.get("is_trusted_person", member.is_trusted_person),
        youth_agreed=changes.get("youth_agreed", member.youth_agreed),
        life_domains=list(changes.get("life_domains", member.life_domains or [])),
        since=changes.get("since", member.since),
        until=changes.get("until", member.until),
        notes=changes.get("notes", member.notes),
    )
    member = domain.update_network_member(actor=request.user, member=member, data=data)
    return _reread(member)


@router.delete(
    MEMBER_ID,
    response=responses({200: NetworkMemberOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="End someone's part in the network",
    description=(
        "The member stays in the history with `until` set to `on` (today when left out). Someone responsible for "
        "open plan actions is only ended together with `reassign_to`, a current member who takes those actions "
        "over; without it the answer is 409 and nothing changes. Someone who already left is answered as they are."
    ),
)
def end_member(request: HttpRequest, member_id: uuid.UUID, on: Day | None = None, reassign_to: uuid.UUID | None = None):
    member = object_of_case(request, NetworkMember.objects.all(), member_id, view="api.network", work=True, audit=False)
    if member.until is not None and member.until <= timezone.localdate():
        # Already gone, as the web page says too: a repeated DELETE does not rewrite the history.
        return _reread(member)
    successor = None
    if reassign_to is not None:
        successor = NetworkMember.objects.filter(case=member.case, pk=reassign_to).first()
        if successor is None:
            raise shared.field_error("reassign_to", _("Choose someone else from this youth's current network."))
    member = domain.end_network_member(actor=request.user, member=member, on=on, reassign_to=successor)
    return _reread(member)
