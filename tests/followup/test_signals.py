"""Each kind of signal with a frozen clock: when it appears, when it goes, whose it is.

Cases are built by the domain (tests/cases/conftest.py) on a frozen day; the clock is then moved
to the day under test. ``signals_for`` is called without ``today`` so it reads the frozen clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from ketenregie.cases.enums import OTDecision
from ketenregie.cases.models import Case
from ketenregie.common.errors import GuardFailed, ValidationFailed
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.followup import domain, queries
from ketenregie.followup.enums import ContactWith
from ketenregie.followup.enums import SignalKind as K
from ketenregie.followup.models import CaseCadence, FollowUpContact
from ketenregie.followup.signal_rules import signals_for
from tests.followup.conftest import S, hold_network_meeting, local, plan_network_meeting, plan_with_action

pytestmark = pytest.mark.django_db

T0 = date(2026, 1, 12)  # a Monday in winter


def at_noon(day: date) -> str:
    """A moment for freeze_time (UTC): noon in Brussels is 11:00 or 10:00 UTC; 10:00 UTC is that day in both."""
    return f"{day.isoformat()} 10:00:00"


def signals(case) -> list:
    return signals_for(Case.objects.filter(pk=case.pk))


def kinds(case) -> set[str]:
    return {s.kind for s in signals(case)}


def only(case, kind):
    found = [s for s in signals(case) if s.kind == kind]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def active(make_case):
    """An active case, activated (first conversation) on T0."""
    with freeze_time(at_noon(T0)):
        return make_case(S.ACTIVE)


# --- Contact rhythm ------------------------------------------------------------------------------------


def test_contact_overdue_after_the_cadence_and_gone_once_contacted(active, log_contact):
    with freeze_time(at_noon(T0)):
        log_contact(active, local(T0, 9))
    with freeze_time(at_noon(T0 + timedelta(days=7))):
        assert K.CONTACT_OVERDUE not in kinds(active)  # a week is the cadence, not over it
    with freeze_time(at_noon(T0 + timedelta(days=8))):
        signal = only(active, K.CONTACT_OVERDUE)
        assert signal.key == f"contact_overdue:{active.pk}:2026-01-12"
        assert signal.since == T0
        assert "12 January 2026" in signal.reason and "every 7 days" in signal.reason
        log_contact(active, with_whom=ContactWith.TRUSTED_PERSON, reached=False)  # a try counts for the rhythm
        assert K.CONTACT_OVERDUE not in kinds(active)


def test_the_cases_own_cadence_replaces_the_chains(active, case_director):
    with freeze_time(at_noon(T0 + timedelta(days=1))):
        domain.set_cadence(actor=case_director, case=active, days=14, reason="Stabiel: tweewekelijks volstaat.")
    with freeze_time(at_noon(T0 + timedelta(days=10))):
        assert K.CONTACT_OVERDUE not in kinds(active)
    with freeze_time(at_noon(T0 + timedelta(days=15))):
        assert "every 14 days" in only(active, K.CONTACT_OVERDUE).reason
        domain.set_cadence(actor=case_director, case=active, days=None, reason="")
        assert not CaseCadence.objects.filter(case=active).exists()
        assert "every 7 days" in only(active, K.CONTACT_OVERDUE).reason


def test_out_of_view_when_the_youth_is_not_reached_for_longer_than_the_chain_allows(active, log_contact, chain):
    assert chain.out_of_view_days == 21
    with freeze_time(at_noon(T0 + timedelta(days=1))):
        log_contact(active, local(T0 + timedelta(days=1), 9))
    for week in (1, 2, 3):  # tries every week that do not reach the youth
        day = T0 + timedelta(days=1 + 7 * week)
        with freeze_time(at_noon(day)):
            log_contact(active, local(day, 9), reached=False, channel="phone")
    with freeze_time(at_noon(T0 + timedelta(days=22))):
        assert K.OUT_OF_VIEW not in kinds(active)
    with freeze_time(at_noon(T0 + timedelta(days=23))):
        found = kinds(active)
        assert K.OUT_OF_VIEW in found
        assert K.CONTACT_OVERDUE not in found  # the tries keep the rhythm; the youth is still out of view
        log_contact(active)
        assert K.OUT_OF_VIEW not in kinds(active)


# --- Plan and meetings ------------------------------------------------------------------------------


def test_plan_action_overdue(active, case_director, log_contact):
    with freeze_time(at_noon(T0)):
        plan_with_action(active, case_director, due_on=T0 + timedelta(days=3))
    with freeze_time(at_noon(T0 + timedelta(days=3))):
        log_contact(active)
        assert K.ACTION_OVERDUE not in kinds(active)
    with freeze_time(at_noon(T0 + timedelta(days=4))):
        signal = only(active, K.ACTION_OVERDUE)
        assert "15 January 2026" in signal.reason
        assert signal.url.endswith("/plan/")


def test_a_held_meeting_waits_for_its_evaluation(active, case_director):
    with freeze_time(at_noon(T0)):
        meeting = plan_network_meeting(active, case_director, starts_at=local(T0 + timedelta(days=2), 14))
        assert K.MEETING_EVALUATION not in kinds(active)
    with freeze_time("2026-01-14 14:30:00"):
        hold_network_meeting(meeting, case_director)
        signal = only(active, K.MEETING_EVALUATION)
        assert signal.key == f"meeting_evaluation:{active.pk}:{meeting.pk}"
        assert "14 January 2026" in signal.reason


def test_no_plan_thirty_days_after_inclusion(make_case):
    with freeze_time(at_noon(T0)):
        case = make_case(S.INCLUDED)
    with freeze_time(at_noon(T0 + timedelta(days=30))):
        assert K.NO_PLAN not in kinds(case)
    with freeze_time(at_noon(T0 + timedelta(days=31))):
        assert "Included on 12 January 2026" in only(case, K.NO_PLAN).reason


# --- Before and after the OT ---------------------------------------------------------------------------


def test_reflection_time_over(builder):
    with freeze_time(at_noon(T0)):
        case = builder.register()
        builder.start_intake(case)
        builder.record_intake(case, reflection_until=T0 + timedelta(days=5))
    with freeze_time(at_noon(T0 + timedelta(days=5))):
        assert K.REFLECTION_WAITING not in kinds(case)
    with freeze_time(at_noon(T0 + timedelta(days=6))):
        assert "17 January 2026" in only(case, K.REFLECTION_WAITING).reason


def test_recontact_date_reached(make_case, builder):
    with freeze_time(at_noon(T0)):
        case = make_case(S.AWAITING_OT)
        builder.decide(case, OTDecision.NOT_INCLUDE, recontact_on=T0 + timedelta(days=10))
    with freeze_time(at_noon(T0 + timedelta(days=9))):
        assert K.RECONTACT_DUE not in kinds(case)
    with freeze_time(at_noon(T0 + timedelta(days=10))):
        assert only(case, K.RECONTACT_DUE).since == T0 + timedelta(days=10)


# --- Consents and age --------------------------------------------------------------------------------------


def test_consent_expiring_within_thirty_days_then_expired(builder):
    with freeze_time(at_noon(T0)):
        case = builder.register(adult=True)
        builder.start_intake(case)
        builder.consent(case, signed_on=T0, valid_until=T0 + timedelta(days=31))
        assert not {K.CONSENT_EXPIRING, K.CONSENT_EXPIRED} & kinds(case)
    with freeze_time(at_noon(T0 + timedelta(days=1))):
        assert "expires on 12 February 2026" in only(case, K.CONSENT_EXPIRING).reason
    with freeze_time(at_noon(T0 + timedelta(days=32))):
        found = kinds(case)
        assert K.CONSENT_EXPIRED in found and K.CONSENT_EXPIRING not in found
        builder.consent(case, signed_on=T0 + timedelta(days=32), valid_until=None)  # renewed
        assert not {K.CONSENT_EXPIRING, K.CONSENT_EXPIRED} & kinds(case)


def test_turns_18_within_sixty_days_then_turned_18_until_the_youth_renews(make_case, builder):
    birthday = T0 + timedelta(days=40)
    with freeze_time(at_noon(T0)):
        case = make_case(S.ACTIVE, birth_date=birthday.replace(year=birthday.year - 18))
        signal = only(case, K.TURNS_18)
        assert "21 February 2026" in signal.reason
        assert K.TURNED_18 not in kinds(case)
    with freeze_time(at_noon(birthday - timedelta(days=1))):
        assert K.TURNS_18 in kinds(case) and K.TURNED_18 not in kinds(case)
    with freeze_time(at_noon(birthday)):
        assert K.TURNED_18 in kinds(case) and K.TURNS_18 not in kinds(case)
        builder.consent(case, ConsentKind.OT_DISCUSSION, GivenBy.YOUTH, signed_on=birthday)
        assert K.TURNED_18 not in kinds(case)


@pytest.mark.parametrize(
    ("today", "eighteen"),
    [(date(2026, 2, 28), False), (date(2026, 3, 1), True)],
    ids=["28-february-not-yet", "1-march-yes"],
)
def test_born_on_29_february_turns_18_on_1_march_in_a_common_year(make_case, today, eighteen):
    with freeze_time(at_noon(date(2026, 1, 20))):
        case = make_case(S.ACTIVE, birth_date=date(2008, 2, 29), registered_on=date(2026, 1, 10))
    with freeze_time(at_noon(today)):
        found = kinds(case)
        assert (K.TURNED_18 in found) is eighteen
        assert (K.TURNS_18 in found) is not eighteen
        if not eighteen:
            assert "1 March 2026" in only(case, K.TURNS_18).reason


def test_leaving_the_age_range_raises_a_signal_in_fix(make_case, chain):
    assert (chain.age_min, chain.age_max, chain.follow_up_after_max_age) == (12, 25, False)
    leaves = T0 + timedelta(days=30)  # the 26th birthday
    with freeze_time(at_noon(T0)):
        case = make_case(S.ACTIVE, birth_date=leaves.replace(year=leaves.year - 26))
        assert "Leaves the chain's age range (12–25) on 11 February 2026" in only(case, K.AGE_RANGE).reason
    with freeze_time(at_noon(leaves)):
        assert "Is 26, outside the chain's age range (12–25)" in only(case, K.AGE_RANGE).reason


def test_a_chain_that_follows_up_after_the_maximum_age_raises_no_age_signal(make_case, chain):
    chain.follow_up_after_max_age = True
    chain.save(update_fields=["follow_up_after_max_age"])
    leaves = T0 + timedelta(days=30)
    with freeze_time(at_noon(T0)):
        case = make_case(S.ACTIVE, birth_date=leaves.replace(year=leaves.year - 26))
        assert K.AGE_RANGE not in kinds(case)
    with freeze_time(at_noon(leaves + timedelta(days=100))):
        assert K.AGE_RANGE not in kinds(case)


# --- Acknowledging ---------------------------------------------------------------------------------------


def test_an_acknowledged_signal_is_quiet_for_seven_days_and_returns_if_the_cause_persists(active, case_director):
    day = T0 + timedelta(days=8)
    with freeze_time(at_noon(day)):
        signal = only(active, K.CONTACT_OVERDUE)
        ack = domain.acknowledge_signal(
            actor=case_director, case=active, key=signal.key, note="Bel vanavond de moeder."
        )
        assert ack.quiet_until == day + timedelta(days=7)
        assert K.CONTACT_OVERDUE not in kinds(active)
        again = signals_for(Case.objects.filter(pk=active.pk), include_acknowledged=True)
        assert signal.key in {s.key for s in again}
    with freeze_time(at_noon(day + timedelta(days=7))):
        assert K.CONTACT_OVERDUE not in kinds(active)
    with freeze_time(at_noon(day + timedelta(days=8))):
        assert only(active, K.CONTACT_OVERDUE).key == signal.key  # same cause: it is back


def test_an_acknowledgement_does_not_silence_a_new_cause(active, case_director, log_contact):
    with freeze_time(at_noon(T0 + timedelta(days=8))):
        domain.acknowledge_signal(actor=case_director, case=active, key=only(active, K.CONTACT_OVERDUE).key)
        log_contact(active, local(T0 + timedelta(days=8), 9))
    with freeze_time(at_noon(T0 + timedelta(days=17))):  # overdue again, from a later contact: a new key
        assert only(active, K.CONTACT_OVERDUE).since == T0 + timedelta(days=8)


# --- Whose signals --------------------------------------------------------------------------------------


def test_a_signal_of_a_case_the_user_may_not_see_never_appears(
    builder, seen_by_ot_member, coordinator, case_director, other_case_director, ot_member, partner, outsider
):
    from ketenregie.consent import policy

    with freeze_time(at_noon(T0)):
        mine = seen_by_ot_member()
        theirs = builder.make(S.ACTIVE, director=other_case_director)
    with freeze_time(at_noon(T0 + timedelta(days=25))):
        assert {s.case_id for s in queries.signals_of(case_director)} == {mine.pk}
        assert {s.case_id for s in queries.signals_of(other_case_director)} == {theirs.pk}
        assert {s.case_id for s in queries.signals_of(coordinator)} == {mine.pk, theirs.pk}
        # The OT member sees the case they weighed, but signals are for those who work on it.
        assert policy.visible_cases(ot_member).filter(pk=mine.pk).exists()
        for nobody in (ot_member, partner, outsider):
            assert queries.signals_of(nobody) == []


def test_acknowledging_needs_a_visible_case_and_a_key_of_that_case(active, other_case_director, case_director):
    from ketenregie.common.errors import NotAllowed

    with freeze_time(at_noon(T0 + timedelta(days=8))):
        key = only(active, K.CONTACT_OVERDUE).key
        with pytest.raises(NotAllowed):
            domain.acknowledge_signal(actor=other_case_director, case=active, key=key)
        with pytest.raises(ValidationFailed):
            domain.acknowledge_signal(actor=case_director, case=active, key="contact_overdue:someone-else:2026-01-12")
        assert K.CONTACT_OVERDUE in kinds(active)


# --- Time zones ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day",
    [date(2026, 3, 28), date(2026, 3, 29), date(2026, 10, 24), date(2026, 10, 25)],
    ids=["saturday-before-summer-time", "summer-time-sunday", "saturday-before-winter-time", "winter-time-sunday"],
)
@pytest.mark.parametrize(("hour", "minute"), [(23, 30), (0, 30)], ids=["23:30", "00:30"])
def test_a_late_or_early_contact_counts_for_its_belgian_day_across_the_clock_change(
    make_case, log_contact, day, hour, minute
):
    with freeze_time(at_noon(day - timedelta(days=14))):
        case = make_case(S.ACTIVE)
    moment = local(day, hour, minute)
    if hour == 0:  # just after midnight in Brussels is still the day before in UTC
        assert moment.astimezone(UTC).date() == day - timedelta(days=1)
    with freeze_time(at_noon(day + timedelta(days=1))):
        log_contact(case, moment)
    with freeze_time(at_noon(day + timedelta(days=7))):
        assert K.CONTACT_OVERDUE not in kinds(case)
    with freeze_time(at_noon(day + timedelta(days=8))):
        signal = only(case, K.CONTACT_OVERDUE)
        assert signal.since == day
        assert signal.key.endswith(day.isoformat())


# --- Refusals ---------------------------------------------------------------------------------------------------


def test_a_contact_in_the_future_is_refused(active, case_director):
    with freeze_time(at_noon(T0)):
        data = domain.ContactData(
            contact_at=datetime(2026, 1, 12, 11, 0, tzinfo=UTC), with_whom=ContactWith.YOUTH, channel="face_to_face"
        )
        with pytest.raises(ValidationFailed) as refused:
            domain.record_contact(actor=case_director, case=active, data=data)
    assert refused.value.errors == [{"field": "contact_at", "message": "A contact cannot be in the future."}]
    assert not FollowUpContact.objects.filter(case=active).exists()


def test_a_contact_on_a_closed_case_is_refused(make_case, case_director, coordinator):
    with freeze_time(at_noon(T0)):
        case = make_case(S.CLOSED)
        data = domain.ContactData(contact_at=local(T0, 9), with_whom=ContactWith.YOUTH, channel="phone")
        with pytest.raises(GuardFailed, match="This case is closed"):
            domain.record_contact(actor=coordinator, case=case, data=data)
    assert not FollowUpContact.objects.filter(case=case).exists()


@pytest.mark.parametrize("days", [0, -3, 91])
def test_a_cadence_outside_1_to_90_days_is_refused(active, case_director, days):
    with pytest.raises(ValidationFailed) as refused:
        domain.set_cadence(actor=case_director, case=active, days=days, reason="Te vaak of te weinig.")
    assert {"field": "days", "message": "The cadence is between 1 and 90 days."} in refused.value.errors
    assert not CaseCadence.objects.filter(case=active).exists()


# --- Constant number of queries -----------------------------------------------------------------------------------


def _count_queries(cases) -> int:
    with CaptureQueriesContext(connection) as ctx:
        found = signals_for(Case.objects.filter(pk__in=[c.pk for c in cases]))
    assert found
    return len(ctx.captured_queries)


def test_signals_for_takes_the_same_number_of_queries_for_3_and_30_cases(active_cases, case_director, builder):
    def enrich(cases):
        for i, case in enumerate(cases):
            if i % 2:
                FollowUpContact.objects.create(
                    case=case, contact_at=local(T0, 9), with_whom="youth", channel="phone", created_by=case_director
                )
            if i % 3 == 0:
                domain.set_cadence(actor=case_director, case=case, days=10, reason="Afgesproken met het team.")
            builder.consent(case, ConsentKind.OT_DISCUSSION, signed_on=T0, valid_until=T0 + timedelta(days=20))

    with freeze_time(at_noon(T0)):
        few = active_cases(3)
        enrich(few)
    with freeze_time(at_noon(T0 + timedelta(days=10))):
        small = _count_queries(few)
    with freeze_time(at_noon(T0)):
        more = active_cases(27)
        enrich(more)
    with freeze_time(at_noon(T0 + timedelta(days=10))):
        large = _count_queries(few + more)
    assert small == large <= 9
