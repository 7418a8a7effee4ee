"""Network meetings (FIX-overleg) through the JSON API: plan, record as held, evaluate, the invitation.

A planned meeting lies in the future (422 naming `starts_at`); a meeting without the youth is never
recorded ("Zonder jongere, geen FIX-overleg", 422); a closed case is a 409. Out of scope and visible
without the content (an OT member) answer 404. Built by the domain (tests/plans/fixtures.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.meetings.domain import NO_MEETING_WITHOUT_YOUTH
from ketenregie.meetings.models import ActionEvaluation, DomainProgress, MeetingAttendance, NetworkMeeting
from ketenregie.plans.models import Action, Plan
from tests.api.test_api_path import PROBLEM, Api, ok, problem
from tests.plans.fixtures import *  # noqa: F403 - the active case, its network and the plan helpers
from tests.plans.fixtures import close, one_domain

pytestmark = pytest.mark.django_db

RANDOM_ID = "3f0e1a52-5b8e-4c64-9d1e-0b8f7c2a9e11"


def in_(**delta) -> str:
    return (timezone.now() + timedelta(**delta)).isoformat()


def a_meeting(network=None, **fields) -> dict:
    return {
        "starts_at": in_(days=7),
        "location_kind": "neutral",
        "location": "Jeugdhuis Genk, zaal 1",
        "agenda": "Voorstellen, doelen overlopen.",
        "invitee_ids": [str(m.pk) for m in network.values()] if network else [],
        **fields,
    }


@pytest.fixture
def nobodies(ot_member, partner, admin_user, outsider, other_case_director):
    return [ot_member, partner, admin_user, outsider, other_case_director]


@pytest.fixture
def started(case, network, case_director):
    """A meeting that starts in half an hour: it can be recorded as held from an hour before."""
    return ok(Api(case_director).post(f"/cases/{case.pk}/meetings", a_meeting(network, starts_at=in_(minutes=30))), 201)


@pytest.fixture
def goal(case, network, save):
    plan = save([one_domain(network)])
    return plan.domains.get().goals.get()


def held(network, **fields) -> dict:
    return {
        "youth_attended": True,
        "attendee_ids": [str(network["clb"].pk), str(network["mother"].pk)],
        "acknowledged_ids": [str(network["clb"].pk)],
        "minutes": "Goed gesprek; de jongere stelde zelf een doel voor.",
        "information_shared": "De CLB-begeleider deelde het rapport van het eerste trimester.",
        **fields,
    }


# --- Planning ---------------------------------------------------------------------------------------------


def test_plan_a_meeting_list_and_read_it(case, network, case_director):
    api = Api(case_director)
    body = ok(api.post(f"/cases/{case.pk}/meetings", a_meeting(network)), 201)
    assert body["status"] == "planned" and body["kind"] == "fix" and body["duration_minutes"] == 90
    assert {m["name"] for m in body["invitees"]} == {"Nathalie Willems", "Elif Yilmaz", "Fatima Vermeulen"}
    assert body["legal_basis"]["name"].startswith("Decreet jeugddelinquentierecht")
    listed = ok(api.get(f"/cases/{case.pk}/meetings"))
    assert [(m["id"], m["invitees"]) for m in listed] == [(body["id"], 3)]
    assert ok(api.get(f"/meetings/{body['id']}")) == body
    assert AuditEvent.objects.filter(action="meeting.planned", case_id=case.pk).count() == 1
    views = AuditEvent.objects.filter(action="case.viewed", case_id=case.pk).values_list("details__view", flat=True)
    assert {"api.meetings", "api.meeting"} <= set(views)


def test_a_meeting_in_the_past_is_a_422_naming_starts_at(case, network, case_director):
    body = problem(Api(case_director).post(f"/cases/{case.pk}/meetings", a_meeting(starts_at=in_(days=-1))), 422)
    assert body["errors"] == [
        {
            "field": "starts_at",
            "message": "A planned meeting lies in the future: choose a date and time from now on.",
        }
    ]
    assert not NetworkMeeting.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": "2026-06-01T14:00:00"}, "starts_at"),  # no offset: ambiguous
        ({"starts_at": 1780000000}, "starts_at"),
        ({"starts_at": in_(days=400)}, "starts_at"),
        ({"location_kind": "moon"}, "location_kind"),
        ({"location": ""}, "location"),
        ({"location": "x" * 201}, "location"),
        ({"kind": "party"}, "kind"),
        ({"duration_minutes": 5}, "duration_minutes"),
        ({"duration_minutes": 2**40}, "duration_minutes"),
        ({"invitee_ids": [RANDOM_ID]}, "invitee_ids"),
        ({"agenda": "x" * 10_001}, "agenda"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_meeting_input_is_a_422_naming_the_field(case, case_director, change, field):
    body = problem(Api(case_director).post(f"/cases/{case.pk}/meetings", a_meeting(**change)), 422)
    assert field in {e["field"] for e in body["errors"]}, body
    assert not NetworkMeeting.objects.exists()


def test_a_replayed_submission_key_plans_one_meeting(case, case_director):
    api = Api(case_director)
    key = "0b7d3f1e-4a2c-4f7b-9e61-2d5c8a9b0c11"
    first = ok(api.post(f"/cases/{case.pk}/meetings", a_meeting(submission_key=key)), 201)
    again = ok(api.post(f"/cases/{case.pk}/meetings", a_meeting(submission_key=key)), 201)
    assert first["id"] == again["id"] and NetworkMeeting.objects.count() == 1


def test_markup_and_long_text_are_stored_as_given_and_returned_as_data(case, case_director):
    location = "<a href='javascript:alert(1)'>Zaal</a> & co"
    agenda = "<script>fetch('/')</script>\n" + "x" * 9_900
    response = Api(case_director).post(f"/cases/{case.pk}/meetings", a_meeting(location=location, agenda=agenda))
    body = ok(response, 201)
    assert response["Content-Type"].startswith("application/json")
    assert (body["location"], body["agenda"]) == (location, agenda)
    stored = NetworkMeeting.objects.get()
    assert (stored.location, stored.agenda) == (location, agenda)


# --- Recording as held ---------------------------------------------------------------------------------------


def test_without_the_youth_there_is_no_meeting(case, network, case_director, started):
    body = problem(Api(case_director).post(f"/meetings/{started['id']}/held", held(network, youth_attended=False)), 422)
    assert NO_MEETING_WITHOUT_YOUTH in body["detail"]
    assert body["errors"][0]["field"] == "youth_attended"
    assert NO_MEETING_WITHOUT_YOUTH in body["errors"][0]["message"]
    body = problem(Api(case_director).post(f"/meetings/{started['id']}/held", {}), 422)  # left out: the same
    assert NO_MEETING_WITHOUT_YOUTH in body["detail"]
    meeting = NetworkMeeting.objects.get(pk=started["id"])
    assert meeting.status == "planned" and not MeetingAttendance.objects.exists()
    assert AuditEvent.objects.filter(action="meeting.refused", case_id=case.pk, result="denied").count() == 2


def test_record_a_meeting_as_held_with_agreements(case, network, case_director, started, goal):
    api = Api(case_director)
    version = Plan.objects.get(case=case).version
    agreement = {
        "goal_id": str(goal.pk),
        "what": "Mama belt de school elke vrijdag.",
        "responsible_member": str(network["mother"].pk),
        "due_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
    }
    body = ok(api.post(f"/meetings/{started['id']}/held", held(network, agreements=[agreement])))
    assert body["status"] == "held" and body["youth_attended"] is True and body["held_at"]
    assert body["minutes"].startswith("Goed gesprek")
    youth, *others = body["attendances"]
    assert youth["is_youth"] is True and youth["member"] is None
    clb = next(a for a in others if a["name"] == "Nathalie Willems")
    assert clb["is_professional"] is True and clb["confidentiality_acknowledged_at"]
    (made,) = body["agreements"]
    assert made["what"] == agreement["what"] and made["responsible_member"]["name"] == "Fatima Vermeulen"
    action = Action.objects.get(pk=made["action"])
    assert action.source_meeting_id == NetworkMeeting.objects.get().pk and action.goal_id == goal.pk
    assert Plan.objects.get(case=case).version == version + 1
    assert AuditEvent.objects.filter(action="meeting.held", case_id=case.pk).count() == 1
    # Recorded once.
    assert "already" in problem(api.post(f"/meetings/{started['id']}/held", held(network)), 409)["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"acknowledged_ids": []}, "acknowledged_ids"),  # the CLB worker is a professional
        ({"attendee_ids": [RANDOM_ID]}, "attendee_ids"),
        ({"agreements": [{"goal_id": RANDOM_ID, "what": "Iets."}]}, "agreements.0.goal_id"),
        ({"agreements": [{"goal_id": RANDOM_ID, "what": "x" * 10_001}]}, "agreements.0.what"),
        ({"minutes": "x" * 10_001}, "minutes"),
        ({"youth_attended": "yes"}, "youth_attended"),
    ],
)
def test_bad_held_input_is_a_422_naming_the_field(network, case_director, started, change, field):
    body = problem(Api(case_director).post(f"/meetings/{started['id']}/held", held(network, **change)), 422)
    assert field in {e["field"] for e in body["errors"]}, body
    assert NetworkMeeting.objects.get(pk=started["id"]).status == "planned"


def test_a_meeting_next_week_cannot_be_recorded_as_held_yet(case, network, case_director):
    api = Api(case_director)
    meeting = ok(api.post(f"/cases/{case.pk}/meetings", a_meeting(network)), 201)
    body = problem(api.post(f"/meetings/{meeting['id']}/held", held(network)), 422)
    assert {e["field"] for e in body["errors"]} == {"starts_at"}


def test_enter_a_meeting_that_already_took_place(case, network, case_director):
    api = Api(case_director)
    past = a_meeting(network, starts_at=in_(days=-3), held=held(network))
    body = ok(api.post(f"/cases/{case.pk}/meetings", past), 201)
    assert body["status"] == "held" and len(body["attendances"]) == 3
    refused = problem(api.post(f"/cases/{case.pk}/meetings", dict(past, held=held(network, youth_attended=False))), 422)
    assert any(
        e["field"] == "held.youth_attended" and NO_MEETING_WITHOUT_YOUTH in e["message"] for e in refused["errors"]
    )
    assert NetworkMeeting.objects.count() == 1


# --- Evaluating ------------------------------------------------------------------------------------------------


def test_evaluate_a_held_meeting(case, network, case_director, started, goal):
    api = Api(case_director)
    ok(api.post(f"/meetings/{started['id']}/held", held(network)))
    action = goal.actions.get()
    body = ok(
        api.post(
            f"/meetings/{started['id']}/evaluations",
            {
                "actions": [{"action_id": str(action.pk), "kept": "partly", "realistic": False, "note": "Twee keer."}],
                "progress": [{"domain": "werk_onderwijs", "score": 3, "note": "Gaat weer naar school."}],
                "cooperation": "Vlot.",
            },
        )
    )
    assert body["evaluations"] == [
        {"action": str(action.pk), "what": action.what, "kept": "partly", "realistic": False, "note": "Twee keer."}
    ]
    assert body["progress"] == [
        {"domain": "werk_onderwijs", "label": "Werk/onderwijs", "score": 3, "note": "Gaat weer naar school."}
    ]
    assert body["cooperation"] == "Vlot."
    # Sent again, an evaluation replaces the earlier one; a new status lands in the plan.
    ok(
        api.post(
            f"/meetings/{started['id']}/evaluations",
            {"actions": [{"action_id": str(action.pk), "kept": "yes", "status": "done"}]},
        )
    )
    assert ActionEvaluation.objects.get().kept == "yes"
    action.refresh_from_db()
    assert action.status == "done"
    assert AuditEvent.objects.filter(action="meeting.evaluated", case_id=case.pk).count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"progress": [{"domain": "werk_onderwijs", "score": 6}]}, "progress.0.score"),
        ({"progress": [{"domain": "werk_onderwijs", "score": 0}]}, "progress.0.score"),
        ({"progress": [{"domain": "werk_onderwijs", "score": "4"}]}, "progress.0.score"),
        ({"progress": [{"domain": "sterrenkunde", "score": 3}]}, "progress.0.domain"),
        ({"progress": [{"domain": "vrije_tijd", "score": 3}] * 2}, "progress.1.domain"),
        ({"actions": [{"action_id": RANDOM_ID, "kept": "yes"}]}, "actions.0.action_id"),
        ({"actions": [{"action_id": RANDOM_ID, "kept": "sometimes"}]}, "actions.0.kept"),
        ({"cooperation": "x" * 10_001}, "cooperation"),
    ],
)
def test_a_bad_evaluation_is_a_422_naming_the_field(network, case_director, started, body, field):
    api = Api(case_director)
    ok(api.post(f"/meetings/{started['id']}/held", held(network)))
    answer = problem(api.post(f"/meetings/{started['id']}/evaluations", body), 422)
    assert field in {e["field"] for e in answer["errors"]}, answer
    assert not DomainProgress.objects.exists() and not ActionEvaluation.objects.exists()


def test_a_planned_meeting_is_not_evaluated_yet(case_director, started):
    body = problem(Api(case_director).post(f"/meetings/{started['id']}/evaluations", {}), 422)
    assert {e["field"] for e in body["errors"]} == {"meeting"}


# --- The invitation -----------------------------------------------------------------------------------------------


def test_the_invitation_is_an_ics_without_the_youths_name(case, network, case_director):
    api = Api(case_director)
    meeting = ok(api.post(f"/cases/{case.pk}/meetings", a_meeting(network)), 201)
    response = api.get(f"/meetings/{meeting['id']}/invite.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith('attachment; filename="netwerkoverleg-')
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR") and case.reference in text
    assert case.youth.last_name not in text and case.youth.first_name not in text
    assert AuditEvent.objects.filter(action="meeting.invite_downloaded", case_id=case.pk).count() == 1


# --- Closed cases and who may ---------------------------------------------------------------------------------------


def test_the_meetings_of_a_closed_case_are_read_only(case, network, case_director, coordinator, started):
    close(case, coordinator)
    api = Api(coordinator)
    assert len(ok(api.get(f"/cases/{case.pk}/meetings"))) == 1
    for response in (
        api.post(f"/cases/{case.pk}/meetings", a_meeting()),
        api.post(f"/meetings/{started['id']}/held", held(network)),
        api.post(f"/meetings/{started['id']}/evaluations", {}),
    ):
        assert "closed" in problem(response, 409)["detail"]
    assert NetworkMeeting.objects.get().status == "planned"


def test_out_of_scope_and_without_the_content_is_404(case, network, nobodies, ot_member, started, coordinator):
    ok(Api(ot_member).get(f"/cases/{case.pk}"))  # the OT member sees the case, not its meetings
    meeting = started["id"]
    for someone in nobodies:
        api = Api(someone)
        for response in (
            api.get(f"/cases/{case.pk}/meetings"),
            api.post(f"/cases/{case.pk}/meetings", a_meeting()),
            api.get(f"/meetings/{meeting}"),
            api.post(f"/meetings/{meeting}/held", held(network)),
            api.post(f"/meetings/{meeting}/evaluations", {}),
            api.get(f"/meetings/{meeting}/invite.ics"),
        ):
            assert problem(response, 404) == {"type": "about:blank", "title": "Not Found", "status": 404}
    for path in (f"/meetings/{RANDOM_ID}", f"/meetings/{RANDOM_ID}/invite.ics", f"/cases/{RANDOM_ID}/meetings"):
        problem(Api(coordinator).get(path), 404)
    assert NetworkMeeting.objects.count() == 1 and NetworkMeeting.objects.get().status == "planned"
    assert not AuditEvent.objects.filter(action="meeting.invite_downloaded").exists()
    assert AuditEvent.objects.filter(action="access.denied", actor_id=ot_member.pk).count() == 6


def test_the_meeting_list_has_a_constant_number_of_queries(case, network, case_director):
    api = Api(case_director)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            ok(api.get(f"/cases/{case.pk}/meetings"))
        return len(queries)

    ok(api.post(f"/cases/{case.pk}/meetings", a_meeting(network)), 201)
    one = count()
    for days in (14, 21):
        ok(api.post(f"/cases/{case.pk}/meetings", a_meeting(network, starts_at=in_(days=days))), 201)
    assert count() == one


def test_a_meeting_is_read_in_a_constant_number_of_queries(case, network, case_director, started, goal):
    api = Api(case_director)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            ok(api.get(f"/meetings/{started['id']}"))
        return len(queries)

    agreement = {"goal_id": str(goal.pk), "what": "Eerste afspraak."}
    ok(api.post(f"/meetings/{started['id']}/held", held(network, agreements=[agreement])))
    one = count()
    later = ok(api.post(f"/cases/{case.pk}/meetings", a_meeting(network, starts_at=in_(minutes=20))), 201)
    agreements = [dict(agreement, what=f"Afspraak {i}.") for i in range(3)]
    ok(api.post(f"/meetings/{later['id']}/held", held(network, agreements=agreements)))

    def count_later() -> int:
        with CaptureQueriesContext(connection) as queries:
            ok(api.get(f"/meetings/{later['id']}"))
        return len(queries)

    assert count_later() == one


def test_the_openapi_document_declares_the_meeting_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path, method in (
        ("/api/v1/cases/{case_id}/meetings", "get"),
        ("/api/v1/cases/{case_id}/meetings", "post"),
        ("/api/v1/meetings/{meeting_id}", "get"),
        ("/api/v1/meetings/{meeting_id}/held", "post"),
        ("/api/v1/meetings/{meeting_id}/evaluations", "post"),
        ("/api/v1/meetings/{meeting_id}/invite.ics", "get"),
    ):
        operation = paths[path][method]
        assert operation["summary"] and operation["security"], (path, method)
        for code in ("404", "422"):
            assert PROBLEM in operation["responses"][code]["content"], (path, method, code)
    assert "text/calendar" in paths["/api/v1/meetings/{meeting_id}/invite.ics"]["get"]["responses"]["200"]["content"]
