"""Follow-up: contacts and major events of a case, the current user's signals and acknowledging one.

Thin: parse, ask the policy, call followup.domain, answer. A case outside your scope is a 404; a
case you see but may not work on (an OT member's) is a 403; refusals of the domain (a contact in
the future, a closed case) are problem+json with field errors.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import BaseModel, Field, StrictBool

from ketenregie.api.routers import shared
from ketenregie.api.routers.content import case_for
from ketenregie.api.schemas import PROBLEM_CONTENT, Code, Day, In, LongText, Moment, Ref, Text, responses
from ketenregie.audit.domain import log
from ketenregie.common.errors import StaleVersion
from ketenregie.consent import policy
from ketenregie.followup import domain, domain_notify, queries
from ketenregie.followup.enums import ContactChannel, ContactWith, EventKind, SignalKind
from ketenregie.followup.models import FollowUpContact, MajorEvent
from ketenregie.network.models import NetworkMember

router = Router(tags=["follow-up"])

CASE_ID = "/cases/{uuid:case_id}"


# --- Schemas -----------------------------------------------------------------------------------------


class ContactIn(In):
    contact_at: Moment = Field(
        description="When, with its offset, e.g. `2026-03-29T23:30:00+02:00`. Not in the future."
    )
    with_whom: ContactWith = ContactWith.YOUTH
    network_member: uuid.UUID | None = Field(
        None, description="Who in the youth's network; when `with_whom` is `network_member`."
    )
    channel: ContactChannel = ContactChannel.FACE_TO_FACE
    reached: StrictBool = True
    note: LongText = ""
    life_domains: Annotated[list[Code], Field(max_length=30)] = Field(
        default_factory=list, description="Codes of the chain's life domains talked about."
    )
    positive_development: StrictBool = False
    submission_key: uuid.UUID | None = Field(
        None, description="A key of your choice: retrying with it logs one contact."
    )


class ContactOut(Schema):
    id: uuid.UUID
    contact_at: datetime
    with_whom: str
    network_member: Ref | None
    channel: str
    reached: bool
    note: str
    life_domains: list[str]
    positive_development: bool
    created_by: Ref | None


class EventIn(In):
    kind: EventKind
    occurred_on: Day
    description: LongText = ""


class EventOut(Schema):
    id: uuid.UUID
    kind: str
    kind_label: str
    occurred_on: date
    description: str
    flagged_for_ot: bool = Field(description="True when the event put the case on the next OT agenda.")
    created_at: datetime
    created_by: Ref | None


# Plain pydantic models, not ninja's Schema: a coordinator's list holds signals by the thousand, built
# as dicts, and Schema reads every field of every item through its getter for ORM objects.
class SignalCase(BaseModel):
    id: uuid.UUID
    reference: str
    youth_name: str


class SignalOut(BaseModel):
    key: str = Field(description="Names the kind, the case and the cause; acknowledge the signal by it.")
    kind: str
    kind_label: str
    severity: int = Field(description="1: act now, 2: this week, 3: coming up.")
    case: SignalCase
    reason: str
    action: str = Field(description="What clears the signal.")
    url: str = Field(description="The page of the web UI where that is done.")
    since: date | None


class SignalList(BaseModel):
    count: int = Field(description="All your current signals of this kind and case, over every page.")
    limit: int
    offset: int
    items: list[SignalOut]


class AcknowledgeIn(In):
    note: Text(500) = ""


class AcknowledgeOut(Schema):
    key: str
    quiet_until: date = Field(
        description="The signal stays away until this day and returns after it if its cause persists."
    )


# --- Helpers ----------------------------------------------------------------------------------------


def _contact(c: FollowUpContact) -> dict:
    return {
        "id": c.pk,
        "contact_at": c.contact_at,
        "with_whom": c.with_whom,
        "network_member": {"id": c.network_member.pk, "name": c.network_member.name} if c.network_member else None,
        "channel": c.channel,
        "reached": c.reached,
        "note": c.note,
        "life_domains": list(c.life_domains or []),
        "positive_development": c.positive_development,
        "created_by": shared.user_ref(c.created_by),
    }


def _event(e: MajorEvent) -> dict:
    return {
        "id": e.pk,
        "kind": e.kind,
        "kind_label": str(EventKind(e.kind).label),
        "occurred_on": e.occurred_on,
        "description": e.description,
        "flagged_for_ot": e.flagged_for_ot,
        "created_at": e.created_at,
        "created_by": shared.user_ref(e.created_by),
    }


def _signal(s) -> dict:
    return {
        "key": s.key,
        "kind": s.kind,
        "kind_label": s.kind_label,
        "severity": s.severity,
        "case": {"id": s.case_id, "reference": s.case_reference, "youth_name": s.youth_name},
        "reason": s.reason,
        "action": s.action,
        "url": queries.action_url(s),
        "since": s.since,
    }


# --- Contacts -------------------------------------------------------------------------------------------


@router.get(
    f"{CASE_ID}/contacts",
    response=responses({200: list[ContactOut]}),
    openapi_extra=PROBLEM_CONTENT,
    summary="The follow-up contacts of a case, newest first",
    description=(
        "For the chain's operational coordinators and the case's own case director. "
        "Page through a long history with `limit` and `offset`."
    ),
)
def list_contacts(
    request: HttpRequest,
    case_id: uuid.UUID,
    limit: Annotated[int, Field(ge=1, le=500)] = 100,
    offset: Annotated[int, Field(ge=0, le=shared.MAX_OFFSET)] = 0,
):
    case = case_for(request, case_id, view="api.contacts", work=True, audit=False)
    contacts = list(
        FollowUpContact.objects.filter(case=case).select_related("network_member", "created_by")[
            offset : offset + limit
        ]
    )
    log(
        "case.viewed",
        actor=request.user,
        obj=case,
        chain_id=case.chain_id,
        case_id=case.pk,
        details={"view": "api.contacts", "results": len(contacts)},
    )
    return [_contact(c) for c in contacts]


@router.post(
    f"{CASE_ID}/contacts",
    response=responses({201: ContactOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Log a follow-up contact",
    description=(
        "A contact cannot be in the future, before the registration, or on a closed case (409). "
        "Retrying with the same `submission_key` answers the contact logged the first time."
    ),
)
def record_contact(request: HttpRequest, case_id: uuid.UUID, payload: ContactIn):
    case = case_for(request, case_id, view="api.contacts", work=True, audit=False)
    member = None
    if payload.network_member is not None:
        member = NetworkMember.objects.filter(case=case, pk=payload.network_member).first()
        if member is None:
            raise shared.field_error("network_member", _("Choose someone from this youth's network."))
    data = domain.ContactData(
        contact_at=payload.contact_at,
        with_whom=payload.with_whom,
        channel=payload.channel,
        reached=payload.reached,
        note=payload.note,
        life_domains=list(payload.life_domains),
        positive_development=payload.positive_development,
        network_member=member,
    )
    contact = domain.record_contact(actor=request.user, case=case, data=data, submission_key=payload.submission_key)
    if contact.case_id != case.pk:
        # A replayed key answers what was logged the first time; that must be this case's contact.
        raise StaleVersion(
            _("This submission key was used for another contact. Send a new key."),
            errors=[{"field": "submission_key", "message": _("This key was used already.")}],
        )
    return Status(201, _contact(contact))


# --- Major events ------------------------------------------------------------------------------------------


@router.get(
    f"{CASE_ID}/events",
    response=responses({200: list[EventOut]}),
    openapi_extra=PROBLEM_CONTENT,
    summary="The major events of a case, newest first",
)
def list_events(request: HttpRequest, case_id: uuid.UUID):
    case = case_for(request, case_id, view="api.events", work=True, audit=False)
    events = list(MajorEvent.objects.filter(case=case).select_related("created_by"))
    log(
        "case.viewed",
        actor=request.user,
        obj=case,
        chain_id=case.chain_id,
        case_id=case.pk,
        details={"view": "api.events", "results": len(events)},
    )
    return [_event(e) for e in events]


@router.post(
    f"{CASE_ID}/events",
    response=responses({201: EventOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Record a major event",
    description=(
        "Events of the kinds the chain configured (by default a new offence, an arrest, a youth court decision, "
        "a crisis) put an included or active case on the next OT agenda; `flagged_for_ot` says so. The case "
        "director and the coordinators get a notification."
    ),
)
def record_event(request: HttpRequest, case_id: uuid.UUID, payload: EventIn):
    case = case_for(request, case_id, view="api.events", work=True, audit=False)
    event = domain.record_event(
        actor=request.user,
        case=case,
        kind=payload.kind,
        occurred_on=payload.occurred_on,
        description=payload.description,
    )
    domain_notify.notify_event_recorded(event=event, actor=request.user)
    return Status(201, _event(event))


# --- Signals ----------------------------------------------------------------------------------------------


@router.get(
    "/signals",
    response=responses({200: SignalList}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Your current signals, most severe first",
    description=(
        "A case director's signals are those of their own cases; an operational coordinator's those of every case "
        "of the chain. Computed from the data: a write anywhere in the chain shows on the next call; acknowledged "
        "signals stay away for a while. One page at a time (`limit`, `offset`), as `GET /cases`."
    ),
)
def list_signals(
    request: HttpRequest,
    kind: SignalKind | None = None,
    case: uuid.UUID | None = None,
    limit: Annotated[int, Field(ge=1, le=500)] = 100,
    offset: Annotated[int, Field(ge=0, le=shared.MAX_OFFSET)] = 0,
):
    signals = queries.signals_of(request.user, case_id=case)
    if kind:
        signals = [s for s in signals if s.kind == kind]
    page = signals[offset : offset + limit]
    log(
        "followup.signals_listed",
        actor=request.user,
        details={"channel": "api", "count": len(page), "total": len(signals)},
    )
    return {"count": len(signals), "limit": limit, "offset": offset, "items": [_signal(s) for s in page]}


@router.post(
    "/signals/{key}/acknowledge",
    response=responses({200: AcknowledgeOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Acknowledge one of your signals",
    description="404 when the key names no current signal of yours. The signal returns after seven days if its cause persists.",
)
def acknowledge_signal(request: HttpRequest, key: str, payload: AcknowledgeIn):
    parts = key.split(":")
    if len(key) > 200 or len(parts) < 3:
        raise Http404
    try:
        case_id = uuid.UUID(parts[1])
    except ValueError:
        raise Http404 from None
    current = {s.key for s in queries.signals_of(request.user, case_id=case_id)}
    if key not in current:
        raise Http404
    case = policy.get_visible_case(request.user, case_id)
    ack = domain.acknowledge_signal(actor=request.user, case=case, key=key, note=payload.note)
    return {"key": ack.key, "quiet_until": ack.quiet_until}
