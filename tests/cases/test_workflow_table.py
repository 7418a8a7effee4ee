"""The transition table of cases/workflow.py: every status × every status, who may, and what is written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ketenregie.cases import domain, workflow
from ketenregie.cases.enums import CaseStatus, ClosureReason, OTDecision
from ketenregie.cases.models import Case, CaseTransition
from ketenregie.common.errors import GuardFailed, NotAllowed, StaleVersion
from tests.cases.conftest import ADVICE, SUBSIDIARITY, SUMMARY

S = CaseStatus
STATUSES = list(CaseStatus)

# The table as DESIGN.md "Case workflow" draws it, written out by hand so the code cannot drift from it
# unnoticed: (source, target) -> transition name. Every other pair must be refused.
EXPECTED = {
    (S.REGISTERED, S.INTAKE): "start_intake",
    (S.INTAKE, S.AWAITING_OT): "submit_to_ot",
    (S.AWAITING_OT, S.INTAKE): "back_to_intake",
    (S.AWAITING_OT, S.INCLUDED): "include",
    (S.REGISTERED, S.NOT_INCLUDED): "not_include",
    (S.INTAKE, S.NOT_INCLUDED): "not_include",
    (S.AWAITING_OT, S.NOT_INCLUDED): "not_include",
    (S.REGISTERED, S.WITHDRAWN): "withdraw",
    (S.INTAKE, S.WITHDRAWN): "withdraw",
    (S.AWAITING_OT, S.WITHDRAWN): "withdraw",
    (S.INCLUDED, S.WITHDRAWN): "withdraw",
    (S.INCLUDED, S.ACTIVE): "activate",
    (S.INCLUDED, S.CLOSED): "close",
    (S.ACTIVE, S.CLOSED): "close",
    (S.NOT_INCLUDED, S.REGISTERED): "reopen_registration",
}
REFUSED = [(s, t) for s in STATUSES for t in STATUSES if (s, t) not in EXPECTED]

# Enough details that no guard of any transition fails: a refusal can only come from the table.
EVERY_DETAIL = {
    "reason": "Reden",
    "closure_reason": ClosureReason.GOALS_REACHED,
    "closure_summary": SUMMARY,
}


def pair_id(pair) -> str:
    return f"{pair[0]}->{pair[1]}"


def force_status(case: Case, status: str) -> Case:
    # An arbitrary state for the table test, written directly: the funnel must answer from the table
    # (or the role check) before any guard looks at the case, so the path that led here is irrelevant.
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    return case


def state(case: Case) -> tuple:
    fresh = Case.objects.get(pk=case.pk)
    return fresh.status, fresh.version, CaseTransition.objects.filter(case=case).count()


# --- The table itself ---------------------------------------------------------------------------


@pytest.mark.parametrize("target", STATUSES)
@pytest.mark.parametrize("source", STATUSES)
def test_transition_between_returns_exactly_the_table(source, target):
    found = workflow.transition_between(source, target)

    if (source, target) in EXPECTED:
        assert found is not None
        assert found.name == EXPECTED[(source, target)]
        assert source in found.sources and found.target == target
    else:
        assert found is None


def test_the_table_holds_no_pair_twice_and_no_pair_beyond_the_design():
    pairs = [(s, t.target) for t in workflow.TRANSITIONS for s in t.sources]

    assert len(pairs) == len(set(pairs))
    assert set(pairs) == set(EXPECTED)


def test_final_statuses_have_no_way_out():
    for final in (S.CLOSED, S.WITHDRAWN):
        assert [t.name for t in workflow.TRANSITIONS if final in t.sources] == []


# --- Pairs outside the table --------------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), REFUSED, ids=[pair_id(p) for p in REFUSED])
def test_a_pair_outside_the_table_is_refused_and_nothing_is_written(source, target, make_case, coordinator, counts):
    case = force_status(make_case(), source)
    before, rows = state(case), counts()

    with pytest.raises(GuardFailed) as refused:
        workflow.transition_case(case, target, actor=coordinator, **EVERY_DETAIL)

    assert refused.value.detail == f"A case with status “{S(source).label}” cannot go to “{S(target).label}”."
    assert refused.value.errors == [{"field": "to", "message": "This step is not possible from the current status."}]
    assert state(case) == before
    assert counts() == rows


def test_an_unknown_target_is_refused_by_name(make_case, coordinator, counts):
    case = make_case()
    rows = counts()

    with pytest.raises(GuardFailed) as refused:
        workflow.transition_case(case, "archived", actor=coordinator)

    assert refused.value.detail == "A case with status “Registered” cannot go to “archived”."
    assert counts() == rows


# --- Every pair of the table, with all guards satisfied ------------------------------------------


def _decided_item(builder, case, decision, **fields):
    # The agenda item as decide_ot_item hands it to the funnel: decided in memory, saved with it.
    item = builder.agenda_item(case)
    item.decision = decision
    for name, value in fields.items():
        setattr(item, name, value)
    return item


def _prepare(pair, builder, case_director):
    """A case in the pair's source status with every guard met, and the details for the step."""
    source, target = pair
    make = builder.make
    today = timezone.localdate()
    if pair == (S.INTAKE, S.AWAITING_OT):
        case = make(S.INTAKE)
        builder.record_intake(case)
        builder.consents_for_ot(case)
        return case, {}
    if pair == (S.AWAITING_OT, S.INCLUDED):
        case = make(S.AWAITING_OT)
        item = _decided_item(
            builder, case, OTDecision.INCLUDE, chosen_case_director=case_director, subsidiarity=SUBSIDIARITY
        )
        return case, {"ot_item": item, "reason": "OT-beslissing"}
    if pair == (S.AWAITING_OT, S.NOT_INCLUDED):
        case = make(S.AWAITING_OT)
        item = _decided_item(
            builder, case, OTDecision.NOT_INCLUDE, advice=ADVICE, recontact_on=today + timedelta(days=90)
        )
        return case, {"ot_item": item, "reason": ADVICE}
    if pair == (S.INCLUDED, S.ACTIVE):
        case = make(S.INCLUDED)
        builder.record_start(case)
        return case, {"first_conversation_on": today}
    if target == S.CLOSED:
        return make(source), {"closure_reason": ClosureReason.GOALS_REACHED, "closure_summary": SUMMARY}
    if target == S.NOT_INCLUDED:
        return make(source), {"reason": ADVICE}
    if target in (S.WITHDRAWN, S.REGISTERED) or pair == (S.AWAITING_OT, S.INTAKE):
        return make(source), {"reason": "De jongere wil er nog over nadenken."}
    return make(source), {}


@pytest.mark.parametrize("pair", list(EXPECTED), ids=[pair_id(p) for p in EXPECTED])
def test_each_pair_of_the_table_succeeds_and_records_one_transition_and_one_audit_event(
    pair, builder, coordinator, case_director, new_audit
):
    source, target = pair
    case, details = _prepare(pair, builder, case_director)
    version = Case.objects.get(pk=case.pk).version
    mark, last_transition = new_audit(), CaseTransition.objects.order_by("-id").values_list("id", flat=True)[0]

    result = workflow.transition_case(case, target, actor=coordinator, **details)

    fresh = Case.objects.get(pk=case.pk)
    assert (result.status, fresh.status) == (target, target)
    assert fresh.version == version + 1
    assert case.status == target  # the caller's instance is refreshed too
    transitions = list(CaseTransition.objects.filter(id__gt=last_transition))
    assert [(t.from_status, t.to_status, t.actor_id, t.reason) for t in transitions] == [
        (source, target, coordinator.pk, details.get("reason", ""))
    ]
    events = new_audit(mark)
    assert [(e.action, e.case_id, e.chain_id, e.actor_id) for e in events] == [
        ("case.transition", case.pk, case.chain_id, coordinator.pk)
    ]
    assert events[0].details == {"from": source, "to": target, "transition": EXPECTED[pair]}
    assert events[0].object_type == "cases.case" and events[0].object_id == str(case.pk)


def test_closing_stores_reason_summary_and_date(make_case, coordinator, today):
    case = make_case(S.ACTIVE)

    workflow.transition_case(
        case,
        S.CLOSED,
        actor=coordinator,
        closure_reason=ClosureReason.MOVED,
        closure_summary={"vrije_tijd": "Verhuisd naar Hasselt.", "gezondheid": "   "},
    )

    case.refresh_from_db()
    assert (case.closure_reason, case.closed_on) == (ClosureReason.MOVED, today)
    assert case.closure_summary == {"vrije_tijd": "Verhuisd naar Hasselt."}  # blank domains are dropped
    assert case.is_closed


def test_activating_stores_the_first_conversation(builder, coordinator, today):
    case = builder.make(S.INCLUDED)
    builder.record_start(case)

    domain.activate_case(actor=coordinator, case=case, first_conversation_on=today - timedelta(days=1))

    case.refresh_from_db()
    assert (case.status, case.first_conversation_on) == (S.ACTIVE, today - timedelta(days=1))


def test_not_including_from_a_button_stores_the_reason_as_advice(make_case, coordinator):
    case = make_case(S.INTAKE)

    workflow.transition_case(case, S.NOT_INCLUDED, actor=coordinator, reason=ADVICE)

    case.refresh_from_db()
    assert (case.status, case.not_included_advice, case.recontact_on) == (S.NOT_INCLUDED, ADVICE, None)


def test_a_stale_expected_version_is_refused_before_anything_changes(make_case, coordinator, counts):
    case = make_case()
    rows = counts()

    with pytest.raises(StaleVersion):
        workflow.transition_case(case, S.INTAKE, actor=coordinator, expected_version=case.version - 1)

    assert state(case) == (S.REGISTERED, case.version, 1)
    assert counts() == rows


# --- OT-only transitions -------------------------------------------------------------------------


def test_include_cannot_be_taken_without_an_ot_item(make_case, coordinator, counts):
    case = make_case(S.AWAITING_OT)
    rows = counts()

    with pytest.raises(GuardFailed) as refused:
        workflow.transition_case(case, S.INCLUDED, actor=coordinator, reason="Gewoon opnemen")

    assert [e["message"] for e in refused.value.errors] == [
        "This step is an OT decision: record it on the OT meeting's agenda.",
        "To include the case: choose the case director; "
        "motivate why no regular structure can take the case (subsidiarity).",
    ]
    assert state(case)[0] == S.AWAITING_OT
    assert counts() == rows


def test_include_cannot_borrow_the_ot_item_of_another_case(builder, coordinator, case_director, counts):
    case = builder.make(S.AWAITING_OT)
    other = builder.make(S.AWAITING_OT)
    item = _decided_item(
        builder, other, OTDecision.INCLUDE, chosen_case_director=case_director, subsidiarity=SUBSIDIARITY
    )
    rows = counts()

    with pytest.raises(GuardFailed) as refused:
        workflow.transition_case(case, S.INCLUDED, actor=coordinator, ot_item=item)

    assert refused.value.detail == "This step is an OT decision: record it on the OT meeting's agenda."
    assert counts() == rows


def test_include_needs_an_include_decision_not_another_one(builder, coordinator, case_director):
    case = builder.make(S.AWAITING_OT)
    item = _decided_item(builder, case, OTDecision.PARK, chosen_case_director=case_director, subsidiarity=SUBSIDIARITY)

    with pytest.raises(GuardFailed) as refused:
        workflow.transition_case(case, S.INCLUDED, actor=coordinator, ot_item=item)

    assert refused.value.detail == "This step is an OT decision: record it on the OT meeting's agenda."


def test_ot_only_transitions_are_never_offered_as_a_button(make_case, coordinator):
    case = make_case(S.AWAITING_OT)

    names = [o.name for o in workflow.allowed_transitions(case, coordinator)]

    assert names == ["back_to_intake", "not_include", "withdraw"]
    assert all(not workflow.BY_NAME[n].via_ot for n in names)


@pytest.mark.parametrize(
    ("status", "offered"),
    [
        (S.REGISTERED, ["start_intake", "not_include", "withdraw"]),
        (S.INTAKE, ["submit_to_ot", "not_include", "withdraw"]),
        (S.INCLUDED, ["withdraw", "activate", "close"]),
        (S.ACTIVE, ["close"]),
        (S.NOT_INCLUDED, ["reopen_registration"]),
        (S.CLOSED, []),
        (S.WITHDRAWN, []),
    ],
)
def test_a_coordinator_is_offered_the_table_of_the_current_status(make_case, coordinator, status, offered):
    case = make_case(status)

    assert [o.name for o in workflow.allowed_transitions(case, coordinator)] == offered


# --- Who may take a step -----------------------------------------------------------------------

OUTSIDERS = ["ot_member", "partner", "strategic", "admin_user", "no_role_user", "outsider", "other_case_director"]
FIRST_PAIRS = [(sorted(t.sources)[0], t.target, t.name) for t in workflow.TRANSITIONS]


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize(("source", "target", "name"), FIRST_PAIRS, ids=[p[2] for p in FIRST_PAIRS])
def test_no_one_but_the_coordinator_or_own_case_director_takes_a_step(
    source, target, name, who, make_case, coordinator, case_director, request, counts
):
    actor = request.getfixturevalue(who)
    case = domain.assign_case_director(actor=coordinator, case=make_case(), case_director=case_director)
    case = force_status(case, source)
    before, rows = state(case), counts()

    with pytest.raises(NotAllowed) as refused:
        workflow.transition_case(case, target, actor=actor, **EVERY_DETAIL)

    assert refused.value.detail == "Your role does not allow this step."
    assert state(case) == before
    assert counts() == rows
    assert workflow.allowed_transitions(case, actor) == []


@pytest.mark.parametrize(
    ("source", "target", "name"),
    [p for p in FIRST_PAIRS if p[2] not in ("activate", "close")],
    ids=[p[2] for p in FIRST_PAIRS if p[2] not in ("activate", "close")],
)
def test_the_own_case_director_takes_no_step_but_activate_and_close(
    source, target, name, make_case, coordinator, case_director, counts
):
    case = domain.assign_case_director(actor=coordinator, case=make_case(), case_director=case_director)
    case = force_status(case, source)
    rows = counts()

    with pytest.raises(NotAllowed):
        workflow.transition_case(case, target, actor=case_director, **EVERY_DETAIL)

    assert counts() == rows


def test_the_own_case_director_activates_and_closes_their_case(builder, case_director, new_audit):
    case = builder.make(S.INCLUDED, director=case_director)
    builder.record_start(case)
    assert [o.name for o in workflow.allowed_transitions(case, case_director)] == ["activate", "close"]
    mark = new_audit()

    domain.activate_case(actor=case_director, case=case, first_conversation_on=timezone.localdate())
    domain.close_case(
        actor=case_director, case=case, closure_reason=ClosureReason.GOALS_REACHED, closure_summary=SUMMARY
    )

    rows = list(CaseTransition.objects.filter(case=case).order_by("occurred_at", "id"))
    assert [(t.from_status, t.to_status, t.actor_id) for t in rows[-2:]] == [
        (S.INCLUDED, S.ACTIVE, case_director.pk),
        (S.ACTIVE, S.CLOSED, case_director.pk),
    ]
    assert [(e.action, e.actor_id) for e in new_audit(mark)] == [
        ("case.transition", case_director.pk),
        ("case.transition", case_director.pk),
    ]


@pytest.mark.parametrize("status", [S.INCLUDED, S.ACTIVE])
def test_another_case_director_may_not_activate_or_close_a_case_that_is_not_theirs(
    builder, status, case_director, other_case_director, counts
):
    case = builder.make(status, director=case_director)
    builder.record_start(case)
    rows = counts()

    for target, details in (
        (S.ACTIVE, {"first_conversation_on": timezone.localdate()}),
        (S.CLOSED, {"closure_reason": ClosureReason.GOALS_REACHED, "closure_summary": SUMMARY}),
    ):
        if workflow.transition_between(status, target) is None:
            continue
        with pytest.raises(NotAllowed):
            workflow.transition_case(case, target, actor=other_case_director, **details)

    assert counts() == rows
    assert workflow.allowed_transitions(case, other_case_director) == []


def test_a_case_director_role_in_name_only_is_not_enough(builder, ot_member, counts):
    # The case is "assigned" to an OT member (no case-director role): the own-case exception needs the role.
    case = builder.make(S.INCLUDED)
    builder.record_start(case)
    Case.objects.filter(pk=case.pk).update(case_director=ot_member)
    case.refresh_from_db()
    rows = counts()

    with pytest.raises(NotAllowed):
        domain.activate_case(actor=ot_member, case=case, first_conversation_on=timezone.localdate())

    assert counts() == rows
