"""OT meetings: plan one (its agenda is generated), read it, record decisions on its items."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from pydantic import Field

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import User
from ketenregie.api.routers import shared
from ketenregie.api.schemas import (
    PROBLEM_CONTENT,
    DecisionIn,
    DecisionOut,
    MeetingIn,
    MeetingList,
    MeetingOut,
    Slug,
    responses,
)
from ketenregie.audit.domain import log
from ketenregie.cases import domain
from ketenregie.cases.models import LegalBasis, OTAgendaItem, OTMeeting
from ketenregie.chains.models import Chain
from ketenregie.common.errors import StaleVersion, ValidationFailed
from ketenregie.consent import policy

router = Router(tags=["OT"])

MEETING_ID = "/ot-meetings/{uuid:meeting_id}"


def _visible_meeting(user: Any, meeting_id: uuid.UUID) -> OTMeeting:
    meeting = policy.visible_ot_meetings(user).select_related("chain", "legal_basis").filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404
    return meeting


def _as_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


def _attendees(chain: Chain, names: list[str]) -> list[User]:
    """Accounts with a role in the chain, named by username or account id, in the order given."""
    wanted = [(name, _as_uuid(name)) for name in names]
    found = list(
        User.objects.filter(memberships__chain=chain, memberships__is_active=True, is_active=True)
        .filter(Q(pk__in=[pk for _name, pk in wanted if pk]) | Q(username__in=[n for n, pk in wanted if not pk]))
        .distinct()
    )
    by_id = {u.pk: u for u in found}
    by_username = {u.username: u for u in found}
    errors, people = [], []
    for i, (name, pk) in enumerate(wanted):
        person = by_id.get(pk) if pk else by_username.get(name)
        if person is None:
            errors.append(
                {"field": f"attendees.{i}", "message": _("There is no account with this name or id in the chain.")}
            )
        elif person not in people:
            people.append(person)
    if errors:
        raise ValidationFailed(_("Some attendees are unknown."), errors=errors)
    return people


def _item_out(item: OTAgendaItem, shown: bool) -> dict:
    """An agenda item; its dossier summary and decision texts only for whom may see the dossier."""
    case = item.case
    return {
        "id": item.pk,
        "kind": item.kind,
        "position": item.position,
        "version": item.version,
        "decision": item.decision,
        "decided_at": item.decided_at,
        "case": {
            "id": case.pk,
            "reference": case.reference,
            "youth_name": case.youth.full_name,
            "youth_birth_date": case.youth.birth_date,
            "status": case.status,
            "framework": case.framework,
            "registered_on": case.registered_on,
        }
        if shown
        else None,
        "flag_reason": item.flag_reason if shown else None,
        "chosen_case_director": shared.user_ref(item.chosen_case_director) if shown else None,
        "guideline": item.guideline if shown else None,
        "subsidiarity": item.subsidiarity if shown else None,
        "advice": item.advice if shown else None,
        "recontact_on": item.recontact_on if shown else None,
        "park_until": item.park_until if shown else None,
        "notes": item.notes if shown else None,
    }


def _shown_case_ids(user: Any, meeting: OTMeeting, case_ids: list) -> set:
    """``policy.can_see_ot_item_case`` for all items at once: one query instead of one per item."""
    if policy.is_coordinator(user, meeting.chain_id):
        return set(case_ids)
    return set(policy.visible_cases(user).filter(pk__in=case_ids).values_list("pk", flat=True))


def _meeting_out(meeting: OTMeeting, user: Any) -> dict:
    items = list(meeting.items.select_related("case", "case__youth", "chosen_case_director").order_by("position", "id"))
    shown = _shown_case_ids(user, meeting, [i.case_id for i in items])
    attendances = meeting.attendances.select_related("user", "organisation").order_by(
        "user__last_name", "user__username"
    )
    log(
        "ot.meeting_viewed",
        actor=user,
        obj=meeting,
        chain_id=meeting.chain_id,
        details={"channel": "api", "items": len(items), "cases_shown": len(shown)},
    )
    return {
        "id": meeting.pk,
        "chain": shared.chain_ref(meeting.chain),
        "starts_at": meeting.starts_at,
        "location": meeting.location,
        "status": meeting.status,
        "legal_basis": {"id": meeting.legal_basis.pk, "name": meeting.legal_basis.reference},
        "attendees": [
            {
                "user": shared.user_ref(a.user),
                "organisation": shared.org_ref(a.organisation),
                "present": a.present,
                "confidentiality_acknowledged_at": a.confidentiality_acknowledged_at,
            }
            for a in attendances
        ],
        "items": [_item_out(i, i.case_id in shown) for i in items],
    }


@router.post(
    "/ot-meetings",
    response=responses({201: MeetingOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Plan an OT meeting (operational coordinators); its agenda is made from the cases awaiting the OT",
    description=(
        "`legal_basis` is an entry of the chain's register valid on the meeting's date; OT members among the "
        "`attendees` must belong to an organisation it authorises."
    ),
)
def plan_meeting(request: HttpRequest, payload: MeetingIn):
    user = request.user
    chain = shared.chain_for(user, payload.chain, {Role.OPERATIONAL_COORDINATOR})
    legal_basis = LegalBasis.objects.filter(chain=chain, pk=payload.legal_basis).first()
    if legal_basis is None:
        raise shared.field_error("legal_basis", _("There is no legal basis with this id in the chain's register."))
    meeting = domain.plan_ot_meeting(
        actor=user,
        chain=chain,
        starts_at=payload.starts_at,
        location=payload.location,
        legal_basis=legal_basis,
        attendees=_attendees(chain, list(payload.attendees)),
        submission_key=payload.submission_key,
    )
    if meeting.chain_id != chain.pk or meeting.created_by_id != user.pk:
        # A replayed key answers what was planned the first time; that must be ours.
        raise StaleVersion(
            _("This submission key was used for another meeting. Send a new key."),
            errors=[{"field": "submission_key", "message": _("This key was used already.")}],
        )
    return Status(201, _meeting_out(_visible_meeting(user, meeting.pk), user))


@router.get(
    "/ot-meetings",
    response=responses({200: MeetingList}),
    openapi_extra=PROBLEM_CONTENT,
    summary="OT meetings: all of the chains you coordinate, and those you attend",
)
def list_meetings(
    request: HttpRequest,
    chain: Slug | None = None,
    limit: Annotated[int, Field(ge=1, le=100)] = 50,
    offset: Annotated[int, Field(ge=0, le=shared.MAX_OFFSET)] = 0,
):
    meetings = policy.visible_ot_meetings(request.user)
    if chain:
        meetings = meetings.filter(chain__slug=chain)
    count = meetings.count()
    rows = meetings.select_related("chain").annotate(item_count=Count("items")).order_by("-starts_at", "id")
    return {
        "count": count,
        "limit": limit,
        "offset": offset,
        "items": [
            {
                "id": m.pk,
                "chain": m.chain.slug,
                "starts_at": m.starts_at,
                "location": m.location,
                "status": m.status,
                "items": m.item_count,
            }
            for m in rows[offset : offset + limit]
        ],
    }


@router.get(
    MEETING_ID,
    response=responses({200: MeetingOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="One OT meeting with its attendees and agenda",
    description="An item's dossier summary and decision texts are null when you may not see that dossier.",
)
def get_meeting(request: HttpRequest, meeting_id: uuid.UUID):
    return _meeting_out(_visible_meeting(request.user, meeting_id), request.user)


@router.post(
    MEETING_ID + "/decisions",
    response=responses({200: DecisionOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Record the OT's decision on an agenda item (operational coordinators)",
    description=(
        "Takes the case to its next step: `include` to included (with `chosen_case_director` and `subsidiarity`), "
        "`not_include` to not included (with `advice`), `park` until `park_until`. Send the item's `version`: "
        "when someone decided first the answer is 409."
    ),
)
def decide(request: HttpRequest, meeting_id: uuid.UUID, payload: DecisionIn):
    user = request.user
    meeting = _visible_meeting(user, meeting_id)
    item = meeting.items.filter(pk=payload.item).first()
    if item is None:
        raise shared.field_error("item", _("There is no item with this id on the meeting's agenda."))
    item.meeting = meeting
    data = domain.DecisionData(
        decision=payload.decision,
        version=payload.version,
        chosen_case_director=shared.member_of(
            meeting.chain, payload.chosen_case_director, field="chosen_case_director"
        ),
        guideline=payload.guideline,
        subsidiarity=payload.subsidiarity,
        advice=payload.advice,
        recontact_on=payload.recontact_on,
        park_until=payload.park_until,
        notes=payload.notes,
    )
    item = domain.decide_ot_item(actor=user, item=item, data=data)
    item = meeting.items.select_related("case", "case__youth", "chosen_case_director").get(pk=item.pk)
    case = policy.get_visible_case(user, item.case_id)
    return {"item": _item_out(item, True), "case": shared.case_state(case, user)}
