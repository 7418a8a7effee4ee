"""The case page: where the case stands, what the user can do next, and everything that happened."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenregie.cases import workflow
from ketenregie.cases.eligibility import Criterion, age_on
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case, CaseTransition, OTAgendaItem
from ketenregie.cases.queries import for_page_head, for_read_page
from ketenregie.cases.timeline import build_timeline, latest_history
from ketenregie.cases.views.base import get_case
from ketenregie.common import chain_version, fragments
from ketenregie.common.access import CASE, access_rule
from ketenregie.consent import policy

S = CaseStatus

# The main road of a case; not_included and withdrawn leave it on the side.
MAIN_STEPS = [S.REGISTERED, S.INTAKE, S.AWAITING_OT, S.INCLUDED, S.ACTIVE, S.CLOSED]

# Which playbook (draaiboek) text goes with each status.
PLAYBOOK_STEP = {
    S.REGISTERED: "registration",
    S.INTAKE: "intake",
    S.AWAITING_OT: "ot",
    S.INCLUDED: "start",
    S.ACTIVE: "followup",
    S.CLOSED: "closure",
}

# The case page tells the newest events; the history page all of them.
LATEST_EVENTS = 20

# Where to go to fix what a guard says is missing, and who may go there.
GUARD_FIXES = {
    workflow.intake_recorded: ("cases:intake", _("Go to the intake"), "work"),
    workflow.not_in_reflection_time: ("cases:intake", _("See the reflection time on the intake page"), "work"),
    workflow.consent_for_ot: ("cases:consent_list", _("Record the consents"), "work"),
    workflow.case_director_assigned: ("cases:assign", _("Assign a case director"), "coordinator"),
    workflow.decision_communicated: ("cases:record_start", _("Record who was informed"), "work"),
}


@dataclass
class Blocker:
    message: str
    fix_url: str = ""
    fix_label: str = ""


@dataclass
class OptionView:
    option: workflow.Option
    blockers: list[Blocker] = field(default_factory=list)
    primary: bool = False

    @property
    def name(self) -> str:
        return self.option.name

    @property
    def label(self) -> str:
        return self.option.label

    @property
    def blocked(self) -> bool:
        return bool(self.blockers)


def blockers(case: Case, user, option: workflow.Option) -> list[Blocker]:
    """Each message of what is still missing for ``option``, with a link to where it is fixed."""
    if not option.blocked_by:
        return []
    ctx = workflow.Context(actor=user)
    fixes = {}
    for guard in option.transition.guards:
        if guard in GUARD_FIXES and (message := guard(case, ctx)):
            fixes[message] = GUARD_FIXES[guard]
    result = []
    for message in option.blocked_by:
        blocker = Blocker(message)
        if message in fixes:
            url_name, label, who = fixes[message]
            allowed = (
                policy.is_coordinator(user, case.chain_id)
                if who == "coordinator"
                else policy.can_work_on_case(user, case)
            )
            if allowed:
                blocker.fix_url, blocker.fix_label = reverse(url_name, kwargs={"case_id": case.pk}), str(label)
        result.append(blocker)
    return result


def in_step_order(case: Case, options: list[OptionView]) -> list[OptionView]:
    """The step along the main road first (the obvious next step), side exits after it."""
    following = None
    if case.status in MAIN_STEPS and case.status != MAIN_STEPS[-1]:
        following = MAIN_STEPS[MAIN_STEPS.index(case.status) + 1]
    forward = [o for o in options if o.option.target == following]
    others = [o for o in options if o.option.target != following]
    if not forward and others:
        forward, others = others[:1], others[1:]
    for option in forward:
        option.primary = True
    return forward + others


def steps_of(case: Case) -> list[dict]:
    """The steps indicator: done, current (aria-current="step") or still to come."""
    if case.status in MAIN_STEPS:
        current = MAIN_STEPS.index(case.status)
        return [
            {"label": s.label, "state": "done" if i < current else ("current" if i == current else "todo")}
            for i, s in enumerate(MAIN_STEPS)
        ]
    reached = set(
        CaseTransition.objects.with_scope(chain=case.chain_id).filter(case=case).values_list("to_status", flat=True)
    )
    steps = [{"label": s.label, "state": "done"} for s in MAIN_STEPS if s in reached]
    steps.append({"label": S(case.status).label, "state": "current"})
    return steps


def criteria_of(stored: list) -> list[Criterion]:
    return [Criterion(c.get("code", ""), c.get("status", "unknown"), c.get("message", "")) for c in stored or []]


@access_rule(CASE)
def case_detail(request: HttpRequest, case_id) -> HttpResponse:
    # The policy decides on the case's keys; the rest of it is read when the main part is rendered.
    case = get_case(request, case_id, queryset=for_page_head(request.user))
    user = request.user
    if policy.partner_view(user, case):
        # A partner's read-only share: only the sections their consent covers.
        from ketenregie.cases.views.partner import partner_case_detail

        return partner_case_detail(request, _whole(user, case))
    full = policy.can_view_case_content(user, case)
    can_work = policy.can_work_on_case(user, case)
    coordinator = policy.is_coordinator(user, case.chain_id)
    # Read through an emergency access (break the glass): until when; or the way to ask for one.
    emergency_until = (
        policy.active_break_glass(user)
        .filter(case_id=case.pk)
        .order_by("-expires_at")
        .values_list("expires_at", flat=True)
        .first()
        if full and not can_work
        else None
    )
    may_break_glass = not full and policy.may_break_the_glass(user, case)
    content = fragments.render(
        request,
        "cases/_case_detail_main.html",
        lambda: (
            _content(_whole(user, case), user, full=full, can_work=can_work, coordinator=coordinator)
            | {"emergency_until": emergency_until, "may_break_glass": may_break_glass}
        ),
        versions=chain_version.case_tokens(case.pk, case.chain_id),
        varies_on=(full, can_work, coordinator, emergency_until, may_break_glass),
    )
    return render(request, "cases/case_detail.html", {"case": case, "youth": case.youth, "content": content.html})


def _whole(user, case: Case) -> Case:
    return policy.get_visible_case(user, case.pk, for_read_page(user))


def _content(case: Case, user, *, full: bool, can_work: bool, coordinator: bool) -> dict:
    """What the case page's main part shows the user, as the policy allowed it."""
    open_case = not case.is_closed
    in_trajectory = case.status in (S.INCLUDED, S.ACTIVE)
    options = []
    if open_case:
        options = in_step_order(
            case, [OptionView(o, blockers(case, user, o)) for o in workflow.allowed_transitions(case, user)]
        )
    # Listed here and told in the timeline: one query for both.
    ot_items = list(
        OTAgendaItem.objects.with_scope(chain=case.chain_id)
        .filter(case=case)
        .select_related("meeting", "decided_by")
        .order_by("-meeting__starts_at")
    )
    context = {
        "case": case,
        "youth": case.youth,
        "chain": case.chain,
        "age": age_on(case.youth.birth_date, timezone.localdate()),
        "full": full,
        "steps": steps_of(case),
        "playbook_step": PLAYBOOK_STEP.get(case.status, ""),
        "criteria": criteria_of(case.eligibility),
        "options": options,
        "ot_items": ot_items,
        "coordinator": coordinator,
        "actions": {
            "intake": can_work and open_case,
            "consents": can_work,
            "assign": coordinator and open_case,
            "record_start": can_work and in_trajectory,
            "flag_for_ot": can_work and in_trajectory and not case.flagged_for_ot,
            "new_trajectory": coordinator and case.is_closed,
        },
    }
    if full:
        offence_labels = dict(case.chain.offence_type_choices)
        offences = list(case.offences.all())
        for offence in offences:
            offence.type_label = offence_labels.get(offence.offence_type, offence.offence_type)
        context.update(
            offences=offences,
            guardians=list(case.guardians.all()),
            history=latest_history(case, LATEST_EVENTS, ot_items=ot_items),
            closure_summary=[
                (case.chain.life_domain_label(code) if code != "general" else _("General"), text)
                for code, text in (case.closure_summary or {}).items()
            ],
        )
    return context


@access_rule(CASE)
def case_history(request: HttpRequest, case_id) -> HttpResponse:
    """Everything that happened in the case, oldest first: the full dossier's readers only."""
    case = get_case(request, case_id, content=True, queryset=for_read_page(request.user))
    return render(
        request,
        "cases/case_history.html",
        {"case": case, "youth": case.youth, "chain": case.chain, "timeline": build_timeline(case)},
    )
