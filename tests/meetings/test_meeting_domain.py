"""Network meetings: planned in the future, never held without the youth, confidentiality, agreements, scores."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.common.errors import ValidationFailed
from ketenregie.meetings import domain
from ketenregie.meetings.domain import ActionEvaluationInput, Agreement, HeldData, ProgressInput
from ketenregie.meetings.enums import MeetingStatus
from ketenregie.meetings.models import DomainProgress, MeetingAttendance, NetworkMeeting
from ketenregie.plans.models import Action, Plan, PlanVersion
from tests.plans.fixtures import one_domain


@pytest.fixture
def plan_soon(case, case_director, network, legal_basis):
    """A meeting that starts in half an hour (so it may already be recorded as held)."""

    def make(**fields):
        return domain.plan_meeting(
            actor=case_director,
            case=case,
            starts_at=timezone.now() + timedelta(minutes=30),
            location_kind="neutral",
            location="Stadhuis Genk, zaal 2.14",
            agenda="Plan van aanpak maken.",
            invitees=list(network.values()),
            **fields,
        )

    return make


def test_meeting_in_the_past_cannot_be_planned(case, case_director, legal_basis):
    with pytest.raises(ValidationFailed) as refused:
        domain.plan_meeting(
            actor=case_director,
            case=case,
            starts_at=timezone.now() - timedelta(hours=2),
            location_kind="neutral",
            location="Stadhuis",
        )
    assert [e["field"] for e in refused.value.errors] == ["starts_at"]
    assert not NetworkMeeting.objects.exists()


def test_held_without_the_youth_is_refused_audited_and_stays_planned(case, case_director, network, plan_soon):
    meeting = plan_soon()
    with pytest.raises(ValidationFailed) as refused:
        domain.hold_meeting(
            actor=case_director,
            meeting=meeting,
            data=HeldData(youth_attended=False, attendee_ids=[network["mother"].pk]),
        )
    assert "Zonder jongere, geen FIX-overleg" in refused.value.detail
    assert refused.value.errors[0]["field"] == "youth_attended"
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    assert not MeetingAttendance.objects.filter(meeting=meeting).exists()
    event = AuditEvent.objects.get(action="meeting.refused")
    assert event.result == "denied" and event.object_id == str(meeting.pk)


def test_professional_without_confidentiality_is_refused(case, case_director, network, plan_soon):
    meeting = plan_soon()
    with pytest.raises(ValidationFailed) as refused:
        domain.hold_meeting(
            actor=case_director,
            meeting=meeting,
            data=HeldData(
                youth_attended=True, attendee_ids=[network["clb"].pk, network["mother"].pk], acknowledged_ids=[]
            ),
        )
    assert refused.value.errors == [
        {
            "field": "acknowledged_ids",
            "message": "Nathalie Willems (professional) must acknowledge confidentiality for this meeting.",
        }
    ]
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_agreements_become_actions_and_a_new_plan_version(case, case_director, network, plan_soon):
    from ketenregie.plans.domain import save_plan

    save_plan(actor=case_director, case=case, version=0, domains=[one_domain(network)])
    goal = Plan.objects.get(case=case).domains.get().goals.get()
    meeting = plan_soon()
    domain.hold_meeting(
        actor=case_director,
        meeting=meeting,
        data=HeldData(
            youth_attended=True,
            attendee_ids=[network["clb"].pk, network["mother"].pk],
            acknowledged_ids=[network["clb"].pk],
            minutes="Goed overleg.",
            agreements=[
                Agreement(
                    goal_id=goal.pk,
                    what="Mama belt de school",
                    responsible_member=network["mother"].pk,
                    due_on=timezone.localdate() + timedelta(days=14),
                )
            ],
        ),
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.youth_attended
    action = Action.objects.get(source_meeting=meeting)
    assert action.goal == goal and action.responsible_member == network["mother"]
    assert Plan.objects.get(case=case).version == 2
    assert PlanVersion.objects.filter(plan__case=case).count() == 2
    clb = MeetingAttendance.objects.get(meeting=meeting, member=network["clb"])
    assert clb.confidentiality_acknowledged_at is not None
    assert MeetingAttendance.objects.filter(meeting=meeting, is_youth=True).count() == 1


@pytest.mark.parametrize("score", [0, 6, -1])
def test_scores_outside_one_to_five_are_refused(case, case_director, network, plan_soon, score):
    meeting = plan_soon()
    domain.hold_meeting(actor=case_director, meeting=meeting, data=HeldData(youth_attended=True))
    with pytest.raises(ValidationFailed) as refused:
        domain.evaluate_meeting(
            actor=case_director,
            meeting=meeting,
            actions=[],
            progress=[ProgressInput(domain="werk_onderwijs", score=score)],
        )
    assert refused.value.errors == [{"field": "progress.0.score", "message": "Give a score from 1 to 5."}]
    assert not DomainProgress.objects.exists()


def test_evaluation_records_kept_and_scores(case, case_director, network, plan_soon):
    from ketenregie.plans.domain import save_plan

    save_plan(actor=case_director, case=case, version=0, domains=[one_domain(network)])
    action = Action.objects.get(case=case)
    meeting = plan_soon()
    domain.hold_meeting(actor=case_director, meeting=meeting, data=HeldData(youth_attended=True))
    domain.evaluate_meeting(
        actor=case_director,
        meeting=meeting,
        cooperation="Vlot.",
        actions=[ActionEvaluationInput(action_id=action.pk, kept="partly", realistic=False)],
        progress=[ProgressInput(domain="werk_onderwijs", score=3)],
    )
    assert action.evaluations.get().kept == "partly"
    assert DomainProgress.objects.get(meeting=meeting).score == 3


def test_ics_names_the_case_number_but_not_the_youth(case, plan_soon):
    meeting = plan_soon()
    ics = domain.invitation_ics(meeting).decode()
    assert "BEGIN:VCALENDAR" in ics
    assert case.reference in ics
    assert case.youth.first_name not in ics
    assert case.youth.last_name not in ics
