"""OT meetings through the JSON API: planning, what attendees see, and decisions under concurrency."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketenregie.accounts.enums import Role
from ketenregie.audit.models import AuditEvent
from ketenregie.cases import domain
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case, CaseTransition, OTAgendaItem, OTMeeting
from tests.api.test_api_path import (
    Api,
    consents_for_ot,
    include,
    item_for,
    legal_basis,
    ok,
    plan_meeting,
    problem,
    registration,
    save_intake,
    step,
    to_awaiting_ot,
    today,
)
from tests.factories import MembershipFactory, UserFactory

RANDOM_ID = "3f0e1a52-5b8e-4c64-9d1e-0b8f7c2a9e11"


@pytest.fixture
def basis(chain, coordinator, police, caw):
    return legal_basis(chain, coordinator, police, caw)


@pytest.fixture
def awaiting(coordinator):
    return to_awaiting_ot(Api(coordinator), age=19)


@pytest.fixture
def meeting(coordinator, ot_member, basis, awaiting):
    return plan_meeting(Api(coordinator), basis, [ot_member, coordinator])


def test_plan_makes_the_agenda(coordinator, ot_member, meeting, awaiting):
    item = item_for(meeting, awaiting["id"])
    assert item["kind"] == "new" and item["version"] == 1 and item["case"]["status"] == "awaiting_ot"
    assert {a["user"]["id"] for a in meeting["attendees"]} == {str(ot_member.pk), str(coordinator.pk)}
    police = next(a for a in meeting["attendees"] if a["user"]["id"] == str(ot_member.pk))
    assert police["organisation"]["name"] == "Politiezone CARMA" and police["present"] is False
    assert AuditEvent.objects.filter(action="ot.meeting_created", object_id=meeting["id"]).count() == 1
    listed = ok(Api(ot_member).get("/ot-meetings"))
    assert [(m["id"], m["items"]) for m in listed["items"]] == [(meeting["id"], 1)]


def test_attendees_by_id_and_same_submission_key(coordinator, ot_member, basis):
    api = Api(coordinator)
    key = str(uuid.uuid4())
    first = plan_meeting(api, basis, [], attendees=[str(ot_member.pk)], submission_key=key)
    again = plan_meeting(api, basis, [], attendees=[str(ot_member.pk)], submission_key=key)
    assert first["id"] == again["id"] and OTMeeting.objects.count() == 1
    assert [a["user"]["id"] for a in first["attendees"]] == [str(ot_member.pk)]


def test_two_decisions_with_the_same_version(coordinator, case_director, meeting, awaiting):
    api = Api(coordinator)
    item = item_for(meeting, awaiting["id"])

    first = include(api, meeting, item, case_director)
    second = api.post(
        f"/ot-meetings/{meeting['id']}/decisions",
        {
            "item": item["id"],
            "decision": "not_include",
            "version": item["version"],
            "advice": "Naar het CAW.",
        },
    )

    assert ok(first)["item"]["decision"] == "include"
    body = problem(second, 409)
    assert "Another coordinator recorded a decision on this item" in body["detail"]
    stored = OTAgendaItem.objects.get(pk=item["id"])
    assert stored.decision == "include" and stored.version == item["version"] + 1
    case = Case.objects.get(pk=awaiting["id"])
    assert case.status == CaseStatus.INCLUDED and case.case_director_id == case_director.pk
    assert CaseTransition.objects.filter(case=case, to_status="not_included").count() == 0
    assert AuditEvent.objects.filter(action="ot.decided", object_id=item["id"]).count() == 1
    # Without a version the second decision is refused as well: the item was decided.
    again = api.post(
        f"/ot-meetings/{meeting['id']}/decisions",
        {"item": item["id"], "decision": "park", "park_until": str(today() + timedelta(days=30))},
    )
    assert "already recorded" in problem(again, 409)["detail"]


def test_not_include_needs_advice(coordinator, meeting, awaiting):
    api = Api(coordinator)
    item = item_for(meeting, awaiting["id"])
    url = f"/ot-meetings/{meeting['id']}/decisions"
    body = problem(api.post(url, {"item": item["id"], "decision": "not_include", "version": 1}), 422)
    assert [e["field"] for e in body["errors"]] == ["advice"]
    assert OTAgendaItem.objects.get(pk=item["id"]).decision == ""
    recontact = (today() + timedelta(days=90)).isoformat()
    decided = ok(
        api.post(
            url,
            {
                "item": item["id"],
                "decision": "not_include",
                "version": 1,
                "advice": "Doorverwijzen naar het CAW.",
                "recontact_on": recontact,
            },
        )
    )
    assert decided["case"]["status"] == CaseStatus.NOT_INCLUDED
    case = Case.objects.get(pk=awaiting["id"])
    assert case.not_included_advice == "Doorverwijzen naar het CAW." and case.recontact_on.isoformat() == recontact


def test_include_needs_director_and_subsidiarity(coordinator, ot_member, meeting, awaiting):
    api = Api(coordinator)
    item = item_for(meeting, awaiting["id"])
    body = problem(
        api.post(f"/ot-meetings/{meeting['id']}/decisions", {"item": item["id"], "decision": "include", "version": 1}),
        422,
    )
    assert {e["field"] for e in body["errors"]} == {"chosen_case_director", "subsidiarity"}
    body = problem(include(api, meeting, item, ot_member), 422)
    assert [e["field"] for e in body["errors"]] == ["chosen_case_director"]
    assert Case.objects.get(pk=awaiting["id"]).status == CaseStatus.AWAITING_OT


def test_ot_member_may_read_but_not_decide(ot_member, case_director, meeting, awaiting):
    member = Api(ot_member)
    seen = ok(member.get(f"/ot-meetings/{meeting['id']}"))
    item = item_for(seen, awaiting["id"])
    assert item["case"]["reference"] == awaiting["reference"]
    body = problem(include(member, meeting, item, case_director), 403)
    assert body["title"] == "Forbidden"
    assert OTAgendaItem.objects.get(pk=item["id"]).decision == ""
    event = AuditEvent.objects.filter(action="ot.meeting_viewed", actor_id=ot_member.pk).latest("id")
    assert event.details == {"channel": "api", "items": 1, "cases_shown": 1}


def test_withdrawn_ot_consent_hides_the_dossier_from_attendees(coordinator, ot_member, meeting, awaiting):
    coord, member = Api(coordinator), Api(ot_member)
    ot_consent = next(c for c in ok(coord.get(f"/cases/{awaiting['id']}/consents")) if c["kind"] == "ot_discussion")
    ok(coord.post(f"/consents/{ot_consent['id']}/withdraw", {"note": "Trekt in."}))

    seen = ok(member.get(f"/ot-meetings/{meeting['id']}"))
    assert [i["case"] for i in seen["items"]] == [None]
    assert seen["items"][0]["subsidiarity"] is None and seen["items"][0]["flag_reason"] is None
    problem(member.get(f"/cases/{awaiting['id']}"), 404)
    # The coordinator still sees the item (and the case stays on the agenda for the OT to decide).
    assert item_for(ok(coord.get(f"/ot-meetings/{meeting['id']}")), awaiting["id"])["case"] is not None


@pytest.mark.parametrize("who", ["outsider", "admin_user", "strategic", "case_director", "partner", "other_ot_member"])
def test_meeting_out_of_scope_is_404(who, request, meeting):
    if who == "other_ot_member":
        user = UserFactory(username="ot-caw")
        MembershipFactory(
            user=user,
            chain=request.getfixturevalue("chain"),
            role=Role.OT_MEMBER,
            organisation=request.getfixturevalue("caw"),
        )
    else:
        user = request.getfixturevalue(who)
    api = Api(user)
    missing = api.get(f"/ot-meetings/{uuid.uuid4()}")
    hidden = api.get(f"/ot-meetings/{meeting['id']}")
    assert problem(hidden, 404) == problem(missing, 404) and hidden.content == missing.content
    decision = api.post(
        f"/ot-meetings/{meeting['id']}/decisions", {"item": meeting["items"][0]["id"], "decision": "park"}
    )
    assert decision.content == missing.content
    assert ok(api.get("/ot-meetings"))["count"] == 0


def test_meeting_detail_has_a_constant_number_of_queries(coordinator, ot_member, basis):
    coord, member = Api(coordinator), Api(ot_member)
    first = to_awaiting_ot(coord, age=19)
    meeting = plan_meeting(coord, basis, [ot_member])

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            ok(member.get(f"/ot-meetings/{meeting['id']}"))
        return len(queries)

    ok(member.get("/ot-meetings"))  # the token records its use at most every five minutes: not in the count
    one = count_queries()
    for first_name in ("Sara", "Jonas"):
        body = registration(age=20)
        body["youth"]["first_name"] = first_name
        case = ok(coord.post("/cases", body), 201)
        step(coord, case["id"], "intake")
        save_intake(coord, case["id"])
        consents_for_ot(coord, case["id"], minor=False)
        step(coord, case["id"], "awaiting_ot")
    domain.refresh_agenda(actor=coordinator, meeting=OTMeeting.objects.get(pk=meeting["id"]))
    assert len(ok(member.get(f"/ot-meetings/{meeting['id']}"))["items"]) == 3
    assert count_queries() == one
    assert first["id"] in {i["case"]["id"] for i in ok(member.get(f"/ot-meetings/{meeting['id']}"))["items"]}


def test_meeting_list_has_a_constant_number_of_queries(coordinator, ot_member, basis):
    api = Api(coordinator)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            ok(api.get("/ot-meetings"))
        return len(queries)

    plan_meeting(api, basis, [ot_member])
    one = count_queries()
    plan_meeting(api, basis, [ot_member, coordinator], starts_at=(timezone.now() + timedelta(days=30)).isoformat())
    plan_meeting(api, basis, [], starts_at=(timezone.now() + timedelta(days=60)).isoformat())
    assert ok(api.get("/ot-meetings"))["count"] == 3
    assert count_queries() == one


# --- Bad input -----------------------------------------------------------------------------------------------


def meeting_body(basis, **extra) -> dict:
    return {
        "chain": "fix-genk",
        "starts_at": (timezone.now() + timedelta(days=3)).isoformat(),
        "location": "Stadhuis",
        "legal_basis": str(basis.pk),
        "attendees": ["ot-politie"],
        **extra,
    }


MEETING_MATRIX = [
    ({"chain": "kompas-antwerpen"}, "chain"),
    ({"starts_at": "2026-03-02T14:00:00"}, "starts_at"),
    ({"starts_at": "2026-02-30T14:00:00+01:00"}, "starts_at"),
    ({"starts_at": "9999-12-31T23:59:59-14:00"}, "starts_at"),
    ({"starts_at": "2001-01-01T10:00:00+01:00"}, "starts_at"),
    ({"starts_at": 1767225600}, "starts_at"),
    ({"legal_basis": "x"}, "legal_basis"),
    ({"legal_basis": RANDOM_ID}, "legal_basis"),
    ({"attendees": ["nobody"]}, "attendees.0"),
    ({"attendees": [""]}, "attendees.0"),
    ({"attendees": "ot-politie"}, "attendees"),
    ({"attendees": ["coordinator-antwerpen"]}, "attendees.0"),
    ({"attendees": ["ot-school"]}, "attendees"),
    ({"location": "x" * 201}, "location"),
    ({"status": "held"}, "status"),
]


@pytest.mark.parametrize(
    ("change", "field"), MEETING_MATRIX, ids=[f"{f}-{i}" for i, (_c, f) in enumerate(MEETING_MATRIX)]
)
def test_bad_meeting_is_422_and_plans_nothing(change, field, coordinator, ot_member, outsider, school, basis):
    school_member = UserFactory(username="ot-school")
    MembershipFactory(user=school_member, chain=basis.chain, role=Role.OT_MEMBER, organisation=school)
    errors = problem(Api(coordinator).post("/ot-meetings", meeting_body(basis, **change)), 422)["errors"]
    assert field in [e["field"] for e in errors], errors
    assert OTMeeting.objects.count() == 0


def test_legal_basis_of_another_chain_is_unknown(coordinator, outsider, other_chain, police):
    foreign = legal_basis(other_chain, outsider, police)
    errors = problem(Api(coordinator).post("/ot-meetings", meeting_body(foreign)), 422)["errors"]
    assert [e["field"] for e in errors] == ["legal_basis"]
    assert OTMeeting.objects.count() == 0


DECISION_MATRIX = [
    ({"item": "x"}, "item"),
    ({"item": RANDOM_ID}, "item"),
    ({"decision": "maybe"}, "decision"),
    ({"decision": "continue"}, "decision"),
    ({"version": "1"}, "version"),
    ({"version": -1}, "version"),
    ({"chosen_case_director": RANDOM_ID}, "chosen_case_director"),
    ({"decision": "park"}, "park_until"),
    ({"decision": "park", "park_until": "2026-02-30"}, "park_until"),
    ({"subsidiarity": "x" * 10_001}, "subsidiarity"),
    ({"decided_by": RANDOM_ID}, "decided_by"),
]


@pytest.mark.parametrize(
    ("change", "field"), DECISION_MATRIX, ids=[f"{f}-{i}" for i, (_c, f) in enumerate(DECISION_MATRIX)]
)
def test_bad_decision_is_422_and_decides_nothing(change, field, coordinator, case_director, meeting, awaiting):
    item = item_for(meeting, awaiting["id"])
    body = {
        "item": item["id"],
        "decision": "include",
        "version": 1,
        "chosen_case_director": str(case_director.pk),
        "subsidiarity": "Geen reguliere dienst.",
        **change,
    }
    errors = problem(Api(coordinator).post(f"/ot-meetings/{meeting['id']}/decisions", body), 422)["errors"]
    assert field in [e["field"] for e in errors], errors
    stored = OTAgendaItem.objects.get(pk=item["id"])
    assert stored.decision == "" and stored.version == 1
    assert Case.objects.get(pk=awaiting["id"]).status == CaseStatus.AWAITING_OT
