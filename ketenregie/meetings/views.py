"""Pages of the network meetings (FIX-overleg) of one case: list, plan, detail, invitation, held, evaluation.

Thin views: the form parses, meetings.domain decides — a meeting is never recorded as held without
the youth — and its field errors are shown next to the fields. Everyone who can see the case reads
these pages; only those who may work on it plan, record and evaluate.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ketenregie.audit.domain import log
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.views.base import apply_domain_error, get_case
from ketenregie.common.access import CASE, access_rule
from ketenregie.common.errors import DomainError
from ketenregie.consent import policy
from ketenregie.meetings import domain
from ketenregie.meetings.enums import MeetingStatus
from ketenregie.meetings.forms import (
    AgreementFormSet,
    EvaluationForm,
    HoldForm,
    PastMeetingForm,
    PlanMeetingForm,
    goal_choices,
    member_choices,
)
from ketenregie.meetings.models import ActionEvaluation, DomainProgress, MeetingAttendance, NetworkMeeting
from ketenregie.network.models import NetworkMember
from ketenregie.plans.enums import OPEN_ACTION_STATUSES
from ketenregie.plans.forms import current_members
from ketenregie.plans.models import Action, Goal, PlanDomain

# A meeting can be recorded as held from one hour before its start (meetings.domain.hold_meeting).
HOLD_WINDOW = timedelta(hours=1)


def _meeting_or_404(case, meeting_id) -> NetworkMeeting:
    meeting = (
        NetworkMeeting.objects.filter(case=case, pk=meeting_id)
        .select_related("legal_basis", "created_by")
        .prefetch_related(Prefetch("invitees", queryset=NetworkMember.objects.select_related("organisation")))
        .first()
    )
    if meeting is None:
        raise Http404
    meeting.case = case  # the domain functions read meeting.case: spare the query
    return meeting


def _can_work(request: HttpRequest, case) -> bool:
    return policy.can_work_on_case(request.user, case) and not case.is_closed


def _labels(chain) -> dict[str, str]:
    return {d["code"]: d["label"] for d in chain.life_domains}


def _plan_domains(case) -> list[PlanDomain]:
    order = {d["code"]: i for i, d in enumerate(case.chain.life_domains)}
    domains = list(
        PlanDomain.objects.filter(plan__case=case).prefetch_related(Prefetch("goals", queryset=Goal.objects.all()))
    )
    return sorted(domains, key=lambda d: order.get(d.domain, len(order)))


def _can_be_held(meeting: NetworkMeeting) -> bool:
    return meeting.status == MeetingStatus.PLANNED and meeting.starts_at <= timezone.now() + HOLD_WINDOW


# --- List and planning ----------------------------------------------------------------------------


@access_rule(CASE)
def meeting_list(request: HttpRequest, case_id) -> HttpResponse:
    case = get_case(request, case_id, content=True)
    meetings = list(
        NetworkMeeting.objects.filter(case=case)
        .annotate(invitee_count=Count("invitees", distinct=True))
        .order_by("starts_at")
    )
    now = timezone.now()
    for m in meetings:
        m.to_record = m.status == MeetingStatus.PLANNED and m.starts_at <= now + HOLD_WINDOW
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "case": case,
            "upcoming": [m for m in meetings if m.status == MeetingStatus.PLANNED],
            "held": [m for m in reversed(meetings) if m.status == MeetingStatus.HELD],
            "cancelled": [m for m in reversed(meetings) if m.status == MeetingStatus.CANCELLED],
            "can_plan": _can_work(request, case) and case.status in (CaseStatus.INCLUDED, CaseStatus.ACTIVE),
            "can_work": _can_work(request, case),
        },
    )


@access_rule(CASE)
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, case_id) -> HttpResponse:
    case = get_case(request, case_id, work=True)
    if case.is_closed:
        messages.warning(request, _("This case is closed: no meeting can be planned any more."))
        return redirect("meetings:list", case_id=case.pk)
    members = current_members(case)
    form = PlanMeetingForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = domain.plan_meeting(
                actor=request.user,
                case=case,
                starts_at=data["starts_at"],
                location_kind=data["location_kind"],
                location=data["location"],
                agenda=data["agenda"],
                invitees=list(data["invitees"]),
                kind=data["kind"],
                duration_minutes=data["duration_minutes"],
                submission_key=data["submission_key"],
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(
                request, _("The meeting is planned. Download the calendar invitation or print it for the network.")
            )
            return redirect("meetings:detail", case_id=case.pk, meeting_id=meeting.pk)
    return render(request, "meetings/meeting_form.html", {"case": case, "form": form, "members": members})


# --- Detail, invitation ------------------------------------------------------------------------------


@access_rule(CASE)
def meeting_detail(request: HttpRequest, case_id, meeting_id) -> HttpResponse:
    case = get_case(request, case_id, content=True)
    meeting = _meeting_or_404(case, meeting_id)
    labels = _labels(case.chain)
    attendances = list(MeetingAttendance.objects.filter(meeting=meeting).order_by("-is_youth", "name"))
    agreements = list(
        Action.objects.filter(source_meeting=meeting)
        .select_related("goal__plan_domain", "responsible_member", "responsible_organisation")
        .order_by("goal__plan_domain__position", "goal__position", "position")
    )
    evaluations = list(
        ActionEvaluation.objects.filter(meeting=meeting).select_related(
            "action__goal__plan_domain", "action__responsible_member", "action__responsible_organisation"
        )
    )
    progress = list(DomainProgress.objects.filter(meeting=meeting))
    order = {d["code"]: i for i, d in enumerate(case.chain.life_domains)}
    progress.sort(key=lambda p: order.get(p.domain, len(order)))
    for p in progress:
        p.label = labels.get(p.domain, p.domain)
    for a in agreements + [e.action for e in evaluations]:
        a.domain_label = labels.get(a.goal.plan_domain.domain, a.goal.plan_domain.domain)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "case": case,
            "meeting": meeting,
            "attendances": attendances,
            "agreements": agreements,
            "evaluations": evaluations,
            "progress": progress,
            "can_work": _can_work(request, case),
            "can_be_held": _can_be_held(meeting),
            "is_planned": meeting.status == MeetingStatus.PLANNED,
            "is_held": meeting.status == MeetingStatus.HELD,
            "ends_at": meeting.starts_at + timedelta(minutes=meeting.duration_minutes),
        },
    )


@access_rule(CASE)
def invitation_ics(request: HttpRequest, case_id, meeting_id) -> HttpResponse:
    case = get_case(request, case_id, audit=False, content=True)
    meeting = _meeting_or_404(case, meeting_id)
    body = domain.invitation_ics(meeting)
    log("meeting.invite_downloaded", actor=request.user, obj=meeting, chain_id=case.chain_id, case_id=case.pk)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    day = timezone.localtime(meeting.starts_at)
    # The file name holds the date only, no personal data (SECURITY.md L9).
    response["Content-Disposition"] = f'attachment; filename="netwerkoverleg-{day:%Y-%m-%d}.ics"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@access_rule(CASE)
def invitation_print(request: HttpRequest, case_id, meeting_id) -> HttpResponse:
    case = get_case(request, case_id, content=True)
    meeting = _meeting_or_404(case, meeting_id)
    return render(
        request,
        "meetings/invitation.html",
        {
            "case": case,
            "meeting": meeting,
            "ends_at": meeting.starts_at + timedelta(minutes=meeting.duration_minutes),
            "director": case.case_director,
        },
    )


# --- Record as held -------------------------------------------------------------------------------


def _agreement_inputs(formset) -> tuple[list, list[int]]:
    """The filled agreement rows as domain Agreements, and which form each came from."""
    agreements, order = [], []
    for i, form in enumerate(formset.forms):
        if not form.has_changed():
            continue
        data = form.cleaned_data
        try:
            goal_id = uuid.UUID(data["goal"]) if data["goal"] else uuid.UUID(int=0)
            member = uuid.UUID(data["responsible"]) if data["responsible"] else None
        except ValueError:
            form.add_error(None, _("Choose from the lists."))
            continue
        agreements.append(
            domain.Agreement(goal_id=goal_id, what=data["what"], responsible_member=member, due_on=data["due_on"])
        )
        order.append(i)
    return agreements, order


def _held_data(form: HoldForm, agreements: list) -> domain.HeldData:
    """What a filled-in HoldForm says about a meeting that took place (planned or entered afterwards)."""
    return domain.HeldData(
        youth_attended=form.cleaned_data["youth_attended"],
        attendee_ids=form.attendee_ids(),
        acknowledged_ids=form.acknowledged_ids(),
        minutes=form.cleaned_data["minutes"],
        information_shared=form.cleaned_data["information_shared"],
        agreements=agreements,
    )


HOLD_FIELDS = {"youth_attended": "youth_attended", "attendee_ids": "present", "acknowledged_ids": "acknowledged"}
AGREEMENT_FIELDS = {"goal_id": "goal", "what": "what", "responsible_member": "responsible", "due_on": "due_on"}


def _place_hold_errors(form: HoldForm, formset, exc: DomainError, order: list[int]) -> None:
    if not exc.errors:
        form.add_error(None, exc.detail)
    for error in exc.errors:
        parts = error["field"].split(".")
        if parts[0] == "agreements" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(order):
            formset.forms[order[int(parts[1])]].add_error(AGREEMENT_FIELDS.get(parts[2]), error["message"])
        elif error["field"] in HOLD_FIELDS:
            form.add_error(HOLD_FIELDS[error["field"]], error["message"])
        else:
            form.add_error(None, error["message"])


@access_rule(CASE)
@require_http_methods(["GET", "POST"])
def meeting_hold(request: HttpRequest, case_id, meeting_id) -> HttpResponse:
    case = get_case(request, case_id, work=True)
    meeting = _meeting_or_404(case, meeting_id)
    if case.is_closed:
        messages.warning(request, _("This case is closed and can no longer be changed."))
        return redirect("meetings:detail", case_id=case.pk, meeting_id=meeting.pk)
    if meeting.status != MeetingStatus.PLANNED:
        messages.info(request, _("This meeting was already recorded."))
        return redirect("meetings:detail", case_id=case.pk, meeting_id=meeting.pk)
    if not _can_be_held(meeting):
        messages.warning(request, _("You can record the meeting as held once it has started."))
        return redirect("meetings:detail", case_id=case.pk, meeting_id=meeting.pk)
    members = current_members(case)
    invitees = list(meeting.invitees.all())
    known = {m.pk for m in members}
    members += [m for m in invitees if m.pk not in known]  # an invitee whose part ended since still attended
    domains = _plan_domains(case)
    labels = _labels(case.chain)
    form_kwargs = {"goal_choices": goal_choices(domains, labels), "member_choices": member_choices(members)}
    form = HoldForm(request.POST or None, members=members, invitee_ids=[m.pk for m in invitees])
    formset = AgreementFormSet(request.POST or None, prefix="agreements", form_kwargs=form_kwargs)
    has_goals = any(d.goals.all() for d in domains)
    refused = False
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        agreements, order = _agreement_inputs(formset)
        if not any(f.errors for f in formset.forms):
            data = _held_data(form, agreements)
            try:
                domain.hold_meeting(actor=request.user, meeting=meeting, data=data)
            except DomainError as exc:
                _place_hold_errors(form, formset, exc, order)
                refused = "youth_attended" in form.errors
            else:
                if agreements:
                    messages.success(
                        request, _("The meeting is recorded as held. The agreements are added to the plan as actions.")
                    )
                else:
                    messages.success(request, _("The meeting is recorded as held."))
                return redirect("meetings:detail", case_id=case.pk, meeting_id=meeting.pk)
    return render(
        request,
        "meetings/meeting_hold.html",
        {
            "case": case,
            "meeting": meeting,
            "form": form,
            "formset": formset,
            "has_goals": has_goals,
            "refused": refused,
            "rule": domain.NO_MEETING_WITHOUT_YOUTH,
        },
        status=422 if request.method == "POST" else 200,
    )


@access_rule(CASE)
@require_http_methods(["GET", "POST"])
def meeting_record(request: HttpRequest, case_id) -> HttpResponse:
    """Enter a meeting afterwards: when and where, who came, minutes and agreements, on one page."""
    case = get_case(request, case_id, work=True)
    if case.is_closed:
        messages.warning(request, _("This case is closed and can no longer be changed."))
        return redirect("meetings:list", case_id=case.pk)
    members = current_members(case)
    domains = _plan_domains(case)
    labels = _labels(case.chain)
    form_kwargs = {"goal_choices": goal_choices(domains, labels), "member_choices": member_choices(members)}
    when = PastMeetingForm(request.POST or None)
    form = HoldForm(request.POST or None, members=members, invitee_ids=[])
    formset = AgreementFormSet(request.POST or None, prefix="agreements", form_kwargs=form_kwargs)
    refused = False
    if request.method == "POST" and when.is_valid() & form.is_valid() & formset.is_valid():
        agreements, order = _agreement_inputs(formset)
        if not any(f.errors for f in formset.forms):
            data = when.cleaned_data
            held = _held_data(form, agreements)
            try:
                meeting = domain.record_past_meeting(
                    actor=request.user,
                    case=case,
                    starts_at=data["starts_at"],
                    location_kind=data["location_kind"],
                    location=data["location"],
                    agenda=data["agenda"],
                    kind=data["kind"],
                    duration_minutes=data["duration_minutes"],
                    data=held,
                    submission_key=data["submission_key"],
                )
            except DomainError as exc:
                when_errors = [e for e in exc.errors if e["field"] in when.fields]
                for error in when_errors:
                    when.add_error(error["field"], error["message"])
                rest = [e for e in exc.errors if e["field"] not in when.fields]
                if rest or not exc.errors:
                    _place_hold_errors(form, formset, type(exc)(exc.detail, errors=rest), order)
                refused = "youth_attended" in form.errors
            else:
                messages.success(request, _("The meeting is recorded as held."))
                return redirect("meetings:detail", case_id=case.pk, meeting_id=meeting.pk)
    return render(
        request,
        "meetings/meeting_record.html",
        {
            "case": case,
            "when": when,
            "form": form,
            "formset": formset,
            "has_goals": any(d.goals.all() for d in domains),
            "refused": refused,
            "rule": domain.NO_MEETING_WITHOUT_YOUTH,
        },
        status=422 if request.method == "POST" else 200,
    )


# --- Evaluation -------------------------------------------------------------------------------------


@access_rule(CASE)
@require_http_methods(["GET", "POST"])
def meeting_evaluate(request: HttpRequest, case_id, meeting_id) -> HttpResponse:
    case = get_case(request, case_id, work=True)
    meeting = _meeting_or_404(case, meeting_id)
    if case.is_closed:
        messages.warning(request, _("This case is closed and can no longer be changed."))
        return redirect("meetings:detail", case_id=case.pk, meeting_id=meeting.pk)
    if meeting.status != MeetingStatus.HELD:
        messages.warning(request, _("Record the meeting as held before evaluating it."))
        return redirect("meetings:detail", case_id=case.pk, meeting_id=meeting.pk)
    labels = _labels(case.chain)
    # The open agreements made before this meeting (and any already evaluated at it).
    actions = list(
        Action.objects.filter(case=case)
        .filter(Q(status__in=OPEN_ACTION_STATUSES) | Q(evaluations__meeting=meeting))
        .exclude(source_meeting=meeting)
        .select_related("goal__plan_domain", "responsible_member", "responsible_organisation")
        .distinct()
        .order_by("goal__plan_domain__position", "goal__position", "position")
    )
    for a in actions:
        a.domain_label = labels.get(a.goal.plan_domain.domain, a.goal.plan_domain.domain)
    codes = [d.domain for d in _plan_domains(case)]
    initial = {"cooperation": meeting.cooperation}
    for e in ActionEvaluation.objects.filter(meeting=meeting):
        initial.update(
            {
                f"kept_{e.action_id}": e.kept,
                f"realistic_{e.action_id}": "yes" if e.realistic else "no",
                f"note_{e.action_id}": e.note,
            }
        )
    for p in DomainProgress.objects.filter(meeting=meeting):
        initial.update({f"score_{p.domain}": str(p.score), f"scorenote_{p.domain}": p.note})
    form = EvaluationForm(request.POST or None, initial=initial, actions=actions, domains=codes, labels=labels)
    if request.method == "POST" and form.is_valid():
        action_inputs, progress_inputs = form.to_inputs()
        try:
            domain.evaluate_meeting(
                actor=request.user,
                meeting=meeting,
                actions=action_inputs,
                progress=progress_inputs,
                cooperation=form.cleaned_data["cooperation"],
            )
        except DomainError as exc:
            form.place_errors(exc.errors, action_inputs, progress_inputs)
            if not exc.errors:
                form.add_error(None, exc.detail)
        else:
            messages.success(request, _("The evaluation is saved."))
            return redirect("meetings:detail", case_id=case.pk, meeting_id=meeting.pk)
    return render(request, "meetings/meeting_evaluate.html", {"case": case, "meeting": meeting, "form": form})
