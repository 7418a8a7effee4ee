"""Entering a meeting afterwards, and an evaluation that adjusts the plan's actions."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ketenregie.common.errors import ValidationFailed
from ketenregie.meetings import domain
from ketenregie.meetings.domain import ActionEvaluationInput, HeldData
from ketenregie.meetings.enums import MeetingStatus
from ketenregie.meetings.models import ActionEvaluation, NetworkMeeting
from ketenregie.plans.enums import ActionStatus
from ketenregie.plans.models import Action, Plan, PlanVersion
from tests.plans.fixtures import one_domain


def local_input(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def with_plan(case, case_director, network):
    from ketenregie.plans.domain import save_plan

    save_plan(actor=case_director, case=case, version=0, domains=[one_domain(network)])
    return Plan.objects.get(case=case)


def past_form(network, **extra) -> dict:
    data = {
        "submission_key": str(uuid.uuid4()),
        "kind": "fix",
        "starts_at": local_input(timezone.now() - timedelta(days=2)),
        "duration_minutes": "60",
        "location_kind": "home",
        "location": "Thuis bij de jongere",
        "agenda": "",
        "youth_attended": "on",
        "present": [str(network["mother"].pk), str(network["clb"].pk)],
        "acknowledged": [str(network["clb"].pk)],
        "minutes": "Afspraken gemaakt.",
        "information_shared": "CLB: aanwezigheden.",
        "agreements-TOTAL_FORMS": "3",
        "agreements-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


# --- Entering a past meeting ----------------------------------------------------------------------


def test_the_meeting_list_offers_to_enter_a_past_meeting(case, network, legal_basis, client_for, case_director):
    page = client_for(case_director).get(reverse("meetings:list", args=[case.pk])).content.decode()
    assert reverse("meetings:record", args=[case.pk]) in page


def test_a_past_meeting_is_entered_as_held_with_its_agreements(
    case, network, with_plan, legal_basis, client_for, case_director
):
    goal = with_plan.domains.get().goals.get()
    url = reverse("meetings:record", args=[case.pk])
    client = client_for(case_director)
    assert client.get(url).status_code == 200
    data = past_form(
        network,
        **{
            "agreements-0-goal": str(goal.pk),
            "agreements-0-what": "Mama belt de school",
            "agreements-0-responsible": str(network["mother"].pk),
        },
    )
    response = client.post(url, data)
    assert response.status_code == 302
    meeting = NetworkMeeting.objects.get(case=case)
    assert meeting.status == MeetingStatus.HELD
    assert Action.objects.get(source_meeting=meeting).what == "Mama belt de school"
    # The same form sent twice (a double click, a retry) records the meeting once.
    assert client.post(url, data).status_code == 302
    assert NetworkMeeting.objects.filter(case=case).count() == 1


def test_a_past_meeting_without_the_youth_is_refused_with_the_rule(
    case, network, legal_basis, client_for, case_director
):
    data = past_form(network)
    del data["youth_attended"]
    response = client_for(case_director).post(reverse("meetings:record", args=[case.pk]), data)
    assert response.status_code == 422
    assert "Zonder jongere, geen FIX-overleg" in response.content.decode()
    assert response.context["form"].errors["youth_attended"]
    assert not NetworkMeeting.objects.filter(case=case).exists()


def test_a_future_date_is_refused_next_to_the_field(case, network, legal_basis, client_for, case_director):
    data = past_form(network, starts_at=local_input(timezone.now() + timedelta(days=1)))
    response = client_for(case_director).post(reverse("meetings:record", args=[case.pk]), data)
    assert response.status_code == 422
    assert response.context["when"].errors["starts_at"] == ["This meeting lies in the future: plan it instead."]
    assert not NetworkMeeting.objects.filter(case=case).exists()


def test_an_ot_member_and_an_outsider_get_404(case, network, legal_basis, client_for, ot_member, outsider):
    url = reverse("meetings:record", args=[case.pk])
    for user in (ot_member, outsider):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, past_form(network)).status_code == 404
    assert not NetworkMeeting.objects.filter(case=case).exists()


# --- Evaluation adjusts the plan ------------------------------------------------------------------


def held_meeting(case, case_director, network):
    return domain.record_past_meeting(
        actor=case_director,
        case=case,
        starts_at=timezone.now() - timedelta(hours=2),
        location_kind="neutral",
        location="Stadhuis",
        data=HeldData(youth_attended=True),
    )


def test_an_evaluation_sets_the_action_done_as_one_new_plan_version(
    case, case_director, network, with_plan, legal_basis
):
    action = Action.objects.get(case=case)
    meeting = held_meeting(case, case_director, network)
    before = Plan.objects.get(case=case).version
    domain.evaluate_meeting(
        actor=case_director,
        meeting=meeting,
        actions=[ActionEvaluationInput(action_id=action.pk, kept="yes", status=ActionStatus.DONE)],
        progress=[],
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    plan = Plan.objects.get(case=case)
    assert plan.version == before + 1
    assert PlanVersion.objects.get(plan=plan, number=plan.version).changes == ["action status"]
    # Saving the same evaluation again writes no empty version.
    domain.evaluate_meeting(
        actor=case_director,
        meeting=meeting,
        actions=[ActionEvaluationInput(action_id=action.pk, kept="yes", status=ActionStatus.DONE)],
        progress=[],
    )
    assert Plan.objects.get(case=case).version == before + 1


def test_a_status_change_alone_adjusts_the_plan_without_an_evaluation_row(
    case, case_director, network, with_plan, legal_basis
):
    action = Action.objects.get(case=case)
    meeting = held_meeting(case, case_director, network)
    domain.evaluate_meeting(
        actor=case_director,
        meeting=meeting,
        actions=[ActionEvaluationInput(action_id=action.pk, kept="", status=ActionStatus.STOPPED)],
        progress=[],
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.STOPPED
    assert not ActionEvaluation.objects.filter(meeting=meeting).exists()


def test_an_unknown_status_is_refused_and_changes_nothing(case, case_director, network, with_plan, legal_basis):
    action = Action.objects.get(case=case)
    meeting = held_meeting(case, case_director, network)
    with pytest.raises(ValidationFailed) as refused:
        domain.evaluate_meeting(
            actor=case_director,
            meeting=meeting,
            actions=[ActionEvaluationInput(action_id=action.pk, kept="yes", status="finished")],
            progress=[],
        )
    assert refused.value.errors == [{"field": "actions.0.status", "message": "Choose a status."}]
    action.refresh_from_db()
    assert action.status == ActionStatus.PLANNED
    assert not ActionEvaluation.objects.filter(meeting=meeting).exists()


def test_the_evaluation_form_sets_the_status(case, case_director, network, with_plan, legal_basis, client_for):
    action = Action.objects.get(case=case)
    meeting = held_meeting(case, case_director, network)
    url = reverse("meetings:evaluate", args=[case.pk, meeting.pk])
    client = client_for(case_director)
    assert f'name="status_{action.pk}"' in client.get(url).content.decode()
    response = client.post(
        url, {f"kept_{action.pk}": "yes", f"realistic_{action.pk}": "yes", f"status_{action.pk}": "done"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
