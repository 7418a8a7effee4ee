"""Every guard of the workflow on its own: the exact message, refusal without writing, and the overview.

A *blocking* guard shows in ``allowed_transitions(...).blocked_by`` (the button is there but greyed
out with the reason); a guard on input the user still has to give (reason, advice, closure reason and
summary, date of the first conversation, stop decision for that reason) does not.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from ketenregie.cases import domain, workflow
from ketenregie.cases.enums import CaseStatus, ClosureReason, OTDecision
from ketenregie.cases.models import Case, CaseTransition
from ketenregie.common.errors import GuardFailed
from ketenregie.consent.domain import withdraw_consent
from ketenregie.consent.enums import ConsentKind, GivenBy
from tests.cases.conftest import ADVICE, SUBSIDIARITY, SUMMARY, years_before

S = CaseStatus

YOUTH_OT = "a valid consent of the youth to discuss the case in the OT"
PARENTAL = "parental consent (the youth is a minor)"
ENGAGEMENT = "a signed engagement declaration (the youth is a minor)"
OT_DECISION = "This step is an OT decision: record it on the OT meeting's agenda."
STOP_FIRST = "Closing for this reason is a stop: put the case on the OT agenda and record the OT's stop decision first."


def still_missing(*parts: str) -> str:
    return f"Still missing: {'; '.join(parts)}."


def refused(case: Case, to: str, actor, **details) -> list[str]:
    """``transition_case`` refuses; status, version and records stay as they were. The messages."""
    fresh = Case.objects.get(pk=case.pk)
    before = (fresh.status, fresh.version, CaseTransition.objects.filter(case=case).count())
    with pytest.raises(GuardFailed) as error:
        workflow.transition_case(case, to, actor=actor, **details)
    messages = [e["message"] for e in error.value.errors]
    assert error.value.detail == " ".join(messages)
    assert all(messages)
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.version, CaseTransition.objects.filter(case=case).count()) == before
    return messages


def blocked_by(case: Case, user, name: str) -> list[str]:
    case = Case.objects.select_related("youth").get(pk=case.pk)
    options = {o.name: o for o in workflow.allowed_transitions(case, user)}
    return options[name].blocked_by


def ctx(actor, **details) -> workflow.Context:
    return workflow.Context(actor=actor, **details)


@pytest.fixture
def intake_case(builder):
    """A case in intake with the intake conversation recorded, waiting for consents."""

    def make(**fields) -> Case:
        case = builder.make(S.INTAKE, **fields)
        builder.record_intake(case)
        return Case.objects.select_related("youth").get(pk=case.pk)

    return make


# --- consent_for_ot -----------------------------------------------------------------------------

OT_BY_YOUTH = (ConsentKind.OT_DISCUSSION, GivenBy.YOUTH)
OT_BY_PARENT = (ConsentKind.OT_DISCUSSION, GivenBy.PARENT)
PARENTAL_CONSENT = (ConsentKind.PARENTAL, GivenBy.PARENT)
ENGAGEMENT_DECL = (ConsentKind.ENGAGEMENT, GivenBy.YOUTH)


@pytest.mark.parametrize(
    ("adult", "given", "missing"),
    [
        pytest.param(True, [], [YOUTH_OT], id="adult-nothing"),
        pytest.param(True, [OT_BY_PARENT], [YOUTH_OT], id="adult-ot-consent-by-a-parent-does-not-count"),
        pytest.param(False, [], [YOUTH_OT, PARENTAL, ENGAGEMENT], id="minor-nothing"),
        pytest.param(False, [PARENTAL_CONSENT, ENGAGEMENT_DECL], [YOUTH_OT], id="minor-youth-ot-consent-missing"),
        pytest.param(False, [OT_BY_YOUTH, ENGAGEMENT_DECL], [PARENTAL], id="minor-parental-consent-missing"),
        pytest.param(False, [OT_BY_YOUTH, PARENTAL_CONSENT], [ENGAGEMENT], id="minor-engagement-missing"),
    ],
)
def test_consent_for_ot_names_exactly_what_is_missing(intake_case, builder, coordinator, adult, given, missing, counts):
    case = intake_case(adult=adult)
    for kind, given_by in given:
        builder.consent(case, kind, given_by)
    rows = counts()

    assert workflow.consent_for_ot(case, ctx(coordinator)) == still_missing(*missing)
    assert refused(case, S.AWAITING_OT, coordinator) == [still_missing(*missing)]
    assert blocked_by(case, coordinator, "submit_to_ot") == [still_missing(*missing)]
    assert counts() == rows


@pytest.mark.parametrize(
    ("adult", "given"),
    [
        pytest.param(True, [OT_BY_YOUTH], id="adult-needs-only-the-youth"),
        pytest.param(False, [OT_BY_YOUTH, PARENTAL_CONSENT, ENGAGEMENT_DECL], id="minor-needs-all-three"),
    ],
)
def test_consent_for_ot_passes_with_the_consents_the_age_requires(intake_case, builder, coordinator, adult, given):
    case = intake_case(adult=adult)
    for kind, given_by in given:
        builder.consent(case, kind, given_by)

    assert workflow.consent_for_ot(case, ctx(coordinator)) is None
    assert blocked_by(case, coordinator, "submit_to_ot") == []
    assert workflow.transition_case(case, S.AWAITING_OT, actor=coordinator).status == S.AWAITING_OT


def test_consent_for_ot_uses_the_age_today_not_at_registration(intake_case, builder, coordinator, today):
    # A minor when registered thirty days ago, eighteen for five days now: the youth's own consent suffices.
    case = intake_case(birth_date=years_before(today, 18) - timedelta(days=5))
    builder.consent(case, signed_on=today - timedelta(days=10))

    assert workflow.consent_for_ot(case, ctx(coordinator)) is None
    assert workflow.consent_for_ot(case, ctx(coordinator, on=today - timedelta(days=6))) == still_missing(
        PARENTAL, ENGAGEMENT
    )


def test_an_expired_consent_does_not_count(intake_case, builder, coordinator, today):
    case = intake_case(adult=True)
    builder.consent(case, signed_on=today - timedelta(days=10), valid_until=today - timedelta(days=1))

    assert refused(case, S.AWAITING_OT, coordinator) == [still_missing(YOUTH_OT)]
    assert blocked_by(case, coordinator, "submit_to_ot") == [still_missing(YOUTH_OT)]


def test_a_consent_valid_until_today_still_counts_today(intake_case, builder, coordinator, today):
    case = intake_case(adult=True)
    builder.consent(case, signed_on=today - timedelta(days=10), valid_until=today)

    assert workflow.consent_for_ot(case, ctx(coordinator)) is None


def test_an_expired_parental_consent_of_a_minor_does_not_count(intake_case, builder, coordinator, today):
    case = intake_case()
    builder.consent(case)
    builder.consent(case, ConsentKind.ENGAGEMENT)
    builder.consent(
        case,
        ConsentKind.PARENTAL,
        GivenBy.PARENT,
        signed_on=today - timedelta(days=10),
        valid_until=today - timedelta(days=1),
    )

    assert refused(case, S.AWAITING_OT, coordinator) == [still_missing(PARENTAL)]


def test_a_withdrawn_consent_does_not_count(intake_case, builder, coordinator):
    case = intake_case(adult=True)
    consent = builder.consent(case)
    assert workflow.consent_for_ot(case, ctx(coordinator)) is None

    withdraw_consent(actor=coordinator, consent=consent, note="De jongere wil niet dat het OT het bespreekt.")

    assert refused(case, S.AWAITING_OT, coordinator) == [still_missing(YOUTH_OT)]
    assert blocked_by(case, coordinator, "submit_to_ot") == [still_missing(YOUTH_OT)]


def test_a_consent_signed_in_the_future_does_not_count_yet(intake_case, builder, coordinator):
    case = intake_case(adult=True)
    builder.consent(case)  # signed today

    with freeze_time(timezone.now() - timedelta(days=1)):
        assert refused(case, S.AWAITING_OT, coordinator) == [still_missing(YOUTH_OT)]
        assert blocked_by(case, coordinator, "submit_to_ot") == [still_missing(YOUTH_OT)]


def test_consent_for_ot_guards_the_inclusion_too(builder, coordinator, case_director):
    # Consent withdrawn while the case waits for the OT: the OT cannot include it.
    case = builder.make(S.AWAITING_OT, adult=True)
    withdraw_consent(actor=coordinator, consent=case.consents.get(kind=ConsentKind.OT_DISCUSSION))
    item = builder.agenda_item(case)
    item.decision, item.chosen_case_director, item.subsidiarity = OTDecision.INCLUDE, case_director, SUBSIDIARITY

    assert refused(case, S.INCLUDED, coordinator, ot_item=item) == [still_missing(YOUTH_OT)]


# --- not_in_reflection_time ------------------------------------------------------------------------


@freeze_time("2025-06-15 08:00:00")
def test_reflection_time_keeps_the_case_in_intake_until_it_ends(builder, coordinator):
    case = builder.make(S.INTAKE, adult=True)
    builder.record_intake(case, reflection_until=date(2025, 6, 16))
    builder.consent(case)
    message = "The youth takes reflection time until 16 June 2025; the case waits in intake until then."

    assert workflow.not_in_reflection_time(case, ctx(coordinator)) == message
    assert refused(case, S.AWAITING_OT, coordinator) == [message]
    assert blocked_by(case, coordinator, "submit_to_ot") == [message]

    with freeze_time("2025-06-16 20:00:00"):  # the last day of reflection time still counts
        assert blocked_by(case, coordinator, "submit_to_ot") == [message]
    with freeze_time("2025-06-17 08:00:00"):
        assert blocked_by(case, coordinator, "submit_to_ot") == []
        assert workflow.transition_case(case, S.AWAITING_OT, actor=coordinator).status == S.AWAITING_OT


# --- intake_recorded -----------------------------------------------------------------------------

NO_INTAKE = "Record the intake conversation first (date and intake form)."


def test_submitting_needs_an_intake(builder, coordinator):
    case = builder.make(S.INTAKE, adult=True)
    builder.consent(case)

    assert workflow.intake_recorded(case, ctx(coordinator)) == NO_INTAKE
    assert refused(case, S.AWAITING_OT, coordinator) == [NO_INTAKE]
    assert blocked_by(case, coordinator, "submit_to_ot") == [NO_INTAKE]


def test_an_intake_form_without_the_date_of_the_conversation_is_not_an_intake(builder, coordinator):
    case = builder.make(S.INTAKE, adult=True)
    builder.consent(case)
    domain.save_intake(
        actor=coordinator, case=case, version=None, intake_on=None, domains={}, glm_needs=[], youth_words="Concept"
    )

    assert refused(case, S.AWAITING_OT, coordinator) == [NO_INTAKE]


def test_every_failing_guard_is_named_at_once_in_table_order(builder, coordinator):
    case = builder.make(S.INTAKE, adult=True)

    assert refused(case, S.AWAITING_OT, coordinator) == [NO_INTAKE, still_missing(YOUTH_OT)]
    assert blocked_by(case, coordinator, "submit_to_ot") == [NO_INTAKE, still_missing(YOUTH_OT)]


# --- decided_by_ot and inclusion_complete (OT-only: never a button) ------------------------------


def test_decided_by_ot_needs_this_case_s_item_with_this_decision(builder, coordinator):
    case = builder.make(S.AWAITING_OT)
    other = builder.make(S.AWAITING_OT)
    guard = workflow.decided_by_ot(OTDecision.INCLUDE)
    item, other_item = builder.agenda_item(case), builder.agenda_item(other)

    assert guard(case, ctx(coordinator)) == OT_DECISION
    assert guard(case, ctx(coordinator, ot_item=item)) == OT_DECISION  # undecided
    item.decision = OTDecision.NOT_INCLUDE
    assert guard(case, ctx(coordinator, ot_item=item)) == OT_DECISION
    other_item.decision = OTDecision.INCLUDE
    assert guard(case, ctx(coordinator, ot_item=other_item)) == OT_DECISION
    item.decision = OTDecision.INCLUDE
    assert guard(case, ctx(coordinator, ot_item=item)) is None
    assert "include" not in [o.name for o in workflow.allowed_transitions(case, coordinator)]


@pytest.mark.parametrize(
    ("director", "subsidiarity", "todo"),
    [
        pytest.param(False, SUBSIDIARITY, "choose the case director", id="no-case-director"),
        pytest.param(
            True, "   ", "motivate why no regular structure can take the case (subsidiarity)", id="no-subsidiarity"
        ),
    ],
)
def test_inclusion_needs_a_case_director_and_the_subsidiarity(
    builder, coordinator, case_director, director, subsidiarity, todo
):
    case = builder.make(S.AWAITING_OT)
    item = builder.agenda_item(case)
    item.decision, item.subsidiarity = OTDecision.INCLUDE, subsidiarity
    item.chosen_case_director = case_director if director else None
    message = f"To include the case: {todo}."

    assert workflow.inclusion_complete(case, ctx(coordinator, ot_item=item)) == message
    assert refused(case, S.INCLUDED, coordinator, ot_item=item) == [message]


# --- advice_given and not_awaiting_ot ---------------------------------------------------------------

NO_ADVICE = "Write the advice to the referrer: which other way can take up this case?"
ON_OT_LIST = "The case is on the OT's list: not including it is an OT decision."


@pytest.mark.parametrize("reason", ["", "   \n"])
@pytest.mark.parametrize("status", [S.REGISTERED, S.INTAKE])
def test_not_including_needs_advice_to_the_referrer(make_case, coordinator, status, reason):
    case = make_case(status)

    assert workflow.advice_given(case, ctx(coordinator, reason=reason)) == NO_ADVICE
    assert refused(case, S.NOT_INCLUDED, coordinator, reason=reason) == [NO_ADVICE]
    assert blocked_by(case, coordinator, "not_include") == []  # input, not a blocker


def test_the_ot_item_s_advice_counts_as_advice(builder, coordinator):
    case = builder.make(S.AWAITING_OT)
    item = builder.agenda_item(case)
    item.decision, item.advice = OTDecision.NOT_INCLUDE, ""

    assert refused(case, S.NOT_INCLUDED, coordinator, ot_item=item) == [NO_ADVICE]
    item.advice = ADVICE
    assert workflow.advice_given(case, ctx(coordinator, ot_item=item)) is None


def test_a_case_awaiting_the_ot_is_not_included_by_the_ot_only(make_case, coordinator):
    case = make_case(S.AWAITING_OT)

    assert workflow.not_awaiting_ot(case, ctx(coordinator)) == ON_OT_LIST
    assert refused(case, S.NOT_INCLUDED, coordinator, reason=ADVICE) == [ON_OT_LIST]
    assert blocked_by(case, coordinator, "not_include") == [ON_OT_LIST]


def test_not_awaiting_ot_lets_other_statuses_through(make_case, coordinator):
    assert workflow.not_awaiting_ot(make_case(S.INTAKE), ctx(coordinator)) is None


# --- reason_given ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "target", "name"),
    [
        (S.AWAITING_OT, S.INTAKE, "back_to_intake"),
        (S.REGISTERED, S.WITHDRAWN, "withdraw"),
        (S.INCLUDED, S.WITHDRAWN, "withdraw"),
        (S.NOT_INCLUDED, S.REGISTERED, "reopen_registration"),
    ],
)
def test_steps_that_need_a_reason_refuse_without_one(make_case, coordinator, status, target, name):
    case = make_case(status)

    assert refused(case, target, coordinator, reason="  ") == ["Give a reason."]
    assert blocked_by(case, coordinator, name) == []


# --- case_director_assigned, decision_communicated, first_conversation_held -------------------------


def test_activating_needs_a_case_director(builder, coordinator, case_director):
    # Included through the funnel alone: decide_ot_item would also assign the chosen case director.
    case = builder.make(S.AWAITING_OT)
    item = builder.agenda_item(case)
    item.decision, item.chosen_case_director, item.subsidiarity = OTDecision.INCLUDE, case_director, SUBSIDIARITY
    workflow.transition_case(case, S.INCLUDED, actor=coordinator, ot_item=item)
    builder.record_start(case)
    message = "Assign a case director first."

    assert workflow.case_director_assigned(case, ctx(coordinator)) == message
    assert refused(case, S.ACTIVE, coordinator, first_conversation_on=timezone.localdate()) == [message]
    assert blocked_by(case, coordinator, "activate") == [message]


@pytest.mark.parametrize(
    ("referrer", "youth", "todo"),
    [
        pytest.param(
            False,
            False,
            "record when the referrer was informed of the decision; record when the youth was informed of the decision",
            id="neither",
        ),
        pytest.param(True, False, "record when the youth was informed of the decision", id="youth-not-informed"),
        pytest.param(False, True, "record when the referrer was informed of the decision", id="referrer-not-informed"),
    ],
)
def test_activating_needs_the_decision_communicated(make_case, coordinator, today, referrer, youth, todo):
    case = make_case(S.INCLUDED)
    domain.record_start(
        actor=coordinator,
        case=case,
        referrer_informed_on=today if referrer else None,
        youth_informed_of_decision_on=today if youth else None,
    )
    message = f"To start the trajectory: {todo}."

    assert refused(case, S.ACTIVE, coordinator, first_conversation_on=today) == [message]
    assert blocked_by(case, coordinator, "activate") == [message]


@pytest.mark.parametrize(
    ("days", "message"),
    [
        pytest.param(None, "Record the date of the first conversation with the youth.", id="missing"),
        pytest.param(1, "The first conversation cannot be in the future.", id="future"),
        pytest.param(-31, "The first conversation cannot be before the registration.", id="before-registration"),
    ],
)
def test_activating_needs_a_real_first_conversation(builder, coordinator, today, days, message):
    case = builder.make(S.INCLUDED)  # registered thirty days ago
    builder.record_start(case)
    held_on = None if days is None else today + timedelta(days=days)

    assert workflow.first_conversation_held(case, ctx(coordinator, first_conversation_on=held_on)) == message
    assert refused(case, S.ACTIVE, coordinator, first_conversation_on=held_on) == [message]
    assert blocked_by(case, coordinator, "activate") == []  # input, not a blocker


def test_the_first_conversation_on_the_registration_day_is_fine(builder, coordinator):
    case = builder.make(S.INCLUDED)
    builder.record_start(case)

    activated = domain.activate_case(actor=coordinator, case=case, first_conversation_on=case.registered_on)

    assert activated.status == S.ACTIVE


# --- closing: closure_reason_given, closure_summary_given, stop_decided_by_ot -----------------------


@pytest.mark.parametrize("reason", ["", "bored"])
def test_closing_needs_a_known_reason(make_case, coordinator, reason):
    case = make_case(S.ACTIVE)
    message = "Choose the reason for closing the case."

    assert workflow.closure_reason_given(case, ctx(coordinator, closure_reason=reason)) == message
    assert refused(case, S.CLOSED, coordinator, closure_reason=reason, closure_summary=SUMMARY) == [message]
    assert blocked_by(case, coordinator, "close") == []


@pytest.mark.parametrize("summary", [{}, {"vrije_tijd": "  ", "gezondheid": ""}])
def test_closing_needs_a_summary_for_one_life_domain(make_case, coordinator, summary):
    case = make_case(S.ACTIVE)
    message = "Write the closing summary for at least one life domain."

    assert refused(
        case, S.CLOSED, coordinator, closure_reason=ClosureReason.GOALS_REACHED, closure_summary=summary
    ) == [message]
    assert blocked_by(case, coordinator, "close") == []


@pytest.mark.parametrize("reason", [ClosureReason.STOPPED_BY_YOUTH, ClosureReason.OTHER])
def test_a_stop_needs_the_ot_s_stop_decision_first(make_case, coordinator, reason):
    case = make_case(S.ACTIVE)

    assert workflow.stop_decided_by_ot(case, ctx(coordinator, closure_reason=reason)) == STOP_FIRST
    assert refused(case, S.CLOSED, coordinator, closure_reason=reason, closure_summary=SUMMARY) == [STOP_FIRST]
    assert blocked_by(case, coordinator, "close") == []


@pytest.mark.parametrize(
    "reason",
    [ClosureReason.GOALS_REACHED, ClosureReason.MOVED, ClosureReason.OUT_OF_AGE_RANGE, ClosureReason.FRAMEWORK_ENDED],
)
def test_other_closure_reasons_need_no_ot(make_case, coordinator, reason):
    case = make_case(S.ACTIVE)

    assert workflow.stop_decided_by_ot(case, ctx(coordinator, closure_reason=reason)) is None
    closed = workflow.transition_case(case, S.CLOSED, actor=coordinator, closure_reason=reason, closure_summary=SUMMARY)
    assert (closed.status, closed.closure_reason) == (S.CLOSED, reason)


def test_an_ot_decision_to_continue_is_not_a_stop(builder, coordinator):
    case = builder.make(S.ACTIVE)
    domain.flag_for_ot(actor=coordinator, case=case, reason="De jongere wil stoppen.")
    builder.decide(case, OTDecision.CONTINUE)

    assert refused(
        case, S.CLOSED, coordinator, closure_reason=ClosureReason.STOPPED_BY_YOUTH, closure_summary=SUMMARY
    ) == [STOP_FIRST]


def test_the_ot_s_stop_decision_opens_the_way_to_close(builder, coordinator):
    case = builder.make(S.ACTIVE)
    domain.flag_for_ot(actor=coordinator, case=case, reason="De jongere wil stoppen.")
    builder.decide(case, OTDecision.STOP)

    assert workflow.stop_decided_by_ot(case, ctx(coordinator, closure_reason=ClosureReason.STOPPED_BY_YOUTH)) is None
    closed = workflow.transition_case(
        case, S.CLOSED, actor=coordinator, closure_reason=ClosureReason.STOPPED_BY_YOUTH, closure_summary=SUMMARY
    )
    assert closed.status == S.CLOSED


def test_all_closing_guards_fail_together(make_case, coordinator):
    case = make_case(S.ACTIVE)

    assert refused(case, S.CLOSED, coordinator, closure_reason="", closure_summary={}) == [
        "Choose the reason for closing the case.",
        "Write the closing summary for at least one life domain.",
    ]
