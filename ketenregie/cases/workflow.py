"""The case workflow: one transition table, one funnel.

Each transition names its sources, its target, the roles that may take it, whether it only
happens through an OT decision, and its guards. A guard is a predicate that returns the reason it
fails (in the user's language) or None. Buttons in the UI and ``allowed_transitions`` in the API
are read from this table; ``transition_case`` is the only code that changes ``Case.status``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ketenregie.accounts.enums import Role
from ketenregie.accounts.queries import roles_in
from ketenregie.audit.domain import log
from ketenregie.cases.eligibility import is_minor
from ketenregie.cases.enums import CLOSURE_REASONS_NEEDING_OT, CaseStatus, ClosureReason, OTDecision
from ketenregie.cases.models import Case, CaseTransition
from ketenregie.common.errors import GuardFailed, NotAllowed, StaleVersion

S = CaseStatus


@dataclass
class Context:
    """What a transition is asked with: who, when, why, and step-specific details."""

    actor: Any
    reason: str = ""
    on: date = field(default_factory=timezone.localdate)
    closure_reason: str = ""
    closure_summary: dict = field(default_factory=dict)
    first_conversation_on: date | None = None
    ot_item: Any = None  # the OTAgendaItem whose decision triggers this transition


Guard = Callable[[Case, Context], "str | None"]


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    guards: tuple[Guard, ...]
    label: Any
    via_ot: bool = False  # only as the consequence of an OT decision, never a button
    assigned_case_director_may: bool = False  # the case's own case director may take it too
    needs_reason: bool = False


# --- Guards -----------------------------------------------------------------------------------


def _valid_consents(case: Case, kind: str, day: date, given_by: str | None = None) -> list:
    from ketenregie.consent.models import Consent

    consents = Consent.objects.with_scope(chain=case.chain_id).filter(case=case, kind=kind)
    if given_by:
        consents = consents.filter(given_by=given_by)
    return [c for c in consents if c.is_valid_on(day)]


def consent_for_ot(case: Case, ctx: Context) -> str | None:
    """The youth consented to discuss the case in the OT; a minor also with parents and engagement."""
    from ketenregie.consent.enums import ConsentKind, GivenBy

    missing = []
    if not _valid_consents(case, ConsentKind.OT_DISCUSSION, ctx.on, GivenBy.YOUTH):
        missing.append(_("a valid consent of the youth to discuss the case in the OT"))
    if is_minor(case.youth.birth_date, ctx.on):
        if not _valid_consents(case, ConsentKind.PARENTAL, ctx.on, GivenBy.PARENT):
            missing.append(_("parental consent (the youth is a minor)"))
        if not _valid_consents(case, ConsentKind.ENGAGEMENT, ctx.on):
            missing.append(_("a signed engagement declaration (the youth is a minor)"))
    if missing:
        return _("Still missing: %(missing)s.") % {"missing": "; ".join(missing)}
    return None


def not_in_reflection_time(case: Case, ctx: Context) -> str | None:
    if case.reflection_until and case.reflection_until >= ctx.on:
        return _("The youth takes reflection time until %(date)s; the case waits in intake until then.") % {
            "date": date_format(case.reflection_until, "j F Y")
        }
    return None


def intake_recorded(case: Case, ctx: Context) -> str | None:
    from ketenregie.cases.models import Intake

    intake = Intake.objects.with_scope(chain=case.chain_id).filter(case=case).first()
    if intake is None or not intake.intake_on:
        return _("Record the intake conversation first (date and intake form).")
    return None


def decided_by_ot(decision: str) -> Guard:
    def guard(case: Case, ctx: Context) -> str | None:
        item = ctx.ot_item
        if item is None or item.case_id != case.pk or item.decision != decision:
            return _("This step is an OT decision: record it on the OT meeting's agenda.")
        return None

    guard.__name__ = f"decided_by_ot_{decision}"
    return guard


def inclusion_complete(case: Case, ctx: Context) -> str | None:
    item = ctx.ot_item
    problems = []
    if item is None or not item.chosen_case_director_id:
        problems.append(_("choose the case director"))
    if item is None or not (item.subsidiarity or "").strip():
        problems.append(_("motivate why no regular structure can take the case (subsidiarity)"))
    if problems:
        return _("To include the case: %(todo)s.") % {"todo": "; ".join(problems)}
    return None


def advice_given(case: Case, ctx: Context) -> str | None:
    advice = (ctx.ot_item.advice if ctx.ot_item is not None else "") or ctx.reason
    if not advice.strip():
        return _("Write the advice to the referrer: which other way can take up this case?")
    return None


def not_awaiting_ot(case: Case, ctx: Context) -> str | None:
    if case.status == S.AWAITING_OT and ctx.ot_item is None:
        return _("The case is on the OT's list: not including it is an OT decision.")
    return None


def reason_given(case: Case, ctx: Context) -> str | None:
    if not ctx.reason.strip():
        return _("Give a reason.")
    return None


def case_director_assigned(case: Case, ctx: Context) -> str | None:
    if not case.case_director_id:
        return _("Assign a case director first.")
    return None


def decision_communicated(case: Case, ctx: Context) -> str | None:
    problems = []
    if not case.referrer_informed_on:
        problems.append(_("record when the referrer was informed of the decision"))
    if not case.youth_informed_of_decision_on:
        problems.append(_("record when the youth was informed of the decision"))
    if problems:
        return _("To start the trajectory: %(todo)s.") % {"todo": "; ".join(problems)}
    return None


def first_conversation_held(case: Case, ctx: Context) -> str | None:
    """The trajectory starts with the case director's first conversation with the youth."""
    held_on = ctx.first_conversation_on or case.first_conversation_on
    if not held_on:
        return _("Record the date of the first conversation with the youth.")
    if held_on > ctx.on:
        return _("The first conversation cannot be in the future.")
    if held_on < case.registered_on:
        return _("The first conversation cannot be before the registration.")
    return None


def closure_reason_given(case: Case, ctx: Context) -> str | None:
    if ctx.closure_reason not in ClosureReason.values:
        return _("Choose the reason for closing the case.")
    return None


def closure_summary_given(case: Case, ctx: Context) -> str | None:
    if not any((text or "").strip() for text in (ctx.closure_summary or {}).values()):
        return _("Write the closing summary for at least one life domain.")
    return None


def stop_decided_by_ot(case: Case, ctx: Context) -> str | None:
    """A stop and other major decisions go via an OT agenda item first."""
    if ctx.closure_reason not in CLOSURE_REASONS_NEEDING_OT:
        return None
    from ketenregie.cases.models import OTAgendaItem

    stopped = OTAgendaItem.objects.with_scope(chain=case.chain_id).filter(case=case, decision=OTDecision.STOP).exists()
    if not stopped:
        return _(
            "Closing for this reason is a stop: put the case on the OT agenda and record the OT's stop decision first."
        )
    return None


# --- The table ----------------------------------------------------------------------------------

COORDINATOR = frozenset({Role.OPERATIONAL_COORDINATOR})

TRANSITIONS: tuple[Transition, ...] = (
    Transition("start_intake", frozenset({S.REGISTERED}), S.INTAKE, COORDINATOR, (), gettext_lazy("Start intake")),
    Transition(
        "submit_to_ot",
        frozenset({S.INTAKE}),
        S.AWAITING_OT,
        COORDINATOR,
        (intake_recorded, not_in_reflection_time, consent_for_ot),
        gettext_lazy("Put on the OT's list"),
    ),
    Transition(
        "back_to_intake",
        frozenset({S.AWAITING_OT}),
        S.INTAKE,
        COORDINATOR,
        (reason_given,),
        gettext_lazy("Back to intake"),
        needs_reason=True,
    ),
    Transition(
        "include",
        frozenset({S.AWAITING_OT}),
        S.INCLUDED,
        COORDINATOR,
        (decided_by_ot(OTDecision.INCLUDE), consent_for_ot, inclusion_complete),
        gettext_lazy("Include"),
        via_ot=True,
    ),
    Transition(
        "not_include",
        frozenset({S.REGISTERED, S.INTAKE, S.AWAITING_OT}),
        S.NOT_INCLUDED,
        COORDINATOR,
        (not_awaiting_ot, advice_given),
        gettext_lazy("Do not include (advice to the referrer)"),
        needs_reason=True,
    ),
    Transition(
        "withdraw",
        frozenset({S.REGISTERED, S.INTAKE, S.AWAITING_OT, S.INCLUDED}),
        S.WITHDRAWN,
        COORDINATOR,
        (reason_given,),
        gettext_lazy("Youth declines or withdraws"),
        needs_reason=True,
    ),
    Transition(
        "activate",
        frozenset({S.INCLUDED}),
        S.ACTIVE,
        COORDINATOR,
        (case_director_assigned, decision_communicated, first_conversation_held),
        gettext_lazy("Start the trajectory"),
        assigned_case_director_may=True,
    ),
    Transition(
        "close",
        frozenset({S.INCLUDED, S.ACTIVE}),
        S.CLOSED,
        COORDINATOR,
        (closure_reason_given, closure_summary_given, stop_decided_by_ot),
        gettext_lazy("Close the case"),
        assigned_case_director_may=True,
    ),
    Transition(
        "reopen_registration",
        frozenset({S.NOT_INCLUDED}),
        S.REGISTERED,
        COORDINATOR,
        (reason_given,),
        gettext_lazy("Take the registration up again"),
        needs_reason=True,
    ),
)

BY_NAME = {t.name: t for t in TRANSITIONS}


def transition_between(source: str, target: str) -> Transition | None:
    return next((t for t in TRANSITIONS if source in t.sources and t.target == target), None)


def may_take(user: Any, case: Case, transition: Transition) -> bool:
    """The role part of a transition: a coordinator of the chain, or the case's own case director."""
    if roles_in(user, case.chain_id) & transition.roles:
        return True
    return bool(
        transition.assigned_case_director_may
        and case.case_director_id == getattr(user, "pk", None)
        and Role.CASE_DIRECTOR in roles_in(user, case.chain_id)
    )


def failing_guards(case: Case, transition: Transition, ctx: Context) -> list[str]:
    return [message for guard in transition.guards if (message := guard(case, ctx))]


@dataclass
class Option:
    """A transition as offered to a user, with the reasons it is blocked right now."""

    transition: Transition
    blocked_by: list[str]

    @property
    def name(self) -> str:
        return self.transition.name

    @property
    def target(self) -> str:
        return self.transition.target

    @property
    def label(self) -> str:
        return str(self.transition.label)


# Guards that depend on input the user still has to give are not "blocking" in the overview.
_INPUT_GUARDS = {
    reason_given,
    advice_given,
    closure_reason_given,
    closure_summary_given,
    stop_decided_by_ot,
    first_conversation_held,
}


def allowed_transitions(case: Case, user: Any) -> list[Option]:
    """Transitions ``user`` may start from the case's current status (OT-only ones excluded)."""
    from ketenregie.cases.domain import restriction_message

    ctx = Context(actor=user)
    frozen = restriction_message(case)
    options = []
    for transition in TRANSITIONS:
        if case.status not in transition.sources or transition.via_ot or not may_take(user, case, transition):
            continue
        blocked = [m for g in transition.guards if g not in _INPUT_GUARDS and (m := g(case, ctx))]
        options.append(Option(transition, [frozen, *blocked] if frozen else blocked))
    return options


def transition_case(case: Case, to: str, *, actor: Any, expected_version: int | None = None, **details: Any) -> Case:
    """The single funnel for status changes: lock, check role and guards, save, record, audit.

    Raises NotAllowed when the role may not take the step, GuardFailed with every failing guard's
    message when the step is refused, StaleVersion when someone else changed the case first.
    """
    ctx = Context(actor=actor, **details)
    with transaction.atomic():
        locked = (
            Case.objects.with_scope(chain=case.chain_id).select_for_update().select_related("youth").get(pk=case.pk)
        )
        if expected_version is not None and locked.version != expected_version:
            raise StaleVersion(_("Someone else changed this case in the meantime. Reload the page and try again."))
        transition = transition_between(locked.status, to)
        if transition is None:
            raise GuardFailed(
                _("A case with status “%(status)s” cannot go to “%(target)s”.")
                % {"status": S(locked.status).label, "target": S(to).label if to in S.values else to},
                errors=[{"field": "to", "message": _("This step is not possible from the current status.")}],
            )
        if not may_take(actor, locked, transition):
            raise NotAllowed(_("Your role does not allow this step."))
        from ketenregie.cases.domain import require_unrestricted

        require_unrestricted(locked)
        problems = failing_guards(locked, transition, ctx)
        if problems:
            raise GuardFailed(" ".join(problems), errors=[{"field": "to", "message": m} for m in problems])
        previous = locked.status
        locked.status = transition.target
        locked.version += 1
        fields = ["status", "version", "updated_at"]
        if transition.target == S.CLOSED:
            locked.closure_reason = ctx.closure_reason
            locked.closure_summary = {k: v for k, v in ctx.closure_summary.items() if (v or "").strip()}
            locked.closed_on = ctx.on
            fields += ["closure_reason", "closure_summary", "closed_on"]
        if transition.target == S.ACTIVE and ctx.first_conversation_on:
            locked.first_conversation_on = ctx.first_conversation_on
            fields.append("first_conversation_on")
        if transition.target == S.NOT_INCLUDED:
            locked.not_included_advice = (ctx.ot_item.advice if ctx.ot_item is not None else "") or ctx.reason
            fields.append("not_included_advice")
            if ctx.ot_item is not None and ctx.ot_item.recontact_on:
                locked.recontact_on = ctx.ot_item.recontact_on
                fields.append("recontact_on")
        if previous == S.AWAITING_OT and transition.target == S.INTAKE:
            # Off the OT's list: its undecided agenda items go, so no one decides on a case not ready.
            from ketenregie.cases.enums import OTMeetingStatus
            from ketenregie.cases.models import OTAgendaItem

            OTAgendaItem.objects.with_scope(chain=locked.chain_id).filter(
                case=locked, decision="", meeting__status=OTMeetingStatus.PLANNED
            ).delete()
        if transition.target == S.REGISTERED and previous == S.NOT_INCLUDED:
            locked.recontact_on = None  # the re-contact it asked for is happening now
            fields.append("recontact_on")
        locked.save(update_fields=fields)
        CaseTransition.objects.create(
            case=locked,
            from_status=previous,
            to_status=transition.target,
            actor=actor,
            reason=ctx.reason,
            occurred_at=timezone.now(),
        )
        log(
            "case.transition",
            actor=actor,
            obj=locked,
            chain_id=locked.chain_id,
            case_id=locked.pk,
            details={"from": previous, "to": transition.target, "transition": transition.name},
        )
    case.refresh_from_db()
    return locked
