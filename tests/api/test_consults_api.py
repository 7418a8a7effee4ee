"""Consults through the JSON API: operational coordinators of the chain only; chain given by slug."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketenregie.audit.models import AuditEvent
from ketenregie.cases.models import Consult
from tests.api.test_api_path import Api, ok, problem, today

RANDOM_ID = "3f0e1a52-5b8e-4c64-9d1e-0b8f7c2a9e11"


def consult_body(**extra) -> dict:
    return {
        "chain": "fix-genk",
        "referrer_kind": "parent",
        "referrer_name": "Mieke Vermeulen",
        "channel": "phone",
        "consulted_on": today().isoformat(),
        "summary": "Zoon steelt en spijbelt; kan hij bij jullie terecht?",
        "outcome": "fits",
        "youth_initials": "IV",
        "youth_age": 15,
        "youth_postal_code": "3600",
        "has_offence": True,
        "has_multi_problem": None,
        **extra,
    }


def test_coordinator_records_and_reads_a_consult(coordinator):
    api = Api(coordinator)
    made = ok(api.post("/consults", consult_body()), 201)
    assert made["chain"] == {"slug": "fix-genk", "name": "FIX Genk"}
    assert {c["code"]: c["status"] for c in made["eligibility"]} == {
        "age": "passed",
        "region": "passed",
        "offence": "passed",
        "multi_problem": "unknown",
    }
    assert made["cases"] == []
    assert Consult.objects.get(pk=made["id"]).created_by_id == coordinator.pk

    detail = ok(api.get(f"/consults/{made['id']}"))
    assert detail["summary"] == "Zoon steelt en spijbelt; kan hij bij jullie terecht?"
    listed = ok(api.get("/consults"))
    assert listed["count"] == 1 and listed["items"][0]["id"] == made["id"]
    assert "summary" not in listed["items"][0]

    assert AuditEvent.objects.filter(action="consult.created", object_id=made["id"]).count() == 1
    viewed = AuditEvent.objects.get(action="consult.viewed", object_id=made["id"])
    assert viewed.details == {"view": "api.consult_detail"} and viewed.actor_id == coordinator.pk
    listed_event = AuditEvent.objects.get(action="consult.listed")
    assert listed_event.details == {"channel": "api", "filters": [], "results": 1}
    assert "Vermeulen" not in json.dumps([e.details for e in AuditEvent.objects.all()])


def test_does_not_fit_needs_advice(coordinator):
    body = problem(Api(coordinator).post("/consults", consult_body(outcome="does_not_fit")), 422)
    assert [e["field"] for e in body["errors"]] == ["advice"]
    assert Consult.objects.count() == 0


@pytest.mark.parametrize("who", ["case_director", "ot_member", "strategic", "admin_user", "outsider"])
def test_only_the_chains_coordinators(who, request, coordinator):
    made = ok(Api(coordinator).post("/consults", consult_body()), 201)
    api = Api(request.getfixturevalue(who))
    body = problem(api.post("/consults", consult_body()), 422)
    assert [e["field"] for e in body["errors"]] == ["chain"]
    assert ok(api.get("/consults"))["count"] == 0
    assert ok(api.get("/consults", {"chain": "fix-genk"}))["count"] == 0
    missing = api.get(f"/consults/{uuid.uuid4()}")
    hidden = api.get(f"/consults/{made['id']}")
    assert problem(hidden, 404) == problem(missing, 404)
    assert hidden.content == missing.content
    assert Consult.objects.count() == 1


def test_chain_filter(coordinator, outsider):
    ok(Api(coordinator).post("/consults", consult_body()), 201)
    ok(Api(outsider).post("/consults", consult_body(chain="kompas-antwerpen", youth_postal_code="2000")), 201)
    api = Api(coordinator)
    assert ok(api.get("/consults", {"chain": "fix-genk"}))["count"] == 1
    assert ok(api.get("/consults", {"chain": "kompas-antwerpen"}))["count"] == 0
    assert ok(api.get("/consults", {"chain": "nergens"}))["count"] == 0
    assert [e["field"] for e in problem(api.get("/consults", {"limit": 500}), 422)["errors"]] == ["limit"]


def test_same_submission_key_records_one_consult(coordinator):
    api = Api(coordinator)
    body = consult_body(submission_key=str(uuid.uuid4()))
    assert ok(api.post("/consults", body), 201)["id"] == ok(api.post("/consults", body), 201)["id"]
    assert Consult.objects.count() == 1


def test_someone_elses_submission_key_is_refused(coordinator, outsider):
    key = str(uuid.uuid4())
    ok(Api(coordinator).post("/consults", consult_body(submission_key=key)), 201)
    body = problem(Api(outsider).post("/consults", consult_body(chain="kompas-antwerpen", submission_key=key)), 409)
    assert [e["field"] for e in body["errors"]] == ["submission_key"]
    assert "spijbelt" not in json.dumps(body)


MATRIX = [
    ({"chain": "nergens"}, "chain"),
    ({"chain": None}, "chain"),
    ({"consulted_on": "2026-02-30"}, "consulted_on"),
    ({"consulted_on": "2999-01-01"}, "consulted_on"),
    ({"consulted_on": 20260101}, "consulted_on"),
    ({"channel": "pigeon"}, "channel"),
    ({"outcome": "maybe"}, "outcome"),
    ({"referrer_kind": "organisation"}, "referrer_organisation"),
    ({"referrer_kind": "organisation", "referrer_organisation": RANDOM_ID}, "referrer_organisation"),
    ({"referrer_organisation": "x"}, "referrer_organisation"),
    ({"referrer_name": ""}, "referrer_name"),
    ({"summary": "x" * 20_000}, "summary"),
    ({"summary": "\x00"}, "summary"),
    ({"youth_age": 1000}, "youth_age"),
    ({"youth_age": "15"}, "youth_age"),
    ({"youth_birth_date": "2026-02-29"}, "youth_birth_date"),
    ({"has_offence": "maybe"}, "has_offence"),
    ({"submission_key": "key"}, "submission_key"),
    ({"created_by": RANDOM_ID}, "created_by"),
    ({"eligibility": []}, "eligibility"),
]


@pytest.mark.parametrize(("change", "field"), MATRIX, ids=[f"{f}-{i}" for i, (_c, f) in enumerate(MATRIX)])
def test_bad_consult_is_422_and_records_nothing(change, field, coordinator, other_chain):
    errors = problem(Api(coordinator).post("/consults", consult_body(**change)), 422)["errors"]
    assert field in [e["field"] for e in errors], errors
    assert Consult.objects.count() == 0


def test_missing_fields_are_listed(coordinator):
    errors = problem(Api(coordinator).post("/consults", {}), 422)["errors"]
    assert {"chain", "referrer_kind", "referrer_name", "channel", "consulted_on", "summary", "outcome"} <= {
        e["field"] for e in errors
    }


def test_list_has_a_constant_number_of_queries(coordinator):
    api = Api(coordinator)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            ok(api.get("/consults"))
        return len(queries)

    ok(api.post("/consults", consult_body()), 201)
    one = count_queries()
    ok(api.post("/consults", consult_body()), 201)
    ok(api.post("/consults", consult_body()), 201)
    assert count_queries() == one
