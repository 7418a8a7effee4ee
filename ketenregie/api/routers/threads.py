"""Conversations about cases, the partner's own actions, and the youth's trajectory ("Mijn traject").

Thin: parse, ask the policy (threads.queries on top of consent.policy), call the domain, answer. A
case or thread outside your reach is a 404 (the refused attempt is audited); so is an action you
are not responsible for. Every read of thread content is audited. ``/me/trajectory`` answers only
a portal account (the youth or the trusted person); for anyone else it does not exist.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from ketenregie.api.routers import shared
from ketenregie.api.schemas import PROBLEM_CONTENT, In, Ref, Text, responses
from ketenregie.audit.domain import log
from ketenregie.common.errors import NotAllowed
from ketenregie.consent import policy
from ketenregie.meetings.models import NetworkMeeting
from ketenregie.plans.enums import ActionStatus
from ketenregie.plans.models import Action
from ketenregie.threads import domain, queries
from ketenregie.threads.models import Message, Thread

router = Router(tags=["conversations"])

CASE_ID = "/cases/{uuid:case_id}"
THREAD_ID = "/threads/{uuid:thread_id}"


# --- Schemas -----------------------------------------------------------------------------------------


class ThreadIn(In):
    subject: Text(150, min_length=1)
    body: Text(5000, min_length=1) = Field(description="The first message. Mention someone with @username.")
    participants: Annotated[list[uuid.UUID], Field(max_length=50)] = Field(
        default_factory=list,
        description="Accounts who may see the case (the case director takes part anyway).",
    )
    action: uuid.UUID | None = Field(None, description="An action of the case's plan the thread is about.")
    meeting: uuid.UUID | None = Field(None, description="A network meeting of the case the thread is about.")
    submission_key: uuid.UUID | None = Field(
        None, description="A key of your choice: retrying with it starts one thread."
    )


class ThreadOut(Schema):
    id: uuid.UUID
    case: uuid.UUID
    subject: str
    action: uuid.UUID | None
    meeting: uuid.UUID | None
    from_portal: bool = Field(description="The youth's (or trusted person's) conversation with the case director.")
    message_count: int
    unread_count: int
    last_message_at: datetime


class AttachmentOut(Schema):
    id: uuid.UUID
    name: str
    content_type: str
    size: int
    url: str = Field(description="Download through the web UI (session), permission-checked and audited.")


class MessageIn(In):
    body: Text(5000, min_length=1) = Field(description="Mention someone in the thread with @username.")
    submission_key: uuid.UUID | None = Field(None, description="A key of your choice: retrying with it posts once.")


class MessageOut(Schema):
    id: uuid.UUID
    author: Ref | None
    body: str = Field(description="Empty when the message was deleted.")
    created_at: datetime
    edited_at: datetime | None
    deleted: bool
    attachments: list[AttachmentOut]


class CaseRef(Schema):
    id: uuid.UUID
    reference: str


class MyActionOut(Schema):
    id: uuid.UUID
    case: CaseRef
    life_domain: str
    what: str
    status: str
    status_label: str
    due_on: date | None
    note: str


class ActionPatchIn(In):
    status: ActionStatus
    note: Text(2000) = Field("", description="A short note for the case director (kept on the action).")


class TrajectoryOut(Schema):
    first_name: str
    chain: str
    role: str = Field(description="youth or trusted_person")
    active: bool = Field(description="False once the case closed or the access was ended: nothing else is shown.")
    director: dict | None
    domains: list[dict] = Field(description="Life domains with goals and their actions, in plain words.")
    next_meeting: dict | None
    consents: list[dict]
    steps: list[dict]


class PortalMessageIn(In):
    body: Text(2000, min_length=1)
    submission_key: uuid.UUID | None = None


# --- Helpers ------------------------------------------------------------------------------------------


def _thread(t: Thread) -> dict:
    return {
        "id": t.pk,
        "case": t.case_id,
        "subject": t.subject,
        "action": t.action_id,
        "meeting": t.meeting_id,
        "from_portal": t.is_portal,
        "message_count": getattr(t, "message_count", 0),
        "unread_count": getattr(t, "unread_count", 0),
        "last_message_at": t.last_message_at,
    }


def _message(m: Message) -> dict:
    from django.urls import reverse

    return {
        "id": m.pk,
        "author": shared.user_ref(m.author),
        "body": "" if m.is_deleted else m.body,
        "created_at": m.created_at,
        "edited_at": m.edited_at,
        "deleted": m.is_deleted,
        "attachments": []
        if m.is_deleted
        else [
            {
                "id": a.pk,
                "name": a.name,
                "content_type": a.content_type,
                "size": a.size,
                "url": reverse("threads:attachment", kwargs={"attachment_id": a.pk}),
            }
            for a in m.attachments.all()
        ],
    }


def _my_action(a: Action) -> dict:
    return {
        "id": a.pk,
        "case": {"id": a.case_id, "reference": a.case.reference},
        "life_domain": a.goal.plan_domain.domain,
        "what": a.what,
        "status": a.status,
        "status_label": str(ActionStatus(a.status).label),
        "due_on": a.due_on,
        "note": a.note,
    }


def _readable_thread(request: HttpRequest, thread_id: uuid.UUID) -> Thread:
    """The thread if the caller may read it now; else 404, the refusal audited."""
    thread = Thread.objects.filter(pk=thread_id).select_related("action__goal__plan_domain", "meeting").first()
    if thread is None:
        raise Http404
    try:
        thread.case = policy.get_visible_case(request.user, thread.case_id)
    except Http404:
        log(
            "access.denied",
            actor=request.user,
            obj=thread,
            case_id=thread.case_id,
            result="denied",
            details={"view": "api.thread"},
        )
        raise
    if not queries.may_read(request.user, thread):
        log(
            "access.denied",
            actor=request.user,
            obj=thread,
            chain_id=thread.case.chain_id,
            case_id=thread.case_id,
            result="denied",
            details={"view": "api.thread"},
        )
        raise Http404
    return thread


def _with_counts(thread: Thread, user) -> Thread:
    return queries.with_counts(Thread.objects.filter(pk=thread.pk), user).get()


# --- Threads of a case -------------------------------------------------------------------------------


@router.get(
    f"{CASE_ID}/threads",
    response=responses({200: list[ThreadOut]}),
    openapi_extra=PROBLEM_CONTENT,
    summary="The conversations of a case you may read",
    description=(
        "The case's coordinators and its case director read every conversation; a partner only those they "
        "take part in, while the youth's consent for their organisation is valid."
    ),
)
def list_threads(request: HttpRequest, case_id: uuid.UUID):
    case = policy.get_visible_case(request.user, case_id)
    threads = queries.threads_of_case(request.user, case)
    log(
        "thread.listed",
        actor=request.user,
        obj=case,
        chain_id=case.chain_id,
        case_id=case.pk,
        details={"view": "api.threads", "count": len(threads)},
    )
    return [_thread(t) for t in threads]


@router.post(
    f"{CASE_ID}/threads",
    response=responses({201: ThreadOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Start a conversation about a case",
    description=(
        "Participants must be people who may see the case under the policy (422 otherwise); for a thread about "
        "an action, people who may see its life domain. A closed case takes no new conversations (409)."
    ),
)
def start_thread(request: HttpRequest, case_id: uuid.UUID, payload: ThreadIn):
    case = policy.get_visible_case(request.user, case_id)
    action = meeting = None
    if payload.action is not None:
        action = Action.objects.filter(case=case, pk=payload.action).select_related("goal__plan_domain").first()
        if action is None or not queries.may_see_domain(request.user, case, queries.action_domain(action)):
            raise shared.field_error("action", _("Choose an action of this case's plan."))
    if payload.meeting is not None:
        meeting = NetworkMeeting.objects.filter(case=case, pk=payload.meeting).first()
        if meeting is None:
            raise shared.field_error("meeting", _("Choose a meeting of this case."))
    eligible = {u.pk: u for u in queries.eligible_participants(case, action=action)}
    unknown = [pk for pk in payload.participants if pk not in eligible]
    if unknown:
        raise shared.field_error("participants", _("Choose people who may see this case."))
    try:
        thread = domain.start_thread(
            actor=request.user,
            case=case,
            subject=payload.subject,
            body=payload.body,
            participants=[eligible[pk] for pk in payload.participants],
            action=action,
            meeting=meeting,
            submission_key=payload.submission_key,
        )
    except NotAllowed:
        raise Http404 from None
    return Status(201, _thread(_with_counts(thread, request.user)))


# --- Messages ----------------------------------------------------------------------------------------


@router.get(
    f"{THREAD_ID}/messages",
    response=responses({200: list[MessageOut]}),
    openapi_extra=PROBLEM_CONTENT,
    summary="The messages of a conversation, oldest first",
    description="Reading marks the conversation read for you, and is audited.",
)
def list_messages(request: HttpRequest, thread_id: uuid.UUID):
    thread = _readable_thread(request, thread_id)
    messages = list(Message.objects.filter(thread=thread).select_related("author").prefetch_related("attachments"))
    domain.log_read(actor=request.user, thread=thread, view="api.messages", count=len(messages))
    domain.mark_read(user=request.user, thread=thread)
    return [_message(m) for m in messages]


@router.post(
    f"{THREAD_ID}/messages",
    response=responses({201: MessageOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Post a message in a conversation",
    description=(
        "@username mentions of people in the conversation leave them a notification. Attachments are sent "
        "through the web UI. A closed case takes no messages (409)."
    ),
)
def post_message(request: HttpRequest, thread_id: uuid.UUID, payload: MessageIn):
    thread = _readable_thread(request, thread_id)
    message = domain.post_message(
        actor=request.user, thread=thread, body=payload.body, submission_key=payload.submission_key
    )
    if message.thread_id != thread.pk:
        raise Http404
    return Status(201, _message(message))


# --- The partner's own actions -----------------------------------------------------------------------


@router.get(
    "/me/actions",
    response=responses({200: list[MyActionOut]}),
    openapi_extra=PROBLEM_CONTENT,
    summary="The plan actions you are responsible for",
    description=(
        "Across the cases you may see, as the network member responsible for them, in the life domains shared "
        "with your organisation. Open actions first, by due date."
    ),
)
def my_actions(request: HttpRequest):
    actions = queries.my_actions(request.user)
    log("case.listed", actor=request.user, details={"view": "api.my_actions", "count": len(actions)})
    return [_my_action(a) for a in actions]


@router.patch(
    "/actions/{uuid:action_id}",
    response=responses({200: MyActionOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Update the status of an action you are responsible for, with a note",
    description=(
        "404 for an action that is not one of yours. The case director gets a notification and the update lands "
        "in the case's history. A closed case refuses (409)."
    ),
)
def update_action(request: HttpRequest, action_id: uuid.UUID, payload: ActionPatchIn):
    action = queries.my_action(request.user, action_id)
    if action is None:
        raise Http404
    try:
        domain.report_action_progress(actor=request.user, action=action, status=payload.status, note=payload.note)
    except NotAllowed:
        raise Http404 from None
    action.refresh_from_db(fields=["status", "note"])
    return _my_action(action)


# --- "Mijn traject" ------------------------------------------------------------------------------------


def _portal_access(request: HttpRequest):
    from ketenregie.portal.domain import access_of

    access = access_of(request.user)
    if access is None:
        raise Http404
    return access


@router.get(
    "/me/trajectory",
    response=responses({200: TrajectoryOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="The youth's own trajectory (portal accounts only)",
    description=(
        "The goals and actions, the next meeting, the case director's contact details, the consents and the "
        "steps so far, in plain words. 404 for staff accounts."
    ),
)
def my_trajectory(request: HttpRequest):
    from django_scopes import scope

    from ketenregie.portal.queries import trajectory

    access = _portal_access(request)
    with scope(chain=[access.case.chain_id]):
        result = trajectory(access).as_dict()
        log(
            "portal.viewed",
            actor=request.user,
            obj=access.case,
            chain_id=access.case.chain_id,
            case_id=access.case_id,
            details={"view": "api.trajectory"},
        )
    return result


@router.post(
    "/me/trajectory/messages",
    response=responses({201: MessageOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="Send a message to your case director (portal accounts only)",
    description="The youth (or trusted person) writes to the case director only, never to partners directly.",
)
def trajectory_message(request: HttpRequest, payload: PortalMessageIn):
    from django_scopes import scope

    from ketenregie.portal.domain import send_message

    access = _portal_access(request)
    with scope(chain=[access.case.chain_id]):
        message = send_message(actor=request.user, body=payload.body, submission_key=payload.submission_key)
        return Status(201, _message(message))
