"""The plan of approach through the JSON API: read and saved whole, with its version.

A save that did not start from the current version is a 409 and writes nothing; responsible people
outside the youth's current network are a 422 naming the field; a closed case is a 409. Out of
scope and visible without the content (an OT member) answer 404. A partner in the youth's network
under a valid sharing consent reads the consented life domains only, and never saves. Built by the
domain (tests/plans/fixtures.py).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.consent.domain import ConsentData, record_consent, withdraw_consent
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.network.domain import MemberData, add_network_member, end_network_member
from ketenregie.network.enums import MemberKind
from ketenregie.plans.domain import ActionInput, DomainInput, GoalInput
from ketenregie.plans.models import Action, Plan, PlanVersion
from tests.api.test_api_path import PROBLEM, Api, ok, problem
from tests.plans.fixtures import *  # noqa: F403 - the active case, its network and the plan helpers
from tests.plans.fixtures import close

pytestmark = pytest.mark.django_db

RANDOM_ID = "3f0e1a52-5b8e-4c64-9d1e-0b8f7c2a9e11"


def a_plan(network, *, version: int = 0, goals: int = 1, **action) -> dict:
    due = (timezone.localdate() + timedelta(days=14)).isoformat()
    return {
        "version": version,
        "domains": [
            {
                "domain": "werk_onderwijs",
                "strengths": "Is slim en wil leren.",
                "situation": "Spijbelt twee dagen per week.",
                "risks": "Dreigt uit te vallen.",
                "glm_needs": ["meesterschap"],
                "goals": [
                    {
                        "text": f"Ik wil mijn diploma halen ({g + 1}).",
                        "proposed_by": "youth",
                        "youth_agreed": True,
                        "actions": [
                            {
                                "what": "Gesprek met de school.",
                                "responsible_member": str(network["clb"].pk),
                                "due_on": due,
                                **action,
                            }
                        ],
                    }
                    for g in range(goals)
                ],
            }
        ],
    }


@pytest.fixture
def nobodies(ot_member, partner, admin_user, outsider, other_case_director):
    return [ot_member, partner, admin_user, outsider, other_case_director]


def test_a_case_without_a_plan_answers_version_0(case, case_director):
    assert ok(Api(case_director).get(f"/cases/{case.pk}/plan")) == {
        "version": 0,
        "updated_at": None,
        "updated_by": None,
        "domains": [],
    }
    assert AuditEvent.objects.filter(action="case.viewed", case_id=case.pk, details__view="api.plan").count() == 1


def test_save_and_read_the_whole_plan(case, network, case_director):
    api = Api(case_director)
    body = ok(api.put(f"/cases/{case.pk}/plan", a_plan(network)))
    assert body["version"] == 1 and body["updated_by"]["id"] == str(case_director.pk)
    (part,) = body["domains"]
    assert (part["domain"], part["label"], part["glm_needs"]) == ("werk_onderwijs", "Werk/onderwijs", ["meesterschap"])
    (goal,) = part["goals"]
    (action,) = goal["actions"]
    assert action["responsible_member"] == {"id": str(network["clb"].pk), "name": "Nathalie Willems"}
    assert action["status"] == "planned" and action["source_meeting"] is None
    assert ok(api.get(f"/cases/{case.pk}/plan")) == body
    assert PlanVersion.objects.filter(plan__case=case).count() == 1
    assert AuditEvent.objects.filter(action="plan.saved", case_id=case.pk, details__version=1).count() == 1


def test_saving_with_the_ids_changes_the_same_goal_and_action(case, network, case_director):
    api = Api(case_director)
    first = ok(api.put(f"/cases/{case.pk}/plan", a_plan(network)))
    document = a_plan(network, version=first["version"], status="running", note="Afspraak gemaakt.")
    goal = first["domains"][0]["goals"][0]
    document["domains"][0]["goals"][0]["id"] = goal["id"]
    document["domains"][0]["goals"][0]["actions"][0]["id"] = goal["actions"][0]["id"]
    second = ok(api.put(f"/cases/{case.pk}/plan", document))
    action = second["domains"][0]["goals"][0]["actions"][0]
    assert second["version"] == 2 and action["id"] == goal["actions"][0]["id"]
    assert (action["status"], action["note"]) == ("running", "Afspraak gemaakt.")
    assert Action.objects.filter(case=case).count() == 1


def test_a_stale_version_is_a_409_and_writes_nothing(case, network, case_director, coordinator):
    ok(Api(coordinator).put(f"/cases/{case.pk}/plan", a_plan(network)))
    body = problem(Api(case_director).put(f"/cases/{case.pk}/plan", a_plan(network, goals=3)), 409)
    assert "Someone else saved this plan in the meantime (version 1)" in body["detail"]
    plan = Plan.objects.get(case=case)
    assert plan.version == 1 and plan.updated_by == coordinator
    assert Action.objects.filter(case=case).count() == 1
    ok(Api(case_director).put(f"/cases/{case.pk}/plan", a_plan(network, version=1, goals=3)))


def test_a_responsible_person_outside_the_network_is_a_422_naming_the_field(case, network, case_director, coordinator):
    api = Api(case_director)
    field = "domains.0.goals.0.actions.0.responsible_member"
    body = problem(api.put(f"/cases/{case.pk}/plan", a_plan(network, responsible_member=RANDOM_ID)), 422)
    assert body["errors"] == [
        {"field": field, "message": "The responsible person must be in the youth's current network."}
    ]
    end_network_member(actor=coordinator, member=network["caw"], on=timezone.localdate() - timedelta(days=1))
    ended = str(network["caw"].pk)
    body = problem(api.put(f"/cases/{case.pk}/plan", a_plan(network, responsible_member=ended)), 422)
    assert [e["field"] for e in body["errors"]] == [field]
    body = problem(api.put(f"/cases/{case.pk}/plan", a_plan(network, responsible_member=None)), 422)
    assert [e["field"] for e in body["errors"]] == [field]  # someone must be responsible
    # A finished action keeps who did it, even when that person left the network since.
    ok(api.put(f"/cases/{case.pk}/plan", a_plan(network, responsible_member=ended, status="done")))
    assert not Action.objects.filter(case=case, status="planned").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"domain": "sterrenkunde"}, "domains.0.domain"),
        ({"domain": "Werk Onderwijs"}, "domains.0.domain"),
        ({"glm_needs": ["geluk"]}, "domains.0.glm_needs"),
        ({"situation": "x" * 10_001}, "domains.0.situation"),
        ({"risks": "\x00"}, "domains.0.risks"),
        ({"surprise": True}, "domains.0.surprise"),
    ],
)
def test_a_bad_life_domain_is_a_422_naming_the_field(case, network, case_director, change, field):
    document = a_plan(network)
    document["domains"][0].update(change)
    body = problem(Api(case_director).put(f"/cases/{case.pk}/plan", document), 422)
    assert field in {e["field"] for e in body["errors"]}, body
    assert not Plan.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "forgotten"}, "domains.0.goals.0.actions.0.status"),
        ({"what": ""}, "domains.0.goals.0.actions.0.what"),
        ({"due_on": "next week"}, "domains.0.goals.0.actions.0.due_on"),
        ({"responsible_organisation": RANDOM_ID}, "domains.0.goals.0.actions.0.responsible_organisation"),
        ({"responsible_member": "not-an-id"}, "domains.0.goals.0.actions.0.responsible_member"),
    ],
)
def test_a_bad_action_is_a_422_naming_the_field(case, network, case_director, change, field):
    body = problem(Api(case_director).put(f"/cases/{case.pk}/plan", a_plan(network, **change)), 422)
    assert field in {e["field"] for e in body["errors"]}, body
    assert not Plan.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    "document",
    [
        {"domains": []},  # the version is required
        {"version": "0", "domains": []},
        {"version": -1, "domains": []},
        {"version": 0},
        {"version": 0, "domains": [{"domain": "vrije_tijd"}] * 31},
    ],
)
def test_a_bad_document_is_a_422(case, case_director, document):
    problem(Api(case_director).put(f"/cases/{case.pk}/plan", document), 422)
    assert not Plan.objects.filter(case=case).exists()


def test_markup_and_long_text_are_stored_as_given_and_returned_as_data(case, network, case_director):
    goal = "<img src=x onerror=alert(1)> Ik wil <b>werk</b> & een eigen kot"
    long_text = "Sterk in sport. " * 625  # 10,000 characters
    document = a_plan(network)
    document["domains"][0]["goals"][0]["text"] = goal
    document["domains"][0]["strengths"] = long_text
    response = Api(case_director).put(f"/cases/{case.pk}/plan", document)
    body = ok(response)
    assert response["Content-Type"].startswith("application/json")
    assert body["domains"][0]["goals"][0]["text"] == goal
    assert body["domains"][0]["strengths"] == long_text.strip()  # the domain trims the ends, as on the web
    assert Plan.objects.get(case=case).domains.get().goals.get().text == goal


def test_the_plan_of_a_closed_case_is_read_only(case, network, case_director, coordinator):
    ok(Api(case_director).put(f"/cases/{case.pk}/plan", a_plan(network)))
    close(case, coordinator)
    body = problem(Api(coordinator).put(f"/cases/{case.pk}/plan", a_plan(network, version=1, goals=2)), 409)
    assert "closed" in body["detail"]
    assert ok(Api(coordinator).get(f"/cases/{case.pk}/plan"))["version"] == 1


def test_out_of_scope_and_without_the_content_is_404(case, network, case_director, nobodies, ot_member):
    ok(Api(case_director).put(f"/cases/{case.pk}/plan", a_plan(network)))
    ok(Api(ot_member).get(f"/cases/{case.pk}"))  # the OT member sees the case, not its plan
    for someone in nobodies:
        api = Api(someone)
        response = api.get(f"/cases/{case.pk}/plan")
        assert problem(response, 404) == {"type": "about:blank", "title": "Not Found", "status": 404}
        assert response["Content-Type"].startswith(PROBLEM)
        problem(api.put(f"/cases/{case.pk}/plan", a_plan(network, version=1, goals=3)), 404)
    problem(Api(case_director).get(f"/cases/{RANDOM_ID}/plan"), 404)
    assert Plan.objects.get(case=case).version == 1
    assert AuditEvent.objects.filter(action="access.denied", actor_id=ot_member.pk, case_id=case.pk).count() == 2


def test_the_plan_is_read_in_a_constant_number_of_queries(case, network, case_director):
    api = Api(case_director)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            ok(api.get(f"/cases/{case.pk}/plan"))
        return len(queries)

    ok(api.put(f"/cases/{case.pk}/plan", a_plan(network)))
    one = count()
    document = a_plan(network, version=1, goals=3)
    second = dict(document["domains"][0], domain="vrije_tijd")
    document["domains"].append(second)
    ok(api.put(f"/cases/{case.pk}/plan", document))
    assert count() == one


def test_the_openapi_document_declares_the_plan_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for method in ("get", "put"):
        operation = paths["/api/v1/cases/{case_id}/plan"][method]
        for code in ("404", "409", "422"):
            assert PROBLEM in operation["responses"][code]["content"]
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["PlanIn"]["additionalProperties"] is False
    assert "version" in schemas["PlanIn"]["required"]


# --- A partner's share ----------------------------------------------------------------------------------

# The life domain the youth shares with the school, one shared too but sensitive (not for a school),
# and one never shared. Every text of the last two is a canary the partner's answer must not contain.
SHARED, SENSITIVE, NOT_SHARED = "werk_onderwijs", "gezondheid", "vrije_tijd"


def _withheld(code: str) -> dict[str, str]:
    return {part: f"{part.upper()}-CANARY-{code}" for part in ("situation", "strengths", "risks", "goal", "what")}


@pytest.fixture
def partner_member(case, coordinator, partner, school):
    """The partner (CLB) in the youth's network, linked to their account."""
    return add_network_member(
        actor=coordinator,
        case=case,
        data=MemberData(
            kind=MemberKind.FORMAL,
            name="Nathalie Willems",
            role="Leerlingbegeleider",
            organisation=school,
            user=partner,
        ),
    )


@pytest.fixture
def sharing(case, coordinator, school):
    return record_consent(
        actor=coordinator,
        case=case,
        data=ConsentData(
            kind=ConsentKind.SHARING,
            given_by=GivenBy.YOUTH,
            given_by_name=case.youth.full_name,
            signed_on=timezone.localdate(),
            valid_until=None,
            organisations=[school],
            life_domains=[SHARED, SENSITIVE],
        ),
    )


@pytest.fixture
def partner_plan(case, network, partner_member, sharing, save):
    """A plan over three life domains, ``goals`` goals in the shared one (one action each)."""

    def make(goals: int = 1) -> None:
        hidden = [
            DomainInput(
                domain=code,
                situation=_withheld(code)["situation"],
                strengths=_withheld(code)["strengths"],
                risks=_withheld(code)["risks"],
                goals=[
                    GoalInput(
                        text=_withheld(code)["goal"],
                        actions=[ActionInput(what=_withheld(code)["what"], responsible_member=partner_member.pk)],
                    )
                ],
            )
            for code in (SENSITIVE, NOT_SHARED)
        ]
        shared = DomainInput(
            domain=SHARED,
            strengths="Is slim en wil leren.",
            situation="Spijbelt twee dagen per week.",
            risks="Dreigt uit te vallen.",
            glm_needs=["meesterschap"],
            goals=[
                GoalInput(
                    text=f"Ik wil mijn diploma halen ({g + 1}).",
                    youth_agreed=True,
                    actions=[
                        ActionInput(what=f"Gesprek met de klastitularis {g + 1}", responsible_member=partner_member.pk)
                    ],
                )
                for g in range(goals)
            ],
        )
        save([hidden[0], shared, hidden[1]])

    return make


def test_a_partner_reads_the_consented_life_domains_only(case, partner, partner_plan, case_director, client_for):
    partner_plan()
    response = Api(partner).get(f"/cases/{case.pk}/plan")
    body = ok(response)
    assert set(body) == {"version", "updated_at", "updated_by", "domains"}  # no earlier versions
    (part,) = body["domains"]
    assert (part["domain"], part["situation"], part["risks"]) == (
        SHARED,
        "Spijbelt twee dagen per week.",
        "Dreigt uit te vallen.",
    )
    assert [g["text"] for g in part["goals"]] == ["Ik wil mijn diploma halen (1)."]
    assert [a["what"] for a in part["goals"][0]["actions"]] == ["Gesprek met de klastitularis 1"]
    text = response.content.decode()
    for code in (SENSITIVE, NOT_SHARED):
        assert f'"{code}"' not in text
        assert [t for t in _withheld(code).values() if t in text] == []
    # The full dossier has all three, in the same shape.
    assert {d["domain"] for d in ok(Api(case_director).get(f"/cases/{case.pk}/plan"))["domains"]} == {
        SHARED,
        SENSITIVE,
        NOT_SHARED,
    }
    # The partner's plan page shows the same selection (one function chooses for both).
    page = client_for(partner).get(f"/dossiers/{case.pk}/plan/").content.decode()
    assert "Ik wil mijn diploma halen (1)." in page
    assert [t for code in (SENSITIVE, NOT_SHARED) for t in _withheld(code).values() if t in page] == []
    assert AuditEvent.objects.filter(
        action="case.viewed", actor_id=partner.pk, case_id=case.pk, details__view="api.plan"
    ).exists()


def test_a_withdrawn_consent_ends_the_partners_read_with_the_same_404(
    case, partner, partner_plan, sharing, coordinator
):
    partner_plan()
    api = Api(partner)
    ok(api.get(f"/cases/{case.pk}/plan"))
    withdraw_consent(actor=coordinator, consent=sharing)
    response = api.get(f"/cases/{case.pk}/plan")
    assert response.status_code == 404
    assert response.content == api.get(f"/cases/{RANDOM_ID}/plan").content


def test_a_partner_does_not_save_the_plan(case, network, partner, partner_plan):
    partner_plan()
    version = ok(Api(partner).get(f"/cases/{case.pk}/plan"))["version"]
    response = Api(partner).put(f"/cases/{case.pk}/plan", a_plan(network, version=version, goals=3))
    assert problem(response, 404) == {"type": "about:blank", "title": "Not Found", "status": 404}
    assert Plan.objects.get(case=case).version == version
    assert Action.objects.filter(case=case).count() == 3


def test_the_partners_plan_is_read_in_a_constant_number_of_queries(case, partner, partner_plan):
    api = Api(partner)

    def count(goals: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            body = ok(api.get(f"/cases/{case.pk}/plan"))
        assert len(body["domains"][0]["goals"]) == goals
        return len(queries)

    partner_plan(goals=1)
    ok(api.get(f"/cases/{case.pk}/plan"))  # the token's first use is recorded once
    one = count(1)
    partner_plan(goals=3)
    assert count(3) == one
