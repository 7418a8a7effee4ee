"""Pages of conversations about a case: the case's threads, one's own inbox, a thread, its attachments.

Thin views: the case is fetched through the policy (``get_visible_case``), threads.queries decides
who reads which thread, threads.domain writes. A thread outside the reader's reach — a case no
longer visible, a thread they do not take part in — answers the same 404 as one that does not
exist, and the attempt is audited. Every read of thread content is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ketenregie.audit.domain import log
from ketenregie.cases.views.base import apply_domain_error
from ketenregie.common.access import AUTHENTICATED, CASE, access_rule
from ketenregie.common.errors import DomainError, NotAllowed
from ketenregie.consent import policy
from ketenregie.consent.documents import document_response
from ketenregie.meetings.models import NetworkMeeting
from ketenregie.plans.models import Action
from ketenregie.threads import domain, queries
from ketenregie.threads.forms import EditForm, MessageForm, ParticipantForm, ThreadForm
from ketenregie.threads.models import Attachment, Message, Thread


def _denied(request: HttpRequest, obj, case_id, chain_id, view: str) -> Http404:
    log(
        "access.denied",
        actor=request.user,
        obj=obj,
        chain_id=chain_id,
        case_id=case_id,
        result="denied",
        details={"view": view},
    )
    return Http404()


def thread_or_404(request: HttpRequest, thread_id, *, view: str) -> Thread:
    """The thread, if the user may read it now; else 404, with the refused attempt in the audit log."""
    thread = (
        Thread.objects.filter(pk=thread_id)
        .select_related("meeting", "action", "action__goal__plan_domain", "portal_user")
        .first()
    )
    if thread is None:
        raise Http404
    try:
        case = policy.get_visible_case(request.user, thread.case_id)
    except Http404:
        raise _denied(request, thread, thread.case_id, None, view) from None
    thread.case = case
    if not queries.may_read(request.user, thread):
        raise _denied(request, thread, case.pk, case.chain_id, view)
    return thread


def _visible_case(request: HttpRequest, case_id):
    return policy.get_visible_case(request.user, case_id)


def _link_targets(request: HttpRequest, case) -> tuple[NetworkMeeting | None, Action | None]:
    """The meeting or action a new thread is about, from ?overleg= / ?actie= (404 when not of this case)."""
    source = request.POST if request.method == "POST" else request.GET
    meeting = action = None
    try:
        if source.get("overleg"):
            meeting = NetworkMeeting.objects.filter(case=case, pk=source["overleg"]).first()
            if meeting is None:
                raise Http404
        if source.get("actie"):
            action = Action.objects.filter(case=case, pk=source["actie"]).select_related("goal__plan_domain").first()
            if action is None or not queries.may_see_domain(request.user, case, queries.action_domain(action)):
                raise Http404
    except (ValidationError, ValueError, TypeError):  # a malformed id looks missing too
        raise Http404 from None
    return meeting, action


@access_rule(CASE)
def case_threads(request: HttpRequest, case_id) -> HttpResponse:
    case = _visible_case(request, case_id)
    threads = queries.threads_of_case(request.user, case)
    log(
        "thread.listed",
        actor=request.user,
        obj=case,
        chain_id=case.chain_id,
        case_id=case.pk,
        details={"view": "case_threads", "count": len(threads)},
    )
    eligible = {u.pk for u in queries.eligible_participants(case)}
    return render(
        request,
        "threads/case_threads.html",
        {
            "case": case,
            "threads": threads,
            "can_start": request.user.pk in eligible and not case.is_closed,
        },
    )


@access_rule(AUTHENTICATED)
def inbox(request: HttpRequest) -> HttpResponse:
    threads = queries.my_threads(request.user)
    log("thread.listed", actor=request.user, details={"view": "inbox", "count": len(threads)})
    return render(request, "threads/inbox.html", {"threads": threads})


@access_rule(CASE)
@require_http_methods(["GET", "POST"])
def thread_create(request: HttpRequest, case_id) -> HttpResponse:
    case = _visible_case(request, case_id)
    meeting, action = _link_targets(request, case)
    people = [u for u in queries.eligible_participants(case, action=action) if u.pk != request.user.pk]
    if request.user.pk not in {u.pk for u in queries.eligible_participants(case, action=action)}:
        raise _denied(request, case, case.pk, case.chain_id, "thread_create")
    if request.method == "GET":  # the form shows the case's people: a read of the case (AU2)
        log(
            "case.viewed",
            actor=request.user,
            obj=case,
            chain_id=case.chain_id,
            case_id=case.pk,
            details={"view": "threads:create"},
        )
    if case.is_closed:
        messages.error(request, _("This case is closed and can no longer be changed."))
        return redirect("threads:case_threads", case_id=case.pk)
    initial = {}
    if case.case_director_id and case.case_director_id != request.user.pk:
        initial["participants"] = [str(case.case_director_id)]
    if action is not None:
        initial["subject"] = _("About the action: %(what)s") % {"what": action.what[:100]}
    elif meeting is not None:
        initial["subject"] = _("About the network meeting of %(date)s") % {
            "date": timezone.localtime(meeting.starts_at).strftime("%d/%m/%Y")
        }
    form = ThreadForm(request.POST or None, request.FILES or None, people=people, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            thread = domain.start_thread(
                actor=request.user,
                case=case,
                subject=data["subject"],
                body=data["body"],
                participants=form.chosen(),
                meeting=meeting,
                action=action,
                attachments=[data.get("attachment")],
                submission_key=data.get("submission_key"),
            )
        except NotAllowed:
            raise Http404 from None
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("The conversation is started."))
            return redirect("threads:detail", thread_id=thread.pk)
    return render(
        request,
        "threads/thread_form.html",
        {"case": case, "form": form, "meeting": meeting, "action": action},
    )


def _detail_context(request: HttpRequest, thread: Thread, *, form=None, participant_form=None) -> dict:
    case = thread.case
    thread_messages = list(
        Message.objects.filter(thread=thread)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("name")))
    )
    now = timezone.now()
    for m in thread_messages:
        m.changeable = m.author_id == request.user.pk and not m.is_deleted and now - m.created_at <= domain.EDIT_WINDOW
    participants = list(thread.participants.select_related("user").order_by("added_at"))
    open_case = not case.is_closed
    can_manage = policy.can_work_on_case(request.user, case) and open_case and not thread.is_portal
    if participant_form is None and can_manage:
        taking_part = {p.user_id for p in participants}
        candidates = [u for u in queries.eligible_participants(case, action=thread.action) if u.pk not in taking_part]
        participant_form = ParticipantForm(people=candidates) if candidates else None
    show_action = thread.action is not None and queries.may_see_domain(
        request.user, case, queries.action_domain(thread.action)
    )
    return {
        "case": case,
        "thread": thread,
        "thread_messages": thread_messages,
        "participants": participants,
        "form": form if form is not None else (MessageForm() if open_case else None),
        "participant_form": participant_form,
        "show_action": show_action,
        "edit_minutes": int(domain.EDIT_WINDOW.total_seconds() // 60),
        "is_case_worker": policy.can_view_case_content(request.user, case),
    }


@access_rule(CASE)
@require_http_methods(["GET", "POST"])
def thread_detail(request: HttpRequest, thread_id) -> HttpResponse:
    thread = thread_or_404(request, thread_id, view="thread")
    form = None
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                domain.post_message(
                    actor=request.user,
                    thread=thread,
                    body=form.cleaned_data["body"],
                    attachments=[form.cleaned_data.get("attachment")],
                    submission_key=form.cleaned_data.get("submission_key"),
                )
            except NotAllowed:
                raise Http404 from None
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Your message is sent."))
                return redirect(reverse("threads:detail", kwargs={"thread_id": thread.pk}) + "#laatste")
    context = _detail_context(request, thread, form=form)
    domain.log_read(actor=request.user, thread=thread, view="thread", count=len(context["thread_messages"]))
    domain.mark_read(user=request.user, thread=thread)
    return render(
        request, "threads/thread_detail.html", context, status=200 if form is None or form.is_valid() else 422
    )


def _own_message(request: HttpRequest, thread: Thread, message_id) -> Message:
    message = Message.objects.filter(thread=thread, pk=message_id).select_related("thread").first()
    if message is None:
        raise Http404
    message.thread = thread
    return message


@access_rule(CASE)
@require_http_methods(["GET", "POST"])
def message_edit(request: HttpRequest, thread_id, message_id) -> HttpResponse:
    thread = thread_or_404(request, thread_id, view="message_edit")
    message = _own_message(request, thread, message_id)
    if message.author_id != request.user.pk:
        raise Http404
    form = EditForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST" and form.is_valid():
        try:
            domain.edit_message(actor=request.user, message=message, body=form.cleaned_data["body"])
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("threads:detail", thread_id=thread.pk)
        messages.success(request, _("Your message is changed."))
        return redirect(reverse("threads:detail", kwargs={"thread_id": thread.pk}) + f"#bericht-{message.pk}")
    if message.is_deleted or timezone.now() - message.created_at > domain.EDIT_WINDOW:
        messages.error(
            request,
            _("This message can no longer be changed: a message can be changed up to %(n)d minutes after sending.")
            % {"n": int(domain.EDIT_WINDOW.total_seconds() // 60)},
        )
        return redirect("threads:detail", thread_id=thread.pk)
    domain.log_read(actor=request.user, thread=thread, view="message_edit", count=1)
    return render(request, "threads/message_edit.html", {"case": thread.case, "thread": thread, "form": form})


@access_rule(CASE)
@require_POST
def message_delete(request: HttpRequest, thread_id, message_id) -> HttpResponse:
    thread = thread_or_404(request, thread_id, view="message_delete")
    message = _own_message(request, thread, message_id)
    if message.author_id != request.user.pk:
        raise Http404
    try:
        domain.delete_message(actor=request.user, message=message)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Your message is deleted."))
    return redirect("threads:detail", thread_id=thread.pk)


@access_rule(CASE)
@require_POST
def participant_add(request: HttpRequest, thread_id) -> HttpResponse:
    thread = thread_or_404(request, thread_id, view="participant_add")
    candidates = queries.eligible_participants(thread.case, action=thread.action)
    form = ParticipantForm(request.POST, people=candidates)
    if form.is_valid():
        person = form.people.get(form.cleaned_data["user"])
        try:
            if person is None:
                raise Http404
            domain.add_participant(actor=request.user, thread=thread, user=person)
        except NotAllowed:
            raise Http404 from None
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(
                request,
                _("%(name)s takes part in the conversation now.") % {"name": person.get_full_name() or person.username},
            )
    else:
        messages.error(request, _("Choose a person."))
    return redirect("threads:detail", thread_id=thread.pk)


@access_rule(CASE)
def attachment_download(request: HttpRequest, attachment_id) -> HttpResponse:
    attachment = Attachment.objects.filter(pk=attachment_id).select_related("message").first()
    if attachment is None or attachment.message.is_deleted:
        raise Http404
    thread = thread_or_404(request, attachment.message.thread_id, view="attachment")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    log(
        "thread.attachment_downloaded",
        actor=request.user,
        obj=attachment,
        chain_id=thread.case.chain_id,
        case_id=thread.case_id,
        details={"thread": str(thread.pk), "message": str(attachment.message_id)},
    )
    return document_response(handle, filename=attachment.name, content_type=attachment.content_type)
