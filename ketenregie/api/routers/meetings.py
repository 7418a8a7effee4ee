"""Network meetings (FIX-overleg) of a case: plan, record as held, evaluate, the calendar invitation.

Thin: parse, look the case up through the policy, call meetings.domain, answer. The domain decides:
a planned meeting lies in the future, a meeting is never recorded without the youth ("Zonder
jongere, geen FIX-overleg"), professionals acknowledge confidentiality, agreements become plan
actions, progress is scored 1–5 per life domain. Only those who may read the case's content see its
meetings; others get the 404 of a missing case, as on the web pages.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Annotated

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field, StrictBool, StrictInt

from ketenregie.api.routers import shared
from ketenregie.api.routers.content import case_for, object_of_case
from ketenregie.api.schemas import (
    ERRORS,
    MAX_INT,
    PROBLEM_CONTENT,
    Code,
    Day,
    In,
    LongText,
    Moment,
    Ref,
    Text,
    responses,
)
from ketenregie.audit.domain import log
from ketenregie.cases.models import Case
from ketenregie.common.errors import DomainError
from ketenregie.meetings import domain
from ketenregie.meetings.enums import AgreementKept, LocationKind, MeetingKind
from ketenregie.meetings.models import ActionEvaluation, DomainProgress, MeetingAttendance, NetworkMeeting
from ketenregie.network.models import NetworkMember
from ketenregie.plans.enums import ActionStatus
from ketenregie.plans.models import Action

router = Router(tags=["network meetings"])

CASE_ID = "/cases/{uuid:case_id}"
MEETING_ID = "/meetings/{uuid:meeting_id}"

# Bounded so that hostile numbers never reach the database; the domain says which values it accepts.
Whole = Annotated[StrictInt, Field(ge=-MAX_INT, le=MAX_INT)]
Ids = Annotated[list[uuid.UUID], Field(max_length=100)]


# --- Schemas -----------------------------------------------------------------------------------------


class AgreementIn(In):
    goal_id: uuid.UUID = Field(description="A goal of the youth's plan; the agreement becomes one of its actions.")
    what: LongText
    responsible_member: uuid.UUID | None = Field(None, description="Someone from the youth's network.")
    due_on: Day | None = None


class HeldIn(In):
    youth_attended: StrictBool = Field(
        False, description="Without the youth there is no network meeting: false (or left out) is refused."
    )
    attendee_ids: Ids = Field(default_factory=list, description="Network members who were present.")
    acknowledged_ids: Ids = Field(
        default_factory=list, description="Professionals present who acknowledged confidentiality for this meeting."
    )
    minutes: LongText = ""
    information_shared: LongText = Field("", description="Which information was shared, by whom.")
    agreements: Annotated[list[AgreementIn], Field(max_length=50)] = []


class NetworkMeetingIn(In):
    kind: MeetingKind = MeetingKind.FIX
    starts_at: Moment = Field(description="With its offset, e.g. `2026-03-02T14:00:00+01:00`. In the future.")
    duration_minutes: Whole = 90
    location_kind: LocationKind
    location: Text(200)
    agenda: LongText = ""
    invitee_ids: Ids = Field(default_factory=list, description="People from the youth's network to invite.")
    held: HeldIn | None = Field(
        None,
        description=(
            "Only to enter a meeting that already took place: its start lies in the past and the same rules as "
            "`POST /meetings/{meeting_id}/held` apply. Without it, a start in the past is refused."
        ),
    )
    submission_key: uuid.UUID | None = Field(
        None, description="A key of your choice: retrying with it plans one meeting."
    )


class ActionEvaluationIn(In):
    action_id: uuid.UUID = Field(description="An action of the youth's plan.")
    kept: AgreementKept | None = Field(
        None, description="Whether the agreement was kept; may be left out with `status`."
    )
    realistic: StrictBool = True
    note: LongText = ""
    status: ActionStatus | None = Field(None, description="The action's status after the meeting; left out keeps it.")


class ProgressIn(In):
    domain: Code = Field(description="A life-domain code of the chain; each at most once.")
    score: Whole = Field(description="Progress from 1 to 5.")
    note: LongText = ""


class EvaluationIn(In):
    actions: Annotated[list[ActionEvaluationIn], Field(max_length=200)] = []
    progress: Annotated[list[ProgressIn], Field(max_length=30)] = []
    cooperation: LongText = Field("", description="How the partners worked together.")


class NetworkMeetingListItem(Schema):
    id: uuid.UUID
    kind: str
    starts_at: datetime
    duration_minutes: int
    location_kind: str
    location: str
    status: str
    invitees: int


class AttendanceOut(Schema):
    name: str
    member: Ref | None = Field(description="Null for the youth.")
    is_youth: bool
    is_professional: bool
    confidentiality_acknowledged_at: datetime | None


class AgreementOut(Schema):
    action: uuid.UUID
    goal: uuid.UUID
    what: str
    responsible_member: Ref | None
    due_on: date | None


class ActionEvaluationOut(Schema):
    action: uuid.UUID
    what: str
    kept: str
    realistic: bool
    note: str


class ProgressOut(Schema):
    domain: str
    label: str
    score: int
    note: str


class NetworkMeetingOut(Schema):
    id: uuid.UUID
    kind: str
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    location_kind: str
    location: str
    agenda: str
    status: str
    legal_basis: Ref
    invitees: list[Ref]
    youth_attended: bool
    held_at: datetime | None
    minutes: str
    information_shared: str
    cooperation: str
    attendances: list[AttendanceOut]
    agreements: list[AgreementOut] = Field(description="Plan actions agreed at this meeting.")
    evaluations: list[ActionEvaluationOut]
    progress: list[ProgressOut]


# --- Helpers ----------------------------------------------------------------------------------------


def _meeting(request: HttpRequest, meeting_id: uuid.UUID, *, work: bool = False, audit: bool = False):
    return object_of_case(
        request,
        NetworkMeeting.objects.select_related("legal_basis"),
        meeting_id,
        view="api.meeting",
        work=work,
        audit=audit,
    )


def _members(case: Case, ids: list[uuid.UUID], *, field: str) -> list[NetworkMember]:
    found = list(NetworkMember.objects.filter(case=case, pk__in=ids))
    if len(found) != len(set(ids)):
        raise shared.field_error(field, _("Choose people from this youth's network."))
    return found


def _held(payload: HeldIn) -> domain.HeldData:
    return domain.HeldData(
        youth_attended=payload.youth_attended,
        attendee_ids=list(payload.attendee_ids),
        acknowledged_ids=list(payload.acknowledged_ids),
        minutes=payload.minutes,
        information_shared=payload.information_shared,
        agreements=[domain.Agreement(**a.model_dump()) for a in payload.agreements],
    )


def _member_ref(member: NetworkMember | None) -> dict | None:
    return None if member is None else {"id": member.pk, "name": member.name}


def _present(meeting: NetworkMeeting) -> dict:
    case = meeting.case
    invitees = NetworkMember.objects.filter(invitations=meeting)
    attendances = (
        MeetingAttendance.objects.filter(meeting=meeting).select_related("member").order_by("-is_youth", "name")
    )
    agreements = (
        Action.objects.filter(source_meeting=meeting)
        .select_related("responsible_member")
        .order_by("goal__plan_domain__position", "goal__position", "position")
    )
    evaluations = ActionEvaluation.objects.filter(meeting=meeting).select_related("action")
    order = {d["code"]: i for i, d in enumerate(case.chain.life_domains)}
    progress = sorted(DomainProgress.objects.filter(meeting=meeting), key=lambda p: order.get(p.domain, len(order)))
    return {
        "id": meeting.pk,
        "kind": meeting.kind,
        "starts_at": meeting.starts_at,
        "ends_at": meeting.starts_at + timedelta(minutes=meeting.duration_minutes),
        "duration_minutes": meeting.duration_minutes,
        "location_kind": meeting.location_kind,
        "location": meeting.location,
        "agenda": meeting.agenda,
        "status": meeting.status,
        "legal_basis": {"id": meeting.legal_basis.pk, "name": meeting.legal_basis.reference},
        "invitees": [_member_ref(m) for m in invitees],
        "youth_attended": meeting.youth_attended,
        "held_at": meeting.held_at,
        "minutes": meeting.minutes,
        "information_shared": meeting.information_shared,
        "cooperation": meeting.cooperation,
        "attendances": [
            {
                "name": a.name,
                "member": _member_ref(a.member),
                "is_youth": a.is_youth,
                "is_professional": a.is_professional,
                "confidentiality_acknowledged_at": a.confidentiality_acknowledged_at,
            }
            for a in attendances
        ],
        "agreements": [
            {
                "action": a.pk,
                "goal": a.goal_id,
                "what": a.what,
                "responsible_member": _member_ref(a.responsible_member),
                "due_on": a.due_on,
            }
            for a in agreements
        ],
        "evaluations": [
            {"action": e.action_id, "what": e.action.what, "kept": e.kept, "realistic": e.realistic, "note": e.note}
            for e in evaluations
        ],
        "progress": [
            {"domain": p.domain, "label": case.chain.life_domain_label(p.domain), "score": p.score, "note": p.note}
            for p in progress
        ],
    }


def _reread(meeting: NetworkMeeting, case: Case) -> dict:
    fresh = NetworkMeeting.objects.select_related("legal_basis").get(pk=meeting.pk)
    fresh.case = case
    return _present(fresh)


# --- Endpoints ------------------------------------------------------------------------------------------


@router.get(
    f"{CASE_ID}/meetings",
    response=responses({200: list[NetworkMeetingListItem]}),
    openapi_extra=PROBLEM_CONTENT,
    summary="The network meetings of a case, newest first",
)
def list_meetings(request: HttpRequest, case_id: uuid.UUID):
    case = case_for(request, case_id, view="api.meetings")
    meetings = NetworkMeeting.objects.filter(case=case).annotate(invitee_count=Count("invitees", distinct=True))
    return [
        {
            "id": m.pk,
            "kind": m.kind,
            "starts_at": m.starts_at,
            "duration_minutes": m.duration_minutes,
            "location_kind": m.location_kind,
            "location": m.location,
            "status": m.status,
            "invitees": m.invitee_count,
        }
        for m in meetings
    ]


@router.post(
    f"{CASE_ID}/meetings",
    response=responses({201: NetworkMeetingOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Plan a network meeting",
    description=(
        "For an included or active case, at a moment in the future within a year, when the chain has a legal "
        "basis valid on that day. A meeting that already took place is entered with `held`. Retrying with the "
        "same `submission_key` answers the meeting planned the first time."
    ),
)
def plan_meeting(request: HttpRequest, case_id: uuid.UUID, payload: NetworkMeetingIn):
    case = case_for(request, case_id, view="api.meetings", work=True, audit=False)
    invitees = _members(case, list(payload.invitee_ids), field="invitee_ids")
    if payload.held is not None:
        try:
            meeting = domain.record_past_meeting(
                actor=request.user,
                case=case,
                starts_at=payload.starts_at,
                location_kind=payload.location_kind,
                location=payload.location,
                data=_held(payload.held),
                agenda=payload.agenda,
                invitees=invitees,
                kind=payload.kind,
                duration_minutes=payload.duration_minutes,
                submission_key=payload.submission_key,
            )
        except DomainError as exc:
            # The domain names the fields of what was held as hold_meeting does; here they sit under `held`.
            for error in exc.errors:
                if error["field"].split(".")[0] in HeldIn.model_fields:
                    error["field"] = f"held.{error['field']}"
            raise
    else:
        meeting = domain.plan_meeting(
            actor=request.user,
            case=case,
            starts_at=payload.starts_at,
            location_kind=payload.location_kind,
            location=payload.location,
            agenda=payload.agenda,
            invitees=invitees,
            kind=payload.kind,
            duration_minutes=payload.duration_minutes,
            submission_key=payload.submission_key,
        )
    return Status(201, _reread(meeting, case))


@router.get(
    MEETING_ID,
    response=responses({200: NetworkMeetingOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="One network meeting: attendance, minutes, agreements and evaluation",
)
def get_meeting(request: HttpRequest, meeting_id: uuid.UUID):
    meeting = _meeting(request, meeting_id, audit=True)
    return _present(meeting)


@router.post(
    f"{MEETING_ID}/held",
    response=responses({200: NetworkMeetingOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Record a network meeting as held",
    description=(
        "Zonder jongere, geen FIX-overleg: without `youth_attended` the answer is 422 and nothing is recorded. "
        "Each professional present acknowledges confidentiality (`acknowledged_ids`); each agreement becomes an "
        "action under a goal of the plan. From one hour before the start; a meeting is recorded once (409)."
    ),
)
def hold_meeting(request: HttpRequest, meeting_id: uuid.UUID, payload: HeldIn):
    meeting = _meeting(request, meeting_id, work=True)
    meeting = domain.hold_meeting(actor=request.user, meeting=meeting, data=_held(payload))
    return _reread(meeting, meeting.case)


@router.post(
    f"{MEETING_ID}/evaluations",
    response=responses({200: NetworkMeetingOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Evaluate a held meeting: each agreement, and progress 1–5 per life domain",
    description=(
        "Sending an action or a life domain again replaces its earlier evaluation at this meeting. An action's "
        "new `status` is saved in the plan as a new version."
    ),
)
def evaluate_meeting(request: HttpRequest, meeting_id: uuid.UUID, payload: EvaluationIn):
    meeting = _meeting(request, meeting_id, work=True)
    meeting = domain.evaluate_meeting(
        actor=request.user,
        meeting=meeting,
        actions=[
            domain.ActionEvaluationInput(
                action_id=a.action_id, kept=a.kept or "", realistic=a.realistic, note=a.note, status=a.status or ""
            )
            for a in payload.actions
        ],
        progress=[domain.ProgressInput(**p.model_dump()) for p in payload.progress],
        cooperation=payload.cooperation,
    )
    return _reread(meeting, meeting.case)


ICS_CONTENT = {
    "responses": {
        200: {"description": "An iCalendar invitation.", "content": {"text/calendar": {"schema": {"type": "string"}}}},
        **PROBLEM_CONTENT["responses"],
    }
}


@router.get(
    f"{MEETING_ID}/invite.ics",
    response=ERRORS,
    openapi_extra=ICS_CONTENT,
    summary="The calendar invitation (iCalendar) of a network meeting",
    description="It names the case number, never the youth.",
)
def invitation(request: HttpRequest, meeting_id: uuid.UUID):
    meeting = _meeting(request, meeting_id)
    body = domain.invitation_ics(meeting)
    log(
        "meeting.invite_downloaded",
        actor=request.user,
        obj=meeting,
        chain_id=meeting.case.chain_id,
        case_id=meeting.case.pk,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    day = timezone.localtime(meeting.starts_at)
    # The file name holds the date only, no personal data.
    response["Content-Disposition"] = f'attachment; filename="netwerkoverleg-{day:%Y-%m-%d}.ics"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
