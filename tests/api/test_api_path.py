"""The whole path of a case through the JSON API, for a minor and for an adult.

consult → registration → intake → consents → awaiting OT → OT meeting → include decision → start
recorded → active → closed, each step through its endpoint, asserting statuses, the immutable
transition records and the audit rows. The helpers here (a token client and one function per step)
are shared by the other API test modules.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ketenregie.accounts.domain import create_token
from ketenregie.audit.models import AuditEvent
from ketenregie.cases import domain
from ketenregie.cases.eligibility import is_minor
from ketenregie.cases.enums import CaseStatus, LegalBasisKind
from ketenregie.cases.models import Case, CaseTransition, OTAgendaItem
from ketenregie.consent.enums import ConsentKind, GivenBy

BASE = "/api/v1"
PROBLEM = "application/problem+json"


class Api:
    """A client that authenticates with a personal access token and reads English messages."""

    def __init__(self, user):
        _token, plaintext = create_token(actor=user, name="tests")
        self.user = user
        self.client = Client(headers={"Authorization": f"Bearer {plaintext}", "Accept-Language": "en"})

    def get(self, path: str, params: dict | None = None):
        return self.client.get(BASE + path, params or {})

    def post(self, path: str, body=None):
        return self.client.post(
            BASE + path, json.dumps(body if body is not None else {}), content_type="application/json"
        )

    def put(self, path: str, body=None):
        return self.client.put(
            BASE + path, json.dumps(body if body is not None else {}), content_type="application/json"
        )


def today() -> date:
    return timezone.localdate()


def birth_date_for_age(age: int, on: date | None = None) -> date:
    on = on or today()
    return on.replace(year=on.year - age) - timedelta(days=40)


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content.decode()
    return response.json()


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status
    return body


# --- One function per step ---------------------------------------------------------------------------


def registration(
    *, age: int = 16, birth_date: date | None = None, organisation=None, on: date | None = None, **extra
) -> dict:
    on = on or today()
    born = birth_date or birth_date_for_age(age, on)
    minor = is_minor(born, on)
    body = {
        "chain": "fix-genk",
        "youth": {
            "first_name": "Ilias",
            "last_name": "Vermeulen",
            "birth_date": born.isoformat(),
            "gender": "m",
            "postal_code": "3600",
            "municipality": "Genk",
        },
        "referrer_kind": "organisation" if organisation else "parent",
        "referrer_organisation": str(organisation.pk) if organisation else None,
        "referrer_name": "Inspecteur Peeters",
        "referrer_contact": "0470 12 34 56",
        "registered_on": on.isoformat(),
        "youth_informed_on": on.isoformat(),
        "parents_informed_on": on.isoformat() if minor else None,
        "concerns": "Spijbelt, zit veel op straat.",
        "multi_problem": "Schooluitval, conflicten thuis, middelengebruik.",
        "framework": "voluntary",
        "offences": [
            {
                "offence_type": "diefstal",
                "committed_on": (on - timedelta(days=30)).isoformat(),
                "description": "Winkeldiefstal",
                "in_group": True,
            }
        ],
        "guardians": [
            {"name": "Mieke Vermeulen", "relation": "mother", "phone": "089 12 34 56", "email": "mieke@example.org"}
        ]
        if minor
        else [],
    }
    body.update(extra)
    return body


def register(api: Api, **kwargs) -> dict:
    return ok(api.post("/cases", registration(**kwargs)), 201)


def step(api: Api, case_id, to: str, **body) -> dict:
    return ok(api.post(f"/cases/{case_id}/transitions", {"to": to, **body}))


def save_intake(api: Api, case_id, **body) -> dict:
    payload = {
        "intake_on": today().isoformat(),
        "domains": {"gezinscontext": {"situation": "Woont bij moeder.", "strengths": "Sterke band met oma."}},
        "glm_needs": ["relaties"],
        "youth_words": "Ik wil terug naar school.",
        **body,
    }
    return ok(api.put(f"/cases/{case_id}/intake", payload))


def consent(api: Api, case_id, kind: str, given_by: str = GivenBy.YOUTH, *, on: date | None = None, **body) -> dict:
    payload = {
        "kind": kind,
        "given_by": given_by,
        "given_by_name": "Mieke Vermeulen" if given_by == GivenBy.PARENT else "Ilias Vermeulen",
        "signed_on": (on or today()).isoformat(),
        **body,
    }
    return ok(api.post(f"/cases/{case_id}/consents", payload), 201)


def consents_for_ot(api: Api, case_id, *, minor: bool) -> list[dict]:
    made = [consent(api, case_id, ConsentKind.OT_DISCUSSION)]
    if minor:
        made.append(consent(api, case_id, ConsentKind.PARENTAL, GivenBy.PARENT))
        made.append(consent(api, case_id, ConsentKind.ENGAGEMENT))
    return made


def to_awaiting_ot(api: Api, *, age: int = 16, **kwargs) -> dict:
    """A registered case taken through intake and consents onto the OT's list."""
    case = register(api, age=age, **kwargs)
    step(api, case["id"], CaseStatus.INTAKE)
    save_intake(api, case["id"])
    consents_for_ot(api, case["id"], minor=age < 18)
    return step(api, case["id"], CaseStatus.AWAITING_OT)


def legal_basis(chain, coordinator, *organisations):
    """The chain's register needs a valid basis before an OT meeting can be planned (no endpoint for it)."""
    return domain.add_legal_basis(
        actor=coordinator,
        chain=chain,
        kind=LegalBasisKind.DECREE,
        reference="Decreet jeugddelinquentie art. 2, 2°/1",
        dated=date(2024, 1, 1),
        valid_from=date(2024, 1, 1),
        valid_until=None,
        purpose="Casusoverleg in het OT",
        modalities="",
        organisations=list(organisations),
        authorised_functions="",
    )


def plan_meeting(api: Api, basis, people, **body) -> dict:
    payload = {
        "chain": "fix-genk",
        "starts_at": (timezone.now() + timedelta(hours=2)).isoformat(),
        "location": "Stadhuis Genk",
        "legal_basis": str(basis.pk),
        "attendees": [person.username for person in people],
        **body,
    }
    return ok(api.post("/ot-meetings", payload), 201)


def item_for(meeting: dict, case_id) -> dict:
    return next(i for i in meeting["items"] if i["case"] and i["case"]["id"] == str(case_id))


def include(api: Api, meeting: dict, item: dict, director, **body):
    payload = {
        "item": item["id"],
        "decision": "include",
        "version": item["version"],
        "chosen_case_director": str(director.pk),
        "subsidiarity": "Geen reguliere dienst kan dit opnemen.",
        "guideline": "Eerst school en thuis.",
        **body,
    }
    return api.post(f"/ot-meetings/{meeting['id']}/decisions", payload)


# --- The path ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("age", [15, 19], ids=["minor", "adult"])
def test_whole_path(age, chain, coordinator, case_director, ot_member, police, caw):
    coord, director, member = Api(coordinator), Api(case_director), Api(ot_member)
    minor = age < 18

    consult = ok(
        coord.post(
            "/consults",
            {
                "chain": "fix-genk",
                "referrer_kind": "organisation",
                "referrer_organisation": str(police.pk),
                "referrer_name": "Inspecteur Peeters",
                "channel": "phone",
                "consulted_on": today().isoformat(),
                "summary": "Jongen van 15 met winkeldiefstallen.",
                "outcome": "fits",
                "youth_age": age,
                "youth_postal_code": "3600",
                "has_offence": True,
                "has_multi_problem": True,
            },
        ),
        201,
    )
    assert [c["status"] for c in consult["eligibility"]] == ["passed"] * 4

    case = register(coord, age=age, organisation=police, consult=consult["id"])
    case_id = case["id"]
    assert case["status"] == CaseStatus.REGISTERED
    assert ok(coord.get(f"/consults/{consult['id']}"))["cases"] == [case_id]

    step(coord, case_id, CaseStatus.INTAKE)
    save_intake(coord, case_id)
    made = consents_for_ot(coord, case_id, minor=minor)
    assert len(made) == (3 if minor else 1)
    listed = ok(coord.get(f"/cases/{case_id}/consents"))
    assert {c["kind"] for c in listed} == {c["kind"] for c in made}
    assert all(c["valid_today"] for c in listed)

    state = step(coord, case_id, CaseStatus.AWAITING_OT)
    assert state["status"] == CaseStatus.AWAITING_OT

    basis = legal_basis(chain, coordinator, police, caw)
    meeting = plan_meeting(coord, basis, [ot_member, coordinator])
    item = item_for(meeting, case_id)
    assert item["kind"] == "new" and item["decision"] == ""

    # The OT member attends: the agenda shows the dossier summary, the dossier shows no content.
    seen = ok(member.get(f"/ot-meetings/{meeting['id']}"))
    assert item_for(seen, case_id)["case"]["youth_name"] == "Ilias Vermeulen"
    summary = ok(member.get(f"/cases/{case_id}"))
    assert summary["offences"] is None and summary["content"] is None and summary["allowed_transitions"] == []

    decided = ok(include(coord, meeting, item, case_director))
    assert decided["case"]["status"] == CaseStatus.INCLUDED
    assert decided["case"]["case_director"]["id"] == str(case_director.pk)
    assert decided["item"]["decision"] == "include" and decided["item"]["version"] == item["version"] + 1

    # The case director now sees their case and starts the trajectory.
    state = ok(
        director.put(
            f"/cases/{case_id}/start",
            {
                "referrer_informed_on": today().isoformat(),
                "youth_informed_of_decision_on": today().isoformat(),
                "trusted_person_name": "Coach Tom",
            },
        )
    )
    assert {o["name"]: o["blocked_by"] for o in state["allowed_transitions"]}["activate"] == []
    state = step(
        director, case_id, CaseStatus.ACTIVE, first_conversation_on=today().isoformat(), version=state["version"]
    )
    assert state["status"] == CaseStatus.ACTIVE
    state = step(
        director,
        case_id,
        CaseStatus.CLOSED,
        closure_reason="goals_reached",
        closure_summary={"werk_onderwijs": "Gaat terug naar school."},
    )
    assert state["status"] == CaseStatus.CLOSED

    detail = ok(director.get(f"/cases/{case_id}"))
    assert detail["youth"]["is_minor"] is minor
    assert detail["content"]["closure_summary"] == {"werk_onderwijs": "Gaat terug naar school."}
    assert [o["offence_type"] for o in detail["offences"]] == ["diefstal"]
    assert detail["dates"]["closed_on"] == today().isoformat()

    expected = [
        ("", "registered"),
        ("registered", "intake"),
        ("intake", "awaiting_ot"),
        ("awaiting_ot", "included"),
        ("included", "active"),
        ("active", "closed"),
    ]
    rows = CaseTransition.objects.filter(case_id=case_id).order_by("occurred_at", "id")
    assert [(t.from_status, t.to_status) for t in rows] == expected
    assert [t["to_status"] for t in detail["transitions"]] == [to for _f, to in expected]
    assert {t.actor_id for t in rows[4:]} == {case_director.pk}

    events = AuditEvent.objects.filter(case_id=case_id)
    actions = [e.action for e in events]
    assert actions.count("case.transition") == 5
    assert actions.count("consent.recorded") == len(made)
    for action in ("case.registered", "intake.saved", "ot.decided", "case.assigned", "case.changed", "case.viewed"):
        assert action in actions, action
    assert AuditEvent.objects.filter(action="consult.created", object_id=consult["id"]).exists()
    assert AuditEvent.objects.filter(action="ot.meeting_created", object_id=meeting["id"]).exists()
    assert AuditEvent.objects.filter(action="ot.meeting_viewed", actor_id=ot_member.pk).exists()
    assert {e.channel for e in events} == {"api"}
    # Reads are audited without names or content.
    text = json.dumps([e.details for e in AuditEvent.objects.all()])
    for canary in ("Ilias", "Vermeulen", "Mieke", "diefstal", "school"):
        assert canary not in text

    item_row = OTAgendaItem.objects.get(pk=item["id"])
    assert item_row.decided_by_id == coordinator.pk
    assert Case.objects.get(pk=case_id).version == state["version"]


def test_openapi_lists_every_path(client):
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    expected = {
        "/consults": {"get", "post"},
        "/consults/{consult_id}": {"get"},
        "/cases": {"get", "post"},
        "/cases/search": {"post"},
        "/cases/{case_id}": {"get"},
        "/cases/{case_id}/transitions": {"post"},
        "/cases/{case_id}/assignment": {"put"},
        "/cases/{case_id}/start": {"put"},
        "/cases/{case_id}/intake": {"get", "put"},
        "/cases/{case_id}/consents": {"get", "post"},
        "/cases/{case_id}/consents/with-document": {"post"},
        "/consents/{consent_id}/withdraw": {"post"},
        "/ot-meetings": {"get", "post"},
        "/ot-meetings/{meeting_id}": {"get"},
        "/ot-meetings/{meeting_id}/decisions": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[BASE + path]) >= methods, path
        for method in methods:
            operation = paths[BASE + path][method]
            assert operation["summary"]
            for code in ("401", "403", "404", "409", "422"):
                documented = operation["responses"][code]["content"]
                assert documented[PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}, (path, code)
            assert operation["security"], path
    # A search term is a name: the list takes none in its query string (SECURITY.md L9).
    listed_by = {p["name"] for p in paths[BASE + "/cases"]["get"]["parameters"]}
    assert "status" in listed_by and "q" not in listed_by
    assert "Problem" in schema["components"]["schemas"]
    assert schema["components"]["schemas"]["RegistrationIn"]["additionalProperties"] is False


def test_unauthenticated_is_problem_401(db, client):
    body = problem(client.get(f"{BASE}/cases"), 401)
    assert body["title"] == "Unauthorized"
    bad_token = client.get(f"{BASE}/cases", headers={"Authorization": "Bearer kr_nope_nope"})
    assert problem(bad_token, 401)["detail"].startswith("The personal access token is invalid")


def test_random_uuid_is_404(coordinator):
    body = problem(Api(coordinator).get(f"/cases/{uuid.uuid4()}"), 404)
    assert body == {"type": "about:blank", "title": "Not Found", "status": 404}
