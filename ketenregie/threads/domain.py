"""Case threads: starting one, posting, editing within 15 minutes, deleting, reading, mentions.

Every operation takes a required ``actor``, checks who may do it (threads.queries on top of the
access policy), writes in one transaction with its audit entry, and leaves notifications on
commit. Message text never reaches the audit log; the earlier text of an edited or deleted
message is kept, encrypted, in ``MessageRevision``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenregie.accounts.models import User
from ketenregie.audit.domain import log
from ketenregie.cases.domain import existing_submission, require_open
from ketenregie.cases.models import Case
from ketenregie.common.errors import GuardFailed, NotAllowed, ValidationFailed
from ketenregie.consent.documents import check_document
from ketenregie.threads import queries
from ketenregie.threads.enums import RevisionKind
from ketenregie.threads.models import Attachment, Message, MessageRevision, Thread, ThreadParticipant

EDIT_WINDOW = timedelta(minutes=15)
MAX_BODY = 5000
MAX_SUBJECT = 150
MAX_ATTACHMENTS = 3
# @username; a full stop or hyphen at the end belongs to the sentence, not to the name.
MENTION = re.compile(r"(?<![\w@])@([\w.\-]*\w)")


def _field(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[{"field": field, "message": message}])


def _clean_body(body: str, *, allow_empty: bool = False) -> str:
    text = (body or "").strip()
    if not text and not allow_empty:
        raise _field("body", _("Write a message."))
    if len(text) > MAX_BODY:
        raise _field("body", _("A message has at most %(n)d characters.") % {"n": MAX_BODY})
    return text


def _checked_uploads(uploads: Iterable[Any] | None) -> list[tuple[Any, str, str]]:
    files = [u for u in (uploads or []) if u is not None]
    if len(files) > MAX_ATTACHMENTS:
        raise _field("attachment", _("Send at most %(n)d files with one message.") % {"n": MAX_ATTACHMENTS})
    checked = []
    for upload in files:
        try:
            name, content_type = check_document(upload)
        except ValueError as exc:
            raise _field("attachment", str(exc)) from None
        checked.append((upload, name, content_type))
    return checked


def _thread_url(thread: Thread) -> str:
    return reverse("threads:detail", kwargs={"thread_id": thread.pk})


def _notify_on_commit(users: list[User], kind: str, case: Case, url: str) -> None:
    from ketenregie.followup.domain_notify import notify

    def send() -> None:
        for user in users:
            notify(user, kind, case, url)

    if users:
        transaction.on_commit(send)


def _mentioned(body: str, candidates: Iterable[User], author: User) -> list[User]:
    names = {m.lower() for m in MENTION.findall(body)}
    if not names:
        return []
    return [u for u in candidates if u.pk != author.pk and u.get_username().lower() in names]


def require_poster(actor: User, thread: Thread) -> None:
    """The actor may write in the thread (staff side), else NotAllowed; the case was fetched via the policy."""
    if not queries.may_post(actor, thread):
        raise NotAllowed(_("You do not take part in this conversation."))


def _ensure_participant(thread: Thread, user: User, *, added_by: User | None, now: datetime) -> bool:
    _participant, created = ThreadParticipant.objects.get_or_create(
        thread=thread, user=user, defaults={"added_by": added_by, "added_at": now}
    )
    return created


def start_thread(
    *,
    actor: User,
    case: Case,
    subject: str,
    body: str,
    participants: Iterable[User] = (),
    meeting=None,
    action=None,
    attachments: Iterable[Any] | None = None,
    submission_key: uuid.UUID | None = None,
) -> Thread:
    """Start a conversation about ``case`` with people who may see it under the policy.

    The starter must be one of them (see ``queries.eligible_participants``); the case director is
    always part of it; a meeting or action must belong to the case; a closed case takes no new threads.
    """
    eligible = {u.pk: u for u in queries.eligible_participants(case, action=action)}
    if actor.pk not in eligible:
        raise NotAllowed(_("You cannot start a conversation about this case."))
    require_open(case)
    if (found := existing_submission(Message, submission_key, author_id=actor.pk)) is not None:
        return found.thread
    subject = (subject or "").strip()
    if not subject:
        raise _field("subject", _("Give the conversation a subject."))
    if len(subject) > MAX_SUBJECT:
        raise _field("subject", _("A subject has at most %(n)d characters.") % {"n": MAX_SUBJECT})
    text = _clean_body(body)
    if meeting is not None and meeting.case_id != case.pk:
        raise _field("meeting", _("Choose a meeting of this case."))
    if action is not None and action.case_id != case.pk:
        raise _field("action", _("Choose an action of this case's plan."))
    chosen: dict[Any, User] = {}
    for person in participants:
        if person.pk not in eligible:
            raise _field("participants", _("Choose people who may see this case."))
        chosen[person.pk] = person
    if case.case_director_id and case.case_director_id in eligible:
        chosen.setdefault(case.case_director_id, eligible[case.case_director_id])
    chosen.pop(actor.pk, None)
    if not chosen:
        raise _field("participants", _("Choose at least one person to talk with."))
    uploads = _checked_uploads(attachments)
    now = timezone.now()
    with transaction.atomic():
        thread = Thread.objects.create(
            case=case, subject=subject, meeting=meeting, action=action, created_by=actor, last_message_at=now
        )
        ThreadParticipant.objects.create(thread=thread, user=actor, added_by=actor, added_at=now, last_read_at=now)
        for person in chosen.values():
            ThreadParticipant.objects.create(thread=thread, user=person, added_by=actor, added_at=now)
        message = _create_message(thread, actor, text, uploads, now, submission_key)
        log(
            "thread.started",
            actor=actor,
            obj=thread,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={
                "participants": len(chosen) + 1,
                "meeting": str(meeting.pk) if meeting else "",
                "action": str(action.pk) if action else "",
                "message": str(message.pk),
                "attachments": len(uploads),
            },
        )
        _notify_on_commit(list(chosen.values()), "thread_added", case, _thread_url(thread))
    return thread


def _create_message(
    thread: Thread, author: User, text: str, uploads: list, now: datetime, submission_key: uuid.UUID | None
) -> Message:
    message = Message.objects.create(
        thread=thread, author=author, body=text, created_at=now, submission_key=submission_key
    )
    for upload, name, content_type in uploads:
        attachment = Attachment(message=message, name=name, content_type=content_type, size=upload.size)
        attachment.file.save("upload", upload, save=False)
        attachment.save()
    return message


def post_message(
    *,
    actor: User,
    thread: Thread,
    body: str,
    attachments: Iterable[Any] | None = None,
    submission_key: uuid.UUID | None = None,
) -> Message:
    """Post a message in a thread the actor may read (staff side; the youth posts via portal.domain).

    @username mentions of people in the thread leave them a notification.
    """
    require_poster(actor, thread)
    return _post(actor=actor, thread=thread, body=body, attachments=attachments, submission_key=submission_key)


def _post(
    *,
    actor: User,
    thread: Thread,
    body: str,
    attachments: Iterable[Any] | None = None,
    submission_key: uuid.UUID | None = None,
    notify_kind: str = "",
    notify_users: Iterable[User] = (),
) -> Message:
    """Write a message once the caller established that ``actor`` may post in ``thread``."""
    case = thread.case
    require_open(case)
    if (found := existing_submission(Message, submission_key, author_id=actor.pk, thread_id=thread.pk)) is not None:
        return found
    text = _clean_body(body)
    uploads = _checked_uploads(attachments)
    now = timezone.now()
    with transaction.atomic():
        locked = Thread.objects.select_for_update().get(pk=thread.pk)
        _ensure_participant(locked, actor, added_by=actor, now=now)
        message = _create_message(locked, actor, text, uploads, now, submission_key)
        locked.last_message_at = now
        locked.save(update_fields=["last_message_at", "updated_at"])
        ThreadParticipant.objects.filter(thread=locked, user=actor).update(last_read_at=now)
        people = list(User.objects.filter(thread_participations__thread=locked, is_active=True))
        mentioned = _mentioned(text, people, actor)
        log(
            "thread.message_posted",
            actor=actor,
            obj=message,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"thread": str(thread.pk), "attachments": len(uploads), "mentions": len(mentioned)},
        )
        url = _thread_url(thread) if not thread.is_portal else ""
        if url:
            _notify_on_commit(mentioned, "thread_mention", case, url)
        recipients = [u for u in notify_users if u.pk != actor.pk]
        if notify_kind and recipients:
            _notify_on_commit(recipients, notify_kind, case, reverse("threads:detail", kwargs={"thread_id": thread.pk}))
    thread.last_message_at = now
    return message


def _require_changeable(actor: User, message: Message, now: datetime) -> None:
    if message.author_id != actor.pk:
        raise NotAllowed(_("Only the author can change a message."))
    thread = message.thread
    own_portal_thread = thread.is_portal and thread.portal_user_id == actor.pk
    if not own_portal_thread and not queries.may_read(actor, thread):
        raise NotAllowed(_("You do not take part in this conversation."))
    if message.is_deleted:
        raise GuardFailed(_("This message was deleted."))
    if now - message.created_at > EDIT_WINDOW:
        raise GuardFailed(
            _("This message can no longer be changed: a message can be changed up to %(n)d minutes after sending.")
            % {"n": int(EDIT_WINDOW.total_seconds() // 60)}
        )


def edit_message(*, actor: User, message: Message, body: str) -> Message:
    """The author changes a message within 15 minutes of sending; the earlier text is kept as a revision."""
    now = timezone.now()
    _require_changeable(actor, message, now)
    require_open(message.thread.case)
    text = _clean_body(body)
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        locked.thread = message.thread
        _require_changeable(actor, locked, now)
        if locked.body == text:
            return locked
        revision = MessageRevision.objects.create(
            message=locked, kind=RevisionKind.EDIT, body=locked.body, replaced_at=now, replaced_by=actor
        )
        locked.body = text
        locked.edited_at = now
        locked.save(update_fields=["body", "edited_at"])
        case = locked.thread.case
        log(
            "thread.message_edited",
            actor=actor,
            obj=locked,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"thread": str(locked.thread_id), "revision": revision.pk},
        )
    return locked


def delete_message(*, actor: User, message: Message) -> Message:
    """The author deletes a message within 15 minutes; its text is kept as a revision, the thread shows a trace."""
    now = timezone.now()
    _require_changeable(actor, message, now)
    require_open(message.thread.case)
    with transaction.atomic():
        locked = Message.objects.select_for_update().get(pk=message.pk)
        locked.thread = message.thread
        _require_changeable(actor, locked, now)
        revision = MessageRevision.objects.create(
            message=locked, kind=RevisionKind.DELETE, body=locked.body, replaced_at=now, replaced_by=actor
        )
        locked.body = ""
        locked.deleted_at = now
        locked.deleted_by = actor
        locked.save(update_fields=["body", "deleted_at", "deleted_by"])
        case = locked.thread.case
        log(
            "thread.message_deleted",
            actor=actor,
            obj=locked,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"thread": str(locked.thread_id), "revision": revision.pk},
        )
    return locked


def add_participant(*, actor: User, thread: Thread, user: User) -> ThreadParticipant:
    """The case's workers add someone who may see the case (never to the youth's own conversation)."""
    from ketenregie.consent.policy import can_work_on_case

    case = thread.case
    if not can_work_on_case(actor, case):
        raise NotAllowed(_("Only the case director or a coordinator adds people to a conversation."))
    if thread.is_portal:
        raise GuardFailed(_("The youth's conversation is with the case director only."))
    require_open(case)
    eligible = {u.pk for u in queries.eligible_participants(case, action=thread.action)}
    if user.pk not in eligible:
        raise _field("user", _("Choose people who may see this case."))
    now = timezone.now()
    with transaction.atomic():
        participant, created = ThreadParticipant.objects.get_or_create(
            thread=thread, user=user, defaults={"added_by": actor, "added_at": now}
        )
        if created:
            log(
                "thread.participant_added",
                actor=actor,
                obj=thread,
                chain_id=case.chain_id,
                case_id=case.pk,
                details={"user": str(user.pk)},
            )
            _notify_on_commit([user], "thread_added", case, _thread_url(thread))
    return participant


def mark_read(*, user: User, thread: Thread) -> None:
    """Remember that ``user`` has read ``thread`` up to now (read status is kept for participants)."""
    ThreadParticipant.objects.filter(thread=thread, user=user).update(last_read_at=timezone.now())


def log_read(*, actor: User, thread: Thread, view: str, count: int) -> None:
    """Every read of a thread's content is audited (SECURITY.md AU2)."""
    log(
        "thread.viewed",
        actor=actor,
        obj=thread,
        chain_id=thread.case.chain_id,
        case_id=thread.case_id,
        details={"view": view, "messages": count},
    )


# --- Partner workspace ------------------------------------------------------------------------------


def report_action_progress(*, actor: User, action, status: str, note: str = ""):
    """A plan action's status and note, updated by its responsible partner (or the case's workers).

    plans.domain.update_action_status decides and writes (a new plan version, an audit entry that
    the case timeline shows); the case director gets a notification when someone else updated it.
    """
    from ketenregie.plans.domain import update_action_status

    with transaction.atomic():
        updated = update_action_status(actor=actor, action=action, status=status, note=note)
        case = action.case
        director = case.case_director if case.case_director_id and case.case_director_id != actor.pk else None
        if director is not None and director.is_active:
            _notify_on_commit([director], "action_updated", case, reverse("plans:plan", kwargs={"case_id": case.pk}))
    return updated


# --- The youth's conversation with the case director ("Mijn traject") -----------------------------

PORTAL_SUBJECT = "Mijn traject"


def portal_thread(*, user: User, case: Case, create: bool = False) -> Thread | None:
    """The conversation of a portal account with the case's director (made on the first message)."""
    thread = Thread.objects.filter(case=case, portal_user=user).first()
    if thread is not None or not create:
        return thread
    now = timezone.now()
    with transaction.atomic():
        thread = Thread.objects.create(
            case=case, subject=PORTAL_SUBJECT, portal_user=user, created_by=user, last_message_at=now
        )
        ThreadParticipant.objects.create(thread=thread, user=user, added_by=user, added_at=now, last_read_at=now)
        if case.case_director_id:
            ThreadParticipant.objects.create(thread=thread, user_id=case.case_director_id, added_by=user, added_at=now)
        log("thread.started", actor=user, obj=thread, chain_id=case.chain_id, case_id=case.pk, details={"portal": True})
    return thread


def post_portal_message(*, actor: User, case: Case, body: str, submission_key: uuid.UUID | None = None) -> Message:
    """The youth (or trusted person) writes to their case director — never to partners directly.

    The caller (ketenregie/portal) established the actor's active access to ``case``.
    """
    with transaction.atomic():
        thread = portal_thread(user=actor, case=case, create=True)
        assert thread is not None  # noqa: S101 — create=True always returns one
        thread.case = case
        director = [case.case_director] if case.case_director_id and case.case_director else []
        return _post(
            actor=actor,
            thread=thread,
            body=body,
            submission_key=submission_key,
            notify_kind="portal_message",
            notify_users=director,
        )
