"""Cases through the JSON API: guards answered as 409, scope as 404, bad input as 422, replays as one."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import hypothesis
import pytest
from django.conf import settings
from django.db import connection
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time
from hypothesis import strategies as st

from ketenregie.audit.models import AuditEvent
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case, CaseTransition, Guardian, Offence, Youth
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.consent.models import Consent
from tests.api.test_api_path import (
    BASE,
    PROBLEM,
    Api,
    consent,
    ok,
    problem,
    register,
    registration,
    save_intake,
    step,
    to_awaiting_ot,
    today,
)

RANDOM_ID = "3f0e1a52-5b8e-4c64-9d1e-0b8f7c2a9e11"
CONSENT = {"kind": "ot_discussion", "given_by": "youth", "given_by_name": "Ilias Vermeulen"}
DELETE = object()  # in the registration matrix: leave the field out


def in_intake(api: Api, **kwargs) -> dict:
    case = register(api, **kwargs)
    step(api, case["id"], CaseStatus.INTAKE)
    return case


def state_of(case_id) -> tuple[str, int]:
    case = Case.objects.get(pk=case_id)
    return case.status, case.version


# --- Refused steps ---------------------------------------------------------------------------------------


def test_refused_transition_answers_409_with_the_guard_and_changes_nothing(coordinator):
    api = Api(coordinator)
    case = in_intake(api, age=19)
    before = state_of(case["id"])
    transitions = CaseTransition.objects.count()
    audit = AuditEvent.objects.filter(action="case.transition").count()

    body = problem(api.post(f"/cases/{case['id']}/transitions", {"to": "awaiting_ot"}), 409)

    assert "Record the intake conversation first" in body["detail"]
    assert "Still missing: a valid consent of the youth to discuss the case in the OT" in body["detail"]
    assert {e["field"] for e in body["errors"]} == {"to"}
    assert any("Record the intake conversation first" in e["message"] for e in body["errors"])
    assert state_of(case["id"]) == before
    assert CaseTransition.objects.count() == transitions
    assert AuditEvent.objects.filter(action="case.transition").count() == audit


def test_allowed_transitions_name_what_blocks_them(coordinator):
    api = Api(coordinator)
    case = in_intake(api, age=19)
    detail = ok(api.get(f"/cases/{case['id']}"))
    options = {o["name"]: o for o in detail["allowed_transitions"]}
    assert set(options) == {"submit_to_ot", "not_include", "withdraw"}
    assert options["submit_to_ot"]["to"] == "awaiting_ot"
    assert any("intake conversation" in m for m in options["submit_to_ot"]["blocked_by"])
    assert options["withdraw"]["blocked_by"] == []  # a reason is asked when taking the step


def test_inclusion_is_an_ot_decision_not_a_step(coordinator):
    api = Api(coordinator)
    case = to_awaiting_ot(api, age=19)
    before = state_of(case["id"])
    body = problem(api.post(f"/cases/{case['id']}/transitions", {"to": "included"}), 409)
    assert "This step is an OT decision: record it on the OT meeting's agenda." in body["detail"]
    body = problem(api.post(f"/cases/{case['id']}/transitions", {"to": "not_included", "reason": "Past niet."}), 409)
    assert "not including it is an OT decision" in body["detail"]
    assert state_of(case["id"]) == before


def test_step_not_possible_from_the_status(coordinator):
    api = Api(coordinator)
    case = register(api, age=19)
    body = problem(
        api.post(
            f"/cases/{case['id']}/transitions",
            {"to": "closed", "closure_reason": "goals_reached", "closure_summary": {"general": "ok"}},
        ),
        409,
    )
    assert "cannot go to" in body["detail"]
    assert state_of(case["id"]) == (CaseStatus.REGISTERED, 1)


def test_unknown_target_is_422(coordinator):
    api = Api(coordinator)
    case = register(api, age=19)
    body = problem(api.post(f"/cases/{case['id']}/transitions", {"to": "archived"}), 422)
    assert [e["field"] for e in body["errors"]] == ["to"]
    assert state_of(case["id"]) == (CaseStatus.REGISTERED, 1)


def test_stale_version_is_409(coordinator):
    api = Api(coordinator)
    case = register(api, age=19)
    body = problem(api.post(f"/cases/{case['id']}/transitions", {"to": "intake", "version": case["version"] + 5}), 409)
    assert "Someone else changed this case" in body["detail"]
    assert state_of(case["id"]) == (CaseStatus.REGISTERED, 1)
    assert step(api, case["id"], "intake", version=case["version"])["version"] == case["version"] + 1


def test_a_role_without_the_step_gets_403(coordinator, case_director):
    coord = Api(coordinator)
    case = register(coord, age=19)
    ok(coord.put(f"/cases/{case['id']}/assignment", {"case_director": str(case_director.pk)}))
    body = problem(Api(case_director).post(f"/cases/{case['id']}/transitions", {"to": "intake"}), 403)
    assert body["detail"] == "Your role does not allow this step."
    assert state_of(case["id"])[0] == CaseStatus.REGISTERED


def test_minor_without_parental_consent_cannot_reach_awaiting_ot(coordinator):
    api = Api(coordinator)
    case = in_intake(api, age=15)
    save_intake(api, case["id"])
    consent(api, case["id"], ConsentKind.OT_DISCUSSION)
    consent(api, case["id"], ConsentKind.ENGAGEMENT)
    before = state_of(case["id"])

    body = problem(api.post(f"/cases/{case['id']}/transitions", {"to": "awaiting_ot"}), 409)

    assert body["detail"] == "Still missing: parental consent (the youth is a minor)."
    assert state_of(case["id"]) == before
    # A parental consent signed by the youth is refused as input, so it cannot fill the gap either.
    wrong = api.post(
        f"/cases/{case['id']}/consents",
        {"kind": "parental", "given_by": "youth", "given_by_name": "Ilias", "signed_on": today().isoformat()},
    )
    assert [e["field"] for e in problem(wrong, 422)["errors"]] == ["given_by"]
    consent(api, case["id"], ConsentKind.PARENTAL, GivenBy.PARENT)
    assert step(api, case["id"], "awaiting_ot")["status"] == CaseStatus.AWAITING_OT


def test_withdrawn_consent_does_not_count(coordinator):
    api = Api(coordinator)
    case = in_intake(api, age=19)
    save_intake(api, case["id"])
    given = consent(api, case["id"], ConsentKind.OT_DISCUSSION)

    withdrawn = ok(api.post(f"/consents/{given['id']}/withdraw", {"note": "Wil niet meer."}))
    assert withdrawn["withdrawn_on"] == today().isoformat() and withdrawn["valid_today"] is False
    body = problem(api.post(f"/cases/{case['id']}/transitions", {"to": "awaiting_ot"}), 409)

    assert "a valid consent of the youth to discuss the case in the OT" in body["detail"]
    assert state_of(case["id"])[0] == CaseStatus.INTAKE
    again = problem(api.post(f"/consents/{given['id']}/withdraw", {}), 409)
    assert again["detail"] == "This consent was already withdrawn."
    assert AuditEvent.objects.filter(action="consent.withdrawn", object_id=given["id"]).count() == 1


def test_turning_18_changes_which_consents_are_needed(coordinator):
    born = date(2008, 3, 20)
    with freeze_time("2026-03-10 10:00:00+01:00"):
        api = Api(coordinator)
        case = in_intake(api, birth_date=born)
        detail = ok(api.get(f"/cases/{case['id']}"))
        assert detail["youth"]["age"] == 17 and detail["youth"]["is_minor"] is True
        save_intake(api, case["id"])
        consent(api, case["id"], ConsentKind.OT_DISCUSSION)
        body = problem(api.post(f"/cases/{case['id']}/transitions", {"to": "awaiting_ot"}), 409)
        assert "parental consent (the youth is a minor)" in body["detail"]
        assert "a signed engagement declaration (the youth is a minor)" in body["detail"]
    with freeze_time("2026-03-21 10:00:00+01:00"):
        detail = ok(api.get(f"/cases/{case['id']}"))
        assert detail["youth"]["age"] == 18 and detail["youth"]["is_minor"] is False
        assert {o["name"]: o["blocked_by"] for o in detail["allowed_transitions"]}["submit_to_ot"] == []
        assert step(api, case["id"], "awaiting_ot")["status"] == CaseStatus.AWAITING_OT


# --- Registration ---------------------------------------------------------------------------------------


def test_registration_records_the_dossier(coordinator, police):
    api = Api(coordinator)
    case = register(api, age=15, organisation=police)
    assert case["status"] == "registered" and case["version"] == 1 and case["reference"].startswith("FIX-")
    detail = ok(api.get(f"/cases/{case['id']}"))
    assert detail["youth"]["first_name"] == "Ilias" and detail["referrer"]["organisation"]["name"] == police.name
    assert detail["guardians"][0]["relation"] == "mother"
    assert [c["status"] for c in detail["eligibility"]] == ["passed"] * 4
    assert detail["transitions"][0]["from_status"] == "" and detail["transitions"][0]["to_status"] == "registered"
    assert AuditEvent.objects.filter(action="case.registered", case_id=case["id"], actor_id=coordinator.pk).count() == 1
    viewed = AuditEvent.objects.get(action="case.viewed", case_id=case["id"])
    assert viewed.details == {"view": "api.case_detail", "content": True} and viewed.channel == "api"


def test_same_submission_key_registers_one_case(coordinator):
    api = Api(coordinator)
    body = registration(age=19, submission_key=str(uuid.uuid4()))
    first = ok(api.post("/cases", body), 201)
    second = ok(api.post("/cases", body), 201)
    assert first["id"] == second["id"]
    assert Case.objects.count() == 1 and Youth.objects.count() == 1
    assert AuditEvent.objects.filter(action="case.registered").count() == 1


def test_someone_elses_submission_key_is_refused(coordinator, case_director):
    key = str(uuid.uuid4())
    ok(Api(coordinator).post("/cases", registration(age=19, submission_key=key)), 201)
    other = registration(age=20, submission_key=key)
    other["youth"].update(first_name="Sara", last_name="Claes")
    body = problem(Api(case_director).post("/cases", other), 409)
    assert [e["field"] for e in body["errors"]] == ["submission_key"]
    assert "reference" not in json.dumps(body)


def test_known_youth_needs_confirmation(coordinator):
    api = Api(coordinator)
    first = register(api, age=19)
    step(api, first["id"], "withdrawn", reason="Jongere wil niet.")
    body = problem(api.post("/cases", registration(age=19)), 409)
    assert [e["field"] for e in body["errors"]] == ["youth"]
    assert Case.objects.count() == 1
    assert ok(api.post("/cases", registration(age=19, confirm_not_duplicate=True)), 201)["id"] != first["id"]


def test_failing_criteria_need_a_coordinators_reason(coordinator, case_director):
    outside = registration(age=19)
    outside["youth"]["postal_code"] = "2000"
    body = problem(Api(case_director).post("/cases", {**outside, "override_reason": "Verhuist naar Genk."}), 422)
    assert [e["field"] for e in body["errors"]] == ["override_reason"]
    body = problem(Api(coordinator).post("/cases", outside), 422)
    assert [e["field"] for e in body["errors"]] == ["eligibility"]
    assert Case.objects.count() == 0
    case = ok(Api(coordinator).post("/cases", {**outside, "override_reason": "Verhuist naar Genk."}), 201)
    assert Case.objects.get(pk=case["id"]).eligibility_overridden_by_id == coordinator.pk


def test_chain_may_be_left_out_when_unambiguous(coordinator):
    body = registration(age=19)
    del body["chain"]
    assert ok(Api(coordinator).post("/cases", body), 201)["status"] == "registered"


def _mutate(body: dict, path: str, value) -> dict:
    body = json.loads(json.dumps(body))
    target = body
    keys = path.split(".")
    for key in keys[:-1]:
        target = target[int(key)] if isinstance(target, list) else target[key]
    last = keys[-1]
    if value is DELETE:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return body


REGISTRATION_MATRIX = [
    ("youth", DELETE, "youth"),
    ("multi_problem", DELETE, "multi_problem"),
    ("youth.birth_date", "2026-02-30", "youth.birth_date"),
    ("youth.birth_date", 1136073600, "youth.birth_date"),
    ("youth.birth_date", "1800-01-01", "youth.birth_date"),
    ("registered_on", "yesterday", "registered_on"),
    ("registered_on", "2999-01-01", "registered_on"),
    ("youth.first_name", "x" * 100_000, "youth.first_name"),
    ("youth.first_name", 42, "youth.first_name"),
    ("youth.first_name", " ", "youth.first_name"),
    ("youth.last_name", "Ver\x00meulen", "youth.last_name"),
    ("youth.gender", "zz", "youth.gender"),
    ("youth.postal_code", "36000", "youth.postal_code"),
    ("youth.strong_link", "yes", "youth.strong_link"),
    ("referrer_kind", "neighbour", "referrer_kind"),
    ("referrer_organisation", "not-a-uuid", "referrer_organisation"),
    ("referrer_organisation", RANDOM_ID, "referrer_organisation"),
    ("youth_informed_on", None, "youth_informed_on"),
    ("offences", "theft", "offences"),
    ("offences.0.offence_type", "moord", "offences.0.offence_type"),
    ("offences.0.in_group", "yes", "offences.0.in_group"),
    ("offences.0.committed_on", "2026-13-01", "offences.0.committed_on"),
    ("guardians", [{"name": "A", "relation": "uncle"}], "guardians.0.relation"),
    ("guardians", [{"name": "A", "relation": "mother", "email": "nope"}], "guardians.0.email"),
    ("framework", "forced", "framework"),
    ("consult", RANDOM_ID, "consult"),
    ("previous_case", "123", "previous_case"),
    ("previous_case", RANDOM_ID, "previous_case"),
    ("submission_key", "abc", "submission_key"),
    ("chain", "kompas-antwerpen", "chain"),
    ("chain", "no such chain!", "chain"),
    ("status", "active", "status"),
    ("case_director", RANDOM_ID, "case_director"),
]


@pytest.mark.parametrize(
    ("path", "value", "field"), REGISTRATION_MATRIX, ids=[f"{p}={str(v)[:20]!r}" for p, v, _f in REGISTRATION_MATRIX]
)
def test_bad_registration_is_422_and_creates_nothing(path, value, field, coordinator, other_chain, police):
    body = _mutate(registration(age=15, organisation=police), path, value)
    response = Api(coordinator).post("/cases", body)
    errors = problem(response, 422)["errors"]
    assert field in [e["field"] for e in errors], errors
    assert all(e["message"] for e in errors)
    assert Case.objects.count() == 0 and Youth.objects.count() == 0
    assert Offence.objects.count() == 0 and Guardian.objects.count() == 0


@pytest.mark.parametrize("body", [[], "case", None, 12, {}])
def test_registration_body_of_the_wrong_shape_is_422(body, coordinator):
    response = Api(coordinator).client.post(f"{BASE}/cases", json.dumps(body), content_type="application/json")
    assert problem(response, 422)["errors"]
    assert Case.objects.count() == 0


def test_unparsable_json_is_a_problem(coordinator):
    response = Api(coordinator).client.post(f"{BASE}/cases", "{not json", content_type="application/json")
    assert problem(response, 400)["title"] == "Bad Request"
    assert Case.objects.count() == 0


def test_body_over_the_upload_limit_is_413(coordinator):
    body = json.dumps({"payload": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = Api(coordinator).client.post(f"{BASE}/cases", body, content_type="application/json")
    assert problem(response, 413)["title"] == "Content Too Large"


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)


@hypothesis.settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture, hypothesis.HealthCheck.too_slow],
)
@hypothesis.given(data=st.data())
def test_hostile_input_never_gives_a_500(data, coordinator, police):
    """Any JSON value in any field of any write endpoint: a 2xx or a problem, never a server error."""
    api = Api(coordinator)
    case = Case.objects.first() or Case.objects.get(pk=register(api, age=19)["id"])
    bases = {
        ("post", "/cases"): registration(age=19, organisation=police),
        ("post", f"/cases/{case.pk}/transitions"): {"to": "intake", "reason": "x", "version": 1},
        ("post", f"/cases/{case.pk}/consents"): {**CONSENT, "signed_on": today().isoformat()},
        ("put", f"/cases/{case.pk}/assignment"): {"case_director": str(uuid.uuid4()), "version": 1},
        ("put", f"/cases/{case.pk}/start"): {"referrer_informed_on": today().isoformat()},
        ("put", f"/cases/{case.pk}/intake"): {"intake_on": today().isoformat(), "domains": {}},
        ("post", "/cases/search"): {"q": "sara", "status": "intake", "chain": "fix-genk", "limit": 5, "offset": 0},
    }
    method, path = data.draw(st.sampled_from(sorted(bases)))
    body = dict(bases[(method, path)])
    if data.draw(st.booleans()):
        body[data.draw(st.sampled_from(sorted(body)))] = data.draw(JSON)
    else:
        body = data.draw(JSON)
    response = getattr(api, method)(path, body)
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert response["Content-Type"].startswith(PROBLEM)
    params = data.draw(
        st.dictionaries(st.sampled_from(["status", "q", "chain", "limit", "offset"]), st.text(max_size=20))
    )
    assert api.get("/cases", params).status_code in (200, 422)


# --- Scope ---------------------------------------------------------------------------------------------


@pytest.fixture
def a_case(coordinator):
    return register(Api(coordinator), age=15)


@pytest.mark.parametrize("who", ["outsider", "admin_user", "strategic", "partner", "case_director", "no_role_user"])
def test_out_of_scope_is_404_like_a_missing_case(who, request, a_case):
    api = Api(request.getfixturevalue(who))
    missing = api.get(f"/cases/{uuid.uuid4()}")
    expected = problem(missing, 404)
    for response in (
        api.get(f"/cases/{a_case['id']}"),
        api.get(f"/cases/{a_case['id']}/consents"),
        api.get(f"/cases/{a_case['id']}/intake"),
        api.post(f"/cases/{a_case['id']}/transitions", {"to": "intake"}),
        api.put(f"/cases/{a_case['id']}/assignment", {"case_director": str(uuid.uuid4())}),
        api.put(f"/cases/{a_case['id']}/start", {}),
        api.post(
            f"/cases/{a_case['id']}/consents",
            {"kind": "ot_discussion", "given_by": "youth", "given_by_name": "X", "signed_on": today().isoformat()},
        ),
        api.get("/cases/not-a-uuid"),
    ):
        assert problem(response, 404) == expected
        assert response.content == missing.content
    assert ok(api.get("/cases"))["count"] == 0
    assert state_of(a_case["id"]) == (CaseStatus.REGISTERED, 1)
    assert Consent.objects.count() == 0


def test_consents_of_a_case_out_of_scope_cannot_be_withdrawn(coordinator, outsider):
    api = Api(coordinator)
    case = in_intake(api, age=19)
    given = consent(api, case["id"], ConsentKind.OT_DISCUSSION)
    response = Api(outsider).post(f"/consents/{given['id']}/withdraw", {})
    assert problem(response, 404) == {"type": "about:blank", "title": "Not Found", "status": 404}
    assert Consent.objects.get(pk=given["id"]).withdrawn_on is None


def test_case_director_sees_only_their_cases(coordinator, case_director, other_case_director):
    coord = Api(coordinator)
    mine = register(coord, age=19)
    other = registration(age=20)
    other["youth"].update(first_name="Sara", last_name="Claes")
    theirs = ok(coord.post("/cases", other), 201)
    ok(coord.put(f"/cases/{mine['id']}/assignment", {"case_director": str(case_director.pk), "version": 1}))
    ok(coord.put(f"/cases/{theirs['id']}/assignment", {"case_director": str(other_case_director.pk)}))
    listed = ok(Api(case_director).get("/cases"))
    assert [c["id"] for c in listed["items"]] == [mine["id"]]
    assert listed["items"][0]["case_director"]["name"] == "Lotte Janssens"
    problem(Api(case_director).get(f"/cases/{theirs['id']}"), 404)
    assert ok(coord.get("/cases"))["count"] == 2


def test_assignment_refuses_a_non_director(coordinator, ot_member, outsider, a_case):
    api = Api(coordinator)
    body = problem(api.put(f"/cases/{a_case['id']}/assignment", {"case_director": str(ot_member.pk)}), 422)
    assert [e["field"] for e in body["errors"]] == ["case_director"]
    body = problem(api.put(f"/cases/{a_case['id']}/assignment", {"case_director": str(outsider.pk)}), 422)
    assert [e["field"] for e in body["errors"]] == ["case_director"]
    body = problem(api.put(f"/cases/{a_case['id']}/assignment", {"case_director": "x"}), 422)
    assert [e["field"] for e in body["errors"]] == ["case_director"]
    assert Case.objects.get(pk=a_case["id"]).case_director_id is None


# --- List --------------------------------------------------------------------------------------------------


def test_list_filters_and_audits_the_filters_used(coordinator):
    api = Api(coordinator)
    register(api, age=19)
    other = registration(age=20)
    other["youth"].update(first_name="Sára", last_name="Claes")
    second = ok(api.post("/cases", other), 201)
    step(api, second["id"], "intake")

    assert [c["id"] for c in ok(api.get("/cases", {"status": "intake"}))["items"]] == [second["id"]]
    assert ok(api.get("/cases", {"chain": "kompas-antwerpen"}))["count"] == 0
    page = ok(api.get("/cases", {"limit": 1, "offset": 1}))
    assert page["count"] == 2 and len(page["items"]) == 1
    assert set(page["items"][0]) == {
        "id",
        "reference",
        "chain",
        "youth_name",
        "status",
        "case_director",
        "registered_on",
    }

    events = AuditEvent.objects.filter(action="case.listed", actor_id=coordinator.pk)
    assert events.count() == 3
    assert [e.details["filters"] for e in events.order_by("id")] == [["status"], ["chain"], []]


# --- Search ----------------------------------------------------------------------------------------------


def test_search_takes_the_term_in_the_body_and_answers_the_list_page(coordinator):
    api = Api(coordinator)
    first = register(api, age=19)
    other = registration(age=20)
    other["youth"].update(first_name="Sára", last_name="Claes")
    second = ok(api.post("/cases", other), 201)
    step(api, second["id"], "intake")

    found = ok(api.post("/cases/search", {"q": "claes SARA"}))
    assert [c["id"] for c in found["items"]] == [second["id"]]
    assert (found["count"], found["limit"], found["offset"]) == (1, 50, 0)
    assert set(found["items"][0]) == set(ok(api.get("/cases"))["items"][0])  # the list's shape
    assert [c["id"] for c in ok(api.post("/cases/search", {"q": first["reference"]}))["items"]] == [first["id"]]
    assert ok(api.post("/cases/search", {"q": "claes", "status": "registered"}))["count"] == 0
    assert ok(api.post("/cases/search", {"q": "claes", "chain": "kompas-antwerpen"}))["count"] == 0
    page = ok(api.post("/cases/search", {"q": first["reference"][:-1], "limit": 1, "offset": 1}))
    assert page["count"] == 2 and len(page["items"]) == 1  # both references share the chain's year prefix

    events = AuditEvent.objects.filter(action="case.listed", actor_id=coordinator.pk).order_by("id")
    assert [e.details for e in events][-2:] == [
        {"channel": "api", "filters": ["q", "chain"], "results": 0},
        {"channel": "api", "filters": ["q"], "results": 1},
    ]
    assert "claes" not in json.dumps([e.details for e in events]).lower()
    assert first["reference"] not in json.dumps([e.details for e in events])


def test_search_never_answers_a_case_out_of_scope(coordinator, case_director, outsider, other_case_director):
    coord = Api(coordinator)
    mine = register(coord, age=19)
    other = registration(age=20)
    other["youth"].update(first_name="Sara", last_name="Claes")
    theirs = ok(coord.post("/cases", other), 201)
    ok(coord.put(f"/cases/{mine['id']}/assignment", {"case_director": str(case_director.pk)}))
    ok(coord.put(f"/cases/{theirs['id']}/assignment", {"case_director": str(other_case_director.pk)}))

    director = Api(case_director)
    assert ok(director.post("/cases/search", {"q": "Sara Claes"}))["count"] == 0
    assert ok(director.post("/cases/search", {"q": theirs["reference"]}))["items"] == []
    assert [c["id"] for c in ok(director.post("/cases/search", {"q": mine["reference"]}))["items"]] == [mine["id"]]
    for term in ("Sara Claes", theirs["reference"], mine["reference"], "a"):
        assert ok(Api(outsider).post("/cases/search", {"q": term})) == {
            "count": 0,
            "limit": 50,
            "offset": 0,
            "items": [],
        }
    assert ok(coord.post("/cases/search", {"q": "Sara Claes"}))["count"] == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"q": "a\x00b"}, "q"),
        ({"q": 5}, "q"),
        ({"q": "a", "limit": 101}, "limit"),
        ({"q": "a", "limit": 0}, "limit"),
        ({"q": "a", "limit": "5"}, "limit"),
        ({"q": "a", "offset": -1}, "offset"),
        ({"q": "a", "offset": 10**30}, "offset"),
        ({"q": "a", "status": "lost"}, "status"),
        ({"q": "a", "chain": "../x"}, "chain"),
        ({"q": "a", "case_director": "x"}, "case_director"),
    ],
)
def test_bad_search_bodies_are_422(body, field, coordinator):
    response = Api(coordinator).post("/cases/search", body)
    assert [e["field"] for e in problem(response, 422)["errors"]] == [field]
    assert not AuditEvent.objects.filter(action="case.listed").exists()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**30}, "offset"),
        ({"status": "lost"}, "status"),
        ({"chain": "../x"}, "chain"),
        # The list no longer searches: a term in the query string is refused, not ignored.
        ({"q": "sara"}, "q"),
        ({"q": ""}, "q"),
    ],
)
def test_bad_list_parameters_are_422(params, field, coordinator):
    assert [e["field"] for e in problem(Api(coordinator).get("/cases", params), 422)["errors"]] == [field]


def test_list_has_a_constant_number_of_queries(coordinator, case_director):
    api = Api(coordinator)

    def count_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as listed:
            ok(api.get("/cases"))
        with CaptureQueriesContext(connection) as searched:
            ok(api.post("/cases/search", {"q": "a"}))
        return len(listed), len(searched)

    def add(first_name: str, last_name: str) -> None:
        body = registration(age=19)
        body["youth"].update(first_name=first_name, last_name=last_name)
        case = ok(api.post("/cases", body), 201)
        ok(api.put(f"/cases/{case['id']}/assignment", {"case_director": str(case_director.pk)}))

    add("Ilias", "Vermeulen")
    one = count_queries()
    add("Sara", "Claes")
    add("Jonas", "Dirix")
    assert ok(api.get("/cases"))["count"] == 3
    assert ok(api.post("/cases/search", {"q": "a"}))["count"] == 3
    assert count_queries() == one


def test_detail_has_a_constant_number_of_queries(coordinator):
    api = Api(coordinator)

    def count_queries(case_id) -> int:
        with CaptureQueriesContext(connection) as queries:
            ok(api.get(f"/cases/{case_id}"))
        return len(queries)

    small = register(api, age=19)
    body = registration(age=15)
    body["youth"].update(first_name="Sara", last_name="Claes")
    body["offences"] *= 3
    body["guardians"] *= 2
    large = ok(api.post("/cases", body), 201)
    # Three transition records, back at the same status as the small case.
    step(api, large["id"], "not_included", reason="Past beter bij het CAW.")
    step(api, large["id"], "registered", reason="Toch opnieuw bekijken.")
    assert len(ok(api.get(f"/cases/{large['id']}"))["transitions"]) == 3
    assert count_queries(large["id"]) == count_queries(small["id"])


# --- Intake, start, consents ---------------------------------------------------------------------------------


def test_intake_versions_refuse_lost_updates(coordinator):
    api = Api(coordinator)
    case = in_intake(api, age=19)
    assert ok(api.get(f"/cases/{case['id']}/intake"))["version"] == 0
    saved = save_intake(api, case["id"], version=0)
    assert saved["version"] == 1 and saved["domains"]["gezinscontext"]["situation"] == "Woont bij moeder."
    stale = problem(api.put(f"/cases/{case['id']}/intake", {"version": 0, "youth_words": "Overschreven?"}), 409)
    assert "Someone else changed the intake" in stale["detail"]
    assert ok(api.get(f"/cases/{case['id']}/intake"))["youth_words"] == "Ik wil terug naar school."
    body = problem(api.put(f"/cases/{case['id']}/intake", {"domains": {"sterrenkunde": {"situation": "?"}}}), 422)
    assert [e["field"] for e in body["errors"]] == ["domains.sterrenkunde"]


def test_ot_member_sees_no_intake_and_no_consents(coordinator, ot_member, police, caw):
    from tests.api.test_api_path import legal_basis, plan_meeting

    coord = Api(coordinator)
    case = to_awaiting_ot(coord, age=19)
    plan_meeting(coord, legal_basis(ot_member.memberships.first().chain, coordinator, police, caw), [ot_member])
    member = Api(ot_member)
    assert ok(member.get(f"/cases/{case['id']}"))["content"] is None
    assert problem(member.get(f"/cases/{case['id']}/intake"), 403)["title"] == "Forbidden"
    assert problem(member.get(f"/cases/{case['id']}/consents"), 403)["title"] == "Forbidden"
    problem(member.post(f"/cases/{case['id']}/transitions", {"to": "intake", "reason": "Terug."}), 403)


def test_start_dates_are_checked(coordinator, a_case):
    api = Api(coordinator)
    body = problem(api.put(f"/cases/{a_case['id']}/start", {"referrer_informed_on": "2999-01-01"}), 422)
    assert [e["field"] for e in body["errors"]] == ["referrer_informed_on"]
    body = problem(api.put(f"/cases/{a_case['id']}/start", {"youth_informed_of_decision_on": "2026-02-30"}), 422)
    assert [e["field"] for e in body["errors"]] == ["youth_informed_of_decision_on"]
    assert Case.objects.get(pk=a_case["id"]).version == 1


CONSENT_MATRIX = [
    ({"kind": "everything"}, "kind"),
    ({"given_by": "uncle"}, "given_by"),
    ({"signed_on": "2026-02-30"}, "signed_on"),
    ({"signed_on": "2999-01-01"}, "signed_on"),
    ({"valid_until": "1999-01-01"}, "valid_until"),
    ({"given_by_name": "x" * 151}, "given_by_name"),
    ({"organisations": ["nope"]}, "organisations.0"),
    ({"organisations": [RANDOM_ID]}, "organisations"),
    ({"life_domains": ["sterrenkunde"]}, "life_domains"),
    ({"kind": "sharing"}, "organisations"),
    ({"recorded_by": RANDOM_ID}, "recorded_by"),
]


@pytest.mark.parametrize(("change", "field"), CONSENT_MATRIX, ids=[f for _c, f in CONSENT_MATRIX])
def test_bad_consent_is_422_and_records_nothing(change, field, coordinator, a_case):
    body = {**CONSENT, "signed_on": today().isoformat(), **change}
    errors = problem(Api(coordinator).post(f"/cases/{a_case['id']}/consents", body), 422)["errors"]
    assert field in [e["field"] for e in errors], errors
    assert Consent.objects.count() == 0


def test_consent_scope_and_document(coordinator, a_case, school, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the private storage follows MEDIA_ROOT
    api = Api(coordinator)
    payload = {
        **CONSENT,
        "kind": "sharing",
        "signed_on": today().isoformat(),
        "organisations": [str(school.pk)],
        "life_domains": ["werk_onderwijs"],
    }
    pdf = tmp_path / "upload.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% signed consent\n")
    with pdf.open("rb") as document:
        response = api.client.post(
            f"{BASE}/cases/{a_case['id']}/consents/with-document",
            {"payload": json.dumps(payload), "document": document},
        )
    made = ok(response, 201)
    assert made["document_name"] == "upload.pdf" and made["organisations"] == [
        {"id": str(school.pk), "name": school.name}
    ]
    stored = Consent.objects.get(pk=made["id"])
    assert stored.document.name.startswith("consents/") and "upload" not in stored.document.name

    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"MZ not a pdf")
    with fake.open("rb") as document:
        response = api.client.post(
            f"{BASE}/cases/{a_case['id']}/consents/with-document",
            {"payload": json.dumps(payload), "document": document},
        )
    assert [e["field"] for e in problem(response, 422)["errors"]] == ["document"]
    response = api.client.post(f"{BASE}/cases/{a_case['id']}/consents/with-document", {"payload": json.dumps(payload)})
    assert [e["field"] for e in problem(response, 422)["errors"]] == ["document"]
    response = api.client.post(f"{BASE}/cases/{a_case['id']}/consents/with-document", {"payload": "{oops"})
    assert response.status_code in (400, 422) and response["Content-Type"].startswith(PROBLEM)
    assert Consent.objects.count() == 1


def test_same_submission_key_records_one_consent(coordinator, a_case):
    api = Api(coordinator)
    body = {**CONSENT, "signed_on": today().isoformat(), "submission_key": str(uuid.uuid4())}
    first = ok(api.post(f"/cases/{a_case['id']}/consents", body), 201)
    assert ok(api.post(f"/cases/{a_case['id']}/consents", body), 201)["id"] == first["id"]
    assert Consent.objects.count() == 1


def test_consent_list_is_audited(coordinator, a_case):
    api = Api(coordinator)
    consent(api, a_case["id"], ConsentKind.OT_DISCUSSION)
    assert len(ok(api.get(f"/cases/{a_case['id']}/consents"))) == 1
    event = AuditEvent.objects.get(action="case.viewed", case_id=a_case["id"], details__view="api.consents")
    assert event.details == {"view": "api.consents", "results": 1}


def test_consent_list_has_a_constant_number_of_queries(coordinator, police, caw):
    api = Api(coordinator)
    case = in_intake(api, age=19)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            ok(api.get(f"/cases/{case['id']}/consents"))
        return len(queries)

    consent(api, case["id"], ConsentKind.OT_DISCUSSION)
    one = count_queries()
    consent(api, case["id"], ConsentKind.SHARING, organisations=[str(police.pk), str(caw.pk)])
    consent(api, case["id"], ConsentKind.SHARING, organisations=[str(caw.pk)], life_domains=["gezondheid"])
    assert len(ok(api.get(f"/cases/{case['id']}/consents"))) == 3
    assert count_queries() == one


def test_withdrawal_input_is_checked(coordinator):
    api = Api(coordinator)
    case = in_intake(api, age=19)
    given = consent(api, case["id"], ConsentKind.OT_DISCUSSION)
    for body, field in (
        ({"on": "2026-02-30"}, "on"),
        ({"on": (today() + timedelta(days=1)).isoformat()}, "on"),
        ({"note": 5}, "note"),
        ({"on": "2000-01-01"}, "on"),
    ):
        assert field in [
            e["field"] for e in problem(api.post(f"/consents/{given['id']}/withdraw", body), 422)["errors"]
        ]
    assert Consent.objects.get(pk=given["id"]).withdrawn_on is None
    problem(api.post(f"/consents/{uuid.uuid4()}/withdraw", {}), 404)


def test_closing_refuses_unknown_life_domains(coordinator, case_director):
    api = Api(coordinator)
    case = register(api, age=19)
    body = problem(
        api.post(
            f"/cases/{case['id']}/transitions",
            {"to": "closed", "closure_reason": "goals_reached", "closure_summary": {"astrologie": "?"}},
        ),
        422,
    )
    assert [e["field"] for e in body["errors"]] == ["closure_summary.astrologie"]
    body = problem(api.post(f"/cases/{case['id']}/transitions", {"to": "closed", "closure_reason": "bored"}), 422)
    assert [e["field"] for e in body["errors"]] == ["closure_reason"]
    body = problem(api.post(f"/cases/{case['id']}/transitions", {"to": "intake", "version": "1"}), 422)
    assert [e["field"] for e in body["errors"]] == ["version"]


# --- Session authentication --------------------------------------------------------------------------------


def test_session_writes_need_the_csrf_token(coordinator):
    client = Client(enforce_csrf_checks=True, headers={"Accept-Language": "en"})
    client.force_login(coordinator)
    assert client.get(f"{BASE}/cases").status_code == 200
    response = client.post(f"{BASE}/cases", json.dumps(registration(age=19)), content_type="application/json")
    assert response.status_code == 403 and response["Content-Type"].startswith(PROBLEM)
    assert Case.objects.count() == 0
    # What a page of the web UI hands the browser: the CSRF cookie and the token for the header.
    token = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    response = client.post(
        f"{BASE}/cases",
        json.dumps(registration(age=19)),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.content
