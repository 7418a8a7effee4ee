"""OT meetings: legal basis and attendees, the generated agenda, decisions, attendance and holding."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from freezegun import freeze_time

from ketenregie.accounts.enums import Role
from ketenregie.audit.models import AuditEvent
from ketenregie.cases import domain, workflow
from ketenregie.cases.domain import DecisionData
from ketenregie.cases.enums import CaseStatus, ClosureReason, LegalBasisKind, OTDecision, OTItemKind, OTMeetingStatus
from ketenregie.cases.models import Case, CaseTransition, OTAgendaItem, OTAttendance, OTMeeting
from ketenregie.common.errors import DomainError, NotAllowed, StaleVersion, ValidationFailed
from tests.cases.conftest import ADVICE, GUIDELINE, SUBSIDIARITY, SUMMARY
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

S = CaseStatus
NOT_VALID = "The legal basis is not valid on the date of the meeting: a case conference cannot be held without one."


@pytest.fixture
def next_week():
    return timezone.now() + timedelta(days=7)


@pytest.fixture
def school_ot_member(chain, school):
    """An OT member whose organisation (the school) the legal basis does not authorise."""
    user = UserFactory(username="ot-school", first_name="Ines", last_name="Vos")
    MembershipFactory(user=user, chain=chain, role=Role.OT_MEMBER, organisation=school)
    return user


@pytest.fixture
def plan(chain, coordinator, legal_basis, next_week):
    def run(*, actor=None, starts_at=None, basis=None, attendees=(), **options) -> OTMeeting:
        return domain.plan_ot_meeting(
            actor=actor or coordinator,
            chain=chain,
            starts_at=starts_at or next_week,
            location="Stadhuis Genk",
            legal_basis=basis or legal_basis,
            attendees=list(attendees),
            **options,
        )

    return run


@pytest.fixture
def basis(chain, coordinator, police):
    def make(valid_from: date, valid_until: date | None) -> object:
        return domain.add_legal_basis(
            actor=coordinator,
            chain=chain,
            kind=LegalBasisKind.PROSECUTOR,
            reference="Gemotiveerd akkoord procureur des Konings 2024/17",
            dated=valid_from,
            valid_from=valid_from,
            valid_until=valid_until,
            purpose="Casusoverleg jeugddelinquentie",
            modalities="",
            organisations=[police],
            authorised_functions="",
        )

    return make


def refused_plan(plan, error=ValidationFailed, **options):
    meetings, events = OTMeeting.objects.count(), AuditEvent.objects.count()
    with pytest.raises(error) as info:
        plan(**options)
    assert (OTMeeting.objects.count(), AuditEvent.objects.count()) == (meetings, events)
    return info.value


def decide(coordinator, item, decision, **fields) -> OTAgendaItem:
    return domain.decide_ot_item(actor=coordinator, item=item, data=DecisionData(decision=decision, **fields))


# --- Planning: legal basis and attendees --------------------------------------------------------------


def test_planning_needs_a_legal_basis_valid_on_the_meeting_date(plan, basis, today):
    expired = basis(date(2020, 1, 1), today + timedelta(days=1))  # ends before next week's meeting

    error = refused_plan(plan, basis=expired)

    assert error.errors == [{"field": "legal_basis", "message": NOT_VALID}]


def test_a_legal_basis_not_yet_in_force_is_refused_too(plan, basis, today):
    error = refused_plan(plan, basis=basis(today + timedelta(days=30), None))

    assert error.errors == [{"field": "legal_basis", "message": NOT_VALID}]


def test_a_legal_basis_valid_until_the_meeting_day_is_enough(plan, basis, next_week):
    meeting = plan(basis=basis(date(2020, 1, 1), timezone.localtime(next_week).date()))

    assert meeting.status == OTMeetingStatus.PLANNED


def test_a_legal_basis_of_another_chain_is_refused(plan, other_chain, outsider):
    foreign = domain.add_legal_basis(
        actor=outsider,
        chain=other_chain,
        kind=LegalBasisKind.DECREE,
        reference="Decreet",
        dated=date(2020, 1, 1),
        valid_from=date(2020, 1, 1),
        valid_until=None,
        purpose="Casusoverleg",
        modalities="",
        organisations=[OrganisationFactory(name="Politiezone Antwerpen")],
        authorised_functions="",
    )

    error = refused_plan(plan, basis=foreign)

    assert error.errors == [{"field": "legal_basis", "message": "This legal basis belongs to another chain."}]


def test_an_ot_member_of_an_organisation_the_basis_does_not_authorise_is_refused(plan, ot_member, school_ot_member):
    error = refused_plan(plan, attendees=[ot_member, school_ot_member])

    assert error.errors == [
        {"field": "attendees", "message": "Ines Vos does not belong to an organisation authorised by the legal basis."}
    ]


def test_an_attendee_without_a_role_in_the_chain_is_refused(plan, no_role_user, outsider):
    error = refused_plan(plan, attendees=[no_role_user, outsider])

    assert [e["message"] for e in error.errors] == [
        "Noor Nieuw has no role in this chain.",
        "Hanne Wouters has no role in this chain.",
    ]


def test_a_meeting_more_than_a_year_ago_is_not_planned(plan):
    error = refused_plan(plan, starts_at=timezone.now() - timedelta(days=367))

    assert error.errors == [{"field": "starts_at", "message": "This date lies more than a year in the past."}]


def test_a_past_meeting_may_be_entered_afterwards(plan):
    assert plan(starts_at=timezone.now() - timedelta(days=30)).status == OTMeetingStatus.PLANNED


@pytest.mark.parametrize("who", ["case_director", "ot_member", "strategic", "admin_user"])
def test_only_a_coordinator_plans(plan, request, who):
    refused_plan(plan, NotAllowed, actor=request.getfixturevalue(who))


def test_a_planned_meeting_lists_its_attendees_with_their_organisation(
    plan, coordinator, ot_member, case_director, police
):
    meeting = plan(attendees=[coordinator, ot_member, case_director])

    attendance = {a.user_id: a for a in OTAttendance.objects.filter(meeting=meeting)}
    assert {uid: a.organisation_id for uid, a in attendance.items()} == {
        coordinator.pk: None,
        ot_member.pk: police.pk,
        case_director.pk: None,
    }
    assert not any(a.present or a.confidentiality_acknowledged_at for a in attendance.values())
    event = AuditEvent.objects.get(action="ot.meeting_created")
    assert (event.object_id, event.details) == (str(meeting.pk), {"items": 0, "attendees": 3})


def test_a_double_submitted_plan_is_one_meeting(plan):
    key = uuid.uuid4()

    assert plan(submission_key=key).pk == plan(submission_key=key).pk
    assert OTMeeting.objects.count() == 1


# --- The agenda -------------------------------------------------------------------------------------


@pytest.fixture
def chain_in_motion(builder, coordinator, today):
    """One case in every relevant situation. Built in this order because planning a meeting puts every
    case awaiting the OT on it, and a case with an undecided item is left off the next agenda."""
    cases = {}
    cases["included"] = builder.make(S.INCLUDED)
    cases["active"] = builder.make(S.ACTIVE)
    cases["flagged"] = builder.make(S.ACTIVE)
    cases["closed"] = builder.make(S.CLOSED)
    cases["parked"] = builder.make(S.AWAITING_OT)
    builder.decide(cases["parked"], OTDecision.PARK, park_until=today + timedelta(days=14))
    cases["awaiting"] = builder.make(S.AWAITING_OT)
    cases["awaiting_too"] = builder.make(S.AWAITING_OT)
    cases["registered"] = builder.make(S.REGISTERED)
    cases["intake"] = builder.make(S.INTAKE)
    cases["not_included"] = builder.make(S.NOT_INCLUDED)
    domain.flag_for_ot(actor=coordinator, case=cases["flagged"], reason="Nieuwe feiten: diefstal met geweld.")
    return cases


def agenda(meeting) -> list[tuple]:
    return [(i.case_id, i.kind, i.flag_reason) for i in meeting.items.order_by("position")]


def test_the_agenda_holds_the_cases_awaiting_the_ot_and_the_flagged_ones_only(plan, chain_in_motion, new_audit):
    c = chain_in_motion
    mark = new_audit()

    meeting = plan()

    assert agenda(meeting) == [
        (c["awaiting"].pk, OTItemKind.NEW, ""),
        (c["awaiting_too"].pk, OTItemKind.NEW, ""),
        (c["flagged"].pk, OTItemKind.FLAGGED, "Nieuwe feiten: diefstal met geweld."),
    ]
    assert [i.position for i in meeting.items.order_by("position")] == [0, 1, 2]
    assert [(e.action, e.details) for e in new_audit(mark)] == [("ot.meeting_created", {"items": 3, "attendees": 0})]


def test_a_case_already_on_an_undecided_agenda_is_not_put_on_a_second_one(plan, chain_in_motion, next_week):
    plan()

    second = plan(starts_at=next_week + timedelta(days=28))

    assert agenda(second) == []


def test_a_parked_case_comes_back_on_its_review_date(plan, chain_in_motion):
    plan()  # takes the other cases

    with freeze_time(timezone.now() + timedelta(days=13)):
        assert agenda(plan(starts_at=timezone.now() + timedelta(hours=2))) == []
    with freeze_time(timezone.now() + timedelta(days=14)):
        assert agenda(plan(starts_at=timezone.now() + timedelta(hours=2))) == [
            (chain_in_motion["parked"].pk, OTItemKind.NEW, "")
        ]


def test_an_item_left_undecided_at_a_held_meeting_rolls_over(builder, plan, coordinator, ot_member):
    case = builder.make(S.AWAITING_OT)
    held = plan(starts_at=timezone.now() - timedelta(hours=3), attendees=[ot_member])
    domain.acknowledge_confidentiality(actor=coordinator, meeting=held, attendee=ot_member)
    domain.mark_meeting_held(actor=coordinator, meeting=held)

    assert agenda(plan()) == [(case.pk, OTItemKind.NEW, "")]


def test_a_flagged_case_parked_until_later_is_not_on_the_next_agenda(builder, plan, coordinator, today):
    case = builder.make(S.ACTIVE)
    domain.flag_for_ot(actor=coordinator, case=case, reason="Twijfel over de motivatie.")
    builder.decide(case, OTDecision.PARK, park_until=today + timedelta(days=30))

    assert agenda(plan()) == []


def test_refresh_adds_what_became_ready_after_planning(plan, builder, coordinator):
    meeting = plan()
    case = builder.make(S.INTAKE)
    builder.submit_to_ot(case)

    assert domain.refresh_agenda(actor=coordinator, meeting=meeting) == 1
    assert agenda(meeting) == [(case.pk, OTItemKind.NEW, "")]
    assert domain.refresh_agenda(actor=coordinator, meeting=meeting) == 0


def test_only_an_included_or_active_case_is_flagged_back_to_the_ot(make_case, coordinator, plan):
    plan()  # a next meeting to be put on
    case = make_case(S.REGISTERED)

    with pytest.raises(DomainError):
        domain.flag_for_ot(actor=coordinator, case=case, reason="Zomaar")


# --- Decisions --------------------------------------------------------------------------------------


@pytest.fixture
def new_item(builder, plan):
    """The agenda item of a case awaiting the OT, on next week's meeting."""
    case = builder.make(S.AWAITING_OT)
    return plan().items.get(case=case)


def unchanged(item, status=S.AWAITING_OT):
    fresh = OTAgendaItem.objects.get(pk=item.pk)
    assert (fresh.decision, fresh.version, fresh.decided_by_id) == ("", 1, None)
    assert Case.objects.get(pk=item.case_id).status == status


def test_include_without_case_director_or_subsidiarity_is_refused_field_by_field(new_item, coordinator, counts):
    rows = counts()

    with pytest.raises(ValidationFailed) as error:
        decide(coordinator, new_item, OTDecision.INCLUDE, version=1, subsidiarity="  ")

    assert error.value.errors == [
        {"field": "chosen_case_director", "message": "Choose the case director."},
        {"field": "subsidiarity", "message": "Motivate why no regular structure can take the case (subsidiarity)."},
    ]
    unchanged(new_item)
    assert counts() == rows


def test_the_chosen_case_director_must_be_one(new_item, coordinator, ot_member):
    with pytest.raises(ValidationFailed) as error:
        decide(coordinator, new_item, OTDecision.INCLUDE, chosen_case_director=ot_member, subsidiarity=SUBSIDIARITY)

    assert error.value.errors == [
        {"field": "chosen_case_director", "message": "This person is not a case director of the chain."}
    ]
    unchanged(new_item)


def test_include_includes_the_case_with_its_case_director_and_first_guideline(
    new_item, coordinator, case_director, new_audit
):
    mark = new_audit()

    item = decide(
        coordinator,
        new_item,
        OTDecision.INCLUDE,
        version=1,
        chosen_case_director=case_director,
        guideline=f"  {GUIDELINE}  ",
        subsidiarity=SUBSIDIARITY,
    )

    item.refresh_from_db()
    assert (item.decision, item.version, item.decided_by_id) == (OTDecision.INCLUDE, 2, coordinator.pk)
    assert item.decided_at is not None and item.chosen_case_director_id == case_director.pk
    case = Case.objects.get(pk=item.case_id)
    assert (case.status, case.case_director_id, case.first_guideline) == (S.INCLUDED, case_director.pk, GUIDELINE)
    transition = CaseTransition.objects.filter(case=case).latest("id")
    assert (transition.from_status, transition.to_status, transition.actor_id) == (
        S.AWAITING_OT,
        S.INCLUDED,
        coordinator.pk,
    )
    meeting_day = timezone.localtime(item.meeting.starts_at).date()
    assert transition.reason == f"OT decision of {date_format(meeting_day, 'j F Y')}"
    assert [(e.action, e.case_id) for e in new_audit(mark)] == [
        ("case.transition", case.pk),
        ("case.assigned", case.pk),
        ("ot.decided", case.pk),
    ]


def test_not_including_needs_advice(new_item, coordinator):
    with pytest.raises(ValidationFailed) as error:
        decide(coordinator, new_item, OTDecision.NOT_INCLUDE, advice=" ")

    assert error.value.errors == [
        {"field": "advice", "message": "Write the advice to the referrer: which other way can take up this case?"}
    ]
    unchanged(new_item)


@pytest.mark.parametrize("days", [0, -1])
def test_a_recontact_date_must_lie_in_the_future(new_item, coordinator, today, days):
    with pytest.raises(ValidationFailed) as error:
        decide(coordinator, new_item, OTDecision.NOT_INCLUDE, advice=ADVICE, recontact_on=today + timedelta(days=days))

    assert error.value.errors == [{"field": "recontact_on", "message": "The re-contact date must lie in the future."}]


def test_not_including_stores_advice_and_recontact_date_on_the_case(new_item, coordinator, today):
    recontact = today + timedelta(days=90)

    decide(coordinator, new_item, OTDecision.NOT_INCLUDE, advice=ADVICE, recontact_on=recontact)

    case = Case.objects.get(pk=new_item.case_id)
    assert (case.status, case.not_included_advice, case.recontact_on) == (S.NOT_INCLUDED, ADVICE, recontact)
    transition = CaseTransition.objects.filter(case=case).latest("id")
    assert (transition.from_status, transition.to_status, transition.reason) == (S.AWAITING_OT, S.NOT_INCLUDED, ADVICE)


@pytest.mark.parametrize("days", [None, 0, -3])
def test_parking_needs_a_future_date(new_item, coordinator, today, days):
    park_until = None if days is None else today + timedelta(days=days)

    with pytest.raises(ValidationFailed) as error:
        decide(coordinator, new_item, OTDecision.PARK, park_until=park_until)

    assert error.value.errors == [
        {"field": "park_until", "message": "Give the date on which the OT looks at the case again (in the future)."}
    ]
    unchanged(new_item)


def test_parking_keeps_the_case_waiting_and_can_be_decided_again(new_item, coordinator, case_director, today):
    parked = decide(coordinator, new_item, OTDecision.PARK, version=1, park_until=today + timedelta(days=30))

    assert (parked.decision, parked.park_until) == (OTDecision.PARK, today + timedelta(days=30))
    assert Case.objects.get(pk=new_item.case_id).status == S.AWAITING_OT

    decide(
        coordinator,
        parked,
        OTDecision.INCLUDE,
        version=2,
        chosen_case_director=case_director,
        subsidiarity=SUBSIDIARITY,
    )
    assert Case.objects.get(pk=new_item.case_id).status == S.INCLUDED


def test_a_second_decision_with_the_old_version_is_stale_and_the_first_stays(
    new_item, coordinator, case_director, counts
):
    first = decide(
        coordinator,
        new_item,
        OTDecision.INCLUDE,
        version=1,
        chosen_case_director=case_director,
        subsidiarity=SUBSIDIARITY,
    )
    rows = counts()

    with pytest.raises(StaleVersion) as error:
        decide(coordinator, new_item, OTDecision.NOT_INCLUDE, version=1, advice=ADVICE)

    assert error.value.detail == (
        "Another coordinator recorded a decision on this item in the meantime. Reload the page to see it."
    )
    item = OTAgendaItem.objects.get(pk=first.pk)
    assert (item.decision, item.version, item.advice) == (OTDecision.INCLUDE, 2, "")
    assert Case.objects.get(pk=new_item.case_id).status == S.INCLUDED
    assert counts() == rows


def test_a_decided_item_is_not_decided_again_without_a_version(new_item, coordinator, case_director):
    decide(coordinator, new_item, OTDecision.INCLUDE, chosen_case_director=case_director, subsidiarity=SUBSIDIARITY)

    with pytest.raises(StaleVersion) as error:
        decide(coordinator, new_item, OTDecision.NOT_INCLUDE, advice=ADVICE)

    assert error.value.detail == "A decision was already recorded for this item. Reload the page to see it."


def test_a_decision_is_one_of_those_possible_for_the_item(new_item, coordinator):
    with pytest.raises(ValidationFailed) as error:
        decide(coordinator, new_item, OTDecision.STOP)

    assert error.value.errors == [
        {"field": "decision", "message": "Choose one of the decisions possible for this agenda item."}
    ]


@pytest.mark.parametrize("who", ["case_director", "ot_member"])
def test_only_a_coordinator_records_a_decision(new_item, request, who):
    with pytest.raises(NotAllowed):
        decide(request.getfixturevalue(who), new_item, OTDecision.PARK, park_until=date(2099, 1, 1))

    unchanged(new_item)


def test_a_refused_transition_rolls_the_decision_back(builder, plan, coordinator, case_director):
    # The case went back to intake after the agenda was made: its undecided item leaves the agenda,
    # and a decision taken on the stale page is refused without touching the case.
    case = builder.make(S.AWAITING_OT)
    item = plan().items.get(case=case)
    workflow.transition_case(case, S.INTAKE, actor=coordinator, reason="Jongere neemt bedenktijd.")
    assert not OTAgendaItem.objects.filter(pk=item.pk).exists()

    with pytest.raises(StaleVersion):
        decide(coordinator, item, OTDecision.INCLUDE, chosen_case_director=case_director, subsidiarity=SUBSIDIARITY)

    case.refresh_from_db()
    assert case.status == S.INTAKE and case.case_director_id is None


# --- Flagged items ----------------------------------------------------------------------------------


@pytest.fixture
def flagged_item(builder, plan, coordinator, case_director):
    case = builder.make(S.ACTIVE, director=case_director)
    domain.flag_for_ot(actor=coordinator, case=case, reason="De jongere wil stoppen.")
    return plan().items.get(case=case)


def test_a_stop_decision_on_a_flagged_item_lets_the_case_director_close_with_stopped_by_youth(
    flagged_item, coordinator, case_director
):
    assert flagged_item.kind == OTItemKind.FLAGGED
    case = Case.objects.get(pk=flagged_item.case_id)
    with pytest.raises(DomainError):  # not before the OT's decision
        domain.close_case(
            actor=case_director, case=case, closure_reason=ClosureReason.STOPPED_BY_YOUTH, closure_summary=SUMMARY
        )

    decide(coordinator, flagged_item, OTDecision.STOP, version=1, notes="Stopzetting op vraag van de jongere.")

    case.refresh_from_db()
    assert (case.status, case.flagged_for_ot) == (S.ACTIVE, False)
    closed = domain.close_case(
        actor=case_director, case=case, closure_reason=ClosureReason.STOPPED_BY_YOUTH, closure_summary=SUMMARY
    )
    assert (closed.status, closed.closure_reason) == (S.CLOSED, ClosureReason.STOPPED_BY_YOUTH)


def test_continuing_clears_the_flag_and_keeps_the_case_going(flagged_item, coordinator):
    decide(coordinator, flagged_item, OTDecision.CONTINUE)

    case = Case.objects.get(pk=flagged_item.case_id)
    assert (case.status, case.flagged_for_ot) == (S.ACTIVE, False)


def test_parking_a_flagged_item_keeps_the_flag(flagged_item, coordinator, today):
    decide(coordinator, flagged_item, OTDecision.PARK, park_until=today + timedelta(days=7))

    assert Case.objects.get(pk=flagged_item.case_id).flagged_for_ot is True


def test_a_flagged_item_is_not_an_inclusion(flagged_item, coordinator, case_director):
    with pytest.raises(ValidationFailed) as error:
        decide(
            coordinator,
            flagged_item,
            OTDecision.INCLUDE,
            chosen_case_director=case_director,
            subsidiarity=SUBSIDIARITY,
        )

    assert [e["field"] for e in error.value.errors] == ["decision"]


# --- Attendance and holding the meeting -------------------------------------------------------------


@pytest.fixture
def meeting(plan, coordinator, ot_member):
    """A meeting that started an hour ago, with the coordinator and the police's OT member invited."""
    return plan(starts_at=timezone.now() - timedelta(hours=1), attendees=[coordinator, ot_member])


def test_confidentiality_is_acknowledged_once(meeting, ot_member, new_audit):
    mark = new_audit()

    first = domain.acknowledge_confidentiality(actor=ot_member, meeting=meeting, attendee=ot_member)
    acknowledged_at = first.confidentiality_acknowledged_at
    with freeze_time(timezone.now() + timedelta(minutes=20)):
        again = domain.acknowledge_confidentiality(actor=ot_member, meeting=meeting, attendee=ot_member)

    assert acknowledged_at is not None and first.present
    assert again.pk == first.pk
    assert OTAttendance.objects.get(pk=first.pk).confidentiality_acknowledged_at == acknowledged_at
    assert [(e.action, e.details) for e in new_audit(mark)] == [("ot.attendance", {"attendee": str(ot_member.pk)})]


def test_the_coordinator_records_attendance_for_an_attendee(meeting, coordinator, ot_member):
    attendance = domain.acknowledge_confidentiality(actor=coordinator, meeting=meeting, attendee=ot_member)

    assert (attendance.user_id, attendance.present) == (ot_member.pk, True)


def test_an_attendee_does_not_acknowledge_for_someone_else(meeting, coordinator, ot_member):
    with pytest.raises(NotAllowed):
        domain.acknowledge_confidentiality(actor=ot_member, meeting=meeting, attendee=coordinator)

    assert OTAttendance.objects.get(meeting=meeting, user=coordinator).confidentiality_acknowledged_at is None


def test_someone_not_invited_cannot_be_marked_present(meeting, coordinator, case_director):
    with pytest.raises(ValidationFailed) as error:
        domain.acknowledge_confidentiality(actor=coordinator, meeting=meeting, attendee=case_director)

    assert error.value.errors == [
        {"field": "attendee", "message": "This person is not on the attendance list of the meeting."}
    ]


def test_a_meeting_is_held_only_with_acknowledged_attendance(meeting, coordinator, ot_member):
    with pytest.raises(ValidationFailed) as error:
        domain.mark_meeting_held(actor=coordinator, meeting=meeting)

    assert error.value.errors == [
        {"field": "attendees", "message": "Record who was present: each attendee acknowledges confidentiality."}
    ]
    assert OTMeeting.objects.get(pk=meeting.pk).status == OTMeetingStatus.PLANNED

    domain.acknowledge_confidentiality(actor=ot_member, meeting=meeting, attendee=ot_member)
    held = domain.mark_meeting_held(actor=coordinator, meeting=meeting, notes="  Vier dossiers besproken.  ")

    held.refresh_from_db()
    assert (held.status, held.notes) == (OTMeetingStatus.HELD, "Vier dossiers besproken.")


def test_a_future_meeting_is_not_held_yet(plan, coordinator, ot_member):
    future = plan(starts_at=timezone.now() + timedelta(days=2), attendees=[ot_member])
    domain.acknowledge_confidentiality(actor=ot_member, meeting=future, attendee=ot_member)

    with pytest.raises(ValidationFailed) as error:
        domain.mark_meeting_held(actor=coordinator, meeting=future)

    assert error.value.errors == [
        {"field": "starts_at", "message": "A meeting can be recorded as held only on or after its date."}
    ]


def test_a_held_meeting_s_agenda_is_closed(meeting, coordinator, ot_member):
    domain.acknowledge_confidentiality(actor=ot_member, meeting=meeting, attendee=ot_member)
    domain.mark_meeting_held(actor=coordinator, meeting=meeting)
    meeting.refresh_from_db()

    with pytest.raises(DomainError) as error:
        domain.refresh_agenda(actor=coordinator, meeting=meeting)

    assert error.value.detail == "The meeting was held; its agenda is closed."
