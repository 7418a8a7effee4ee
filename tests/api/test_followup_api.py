"""Follow-up through the JSON API: contacts, major events, signals and acknowledging them.

Scope answers 404, and so does a visible case you may not work on (as on the web pages); bad input 422 problem+json with field errors.
Cases are built by the domain (tests/cases/conftest.py), as the web and demo do.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from freezegun import freeze_time

from ketenregie.audit.models import AuditEvent
from ketenregie.cases.enums import CaseStatus
from ketenregie.followup.models import FollowUpContact, MajorEvent, Notification, SignalAcknowledgement
from tests.api.test_api_path import Api, ok, problem
from tests.cases.conftest import _english  # noqa: F401 - autouse: English messages
from tests.followup.conftest import *  # noqa: F403 - the case builder and follow-up fixtures
from tests.followup.conftest import _urls_loaded  # noqa: F401 - autouse

pytestmark = pytest.mark.django_db

S = CaseStatus
RANDOM_ID = "3f0e1a52-5b8e-4c64-9d1e-0b8f7c2a9e11"


@pytest.fixture
def case(make_case):
    return make_case(S.ACTIVE)


def a_contact(**fields) -> dict:
    return {
        "contact_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "channel": "phone",
        "reached": False,
        "note": "Niet opgenomen.",
        **fields,
    }


# --- Contacts -----------------------------------------------------------------------------------------------


def test_log_and_list_contacts(case, case_director):
    api = Api(case_director)
    body = ok(
        api.post(f"/cases/{case.pk}/contacts", a_contact(life_domains=["vrije_tijd"], positive_development=True)), 201
    )
    assert body["with_whom"] == "youth" and body["reached"] is False and body["life_domains"] == ["vrije_tijd"]
    assert body["created_by"]["id"] == str(case_director.pk)
    listed = ok(api.get(f"/cases/{case.pk}/contacts"))
    assert [c["id"] for c in listed] == [body["id"]]
    assert ok(api.get(f"/cases/{case.pk}/contacts", {"offset": 1})) == []
    problem(api.get(f"/cases/{case.pk}/contacts", {"limit": 0}), 422)
    assert AuditEvent.objects.filter(action="followup.contact", case_id=case.pk).count() == 1
    assert AuditEvent.objects.filter(action="case.viewed", case_id=case.pk, details__view="api.contacts").exists()


def test_a_contact_with_a_local_offset_is_stored_as_that_moment(case, case_director):
    with freeze_time("2026-03-30 12:00:00"):
        case.registered_on = case.registered_on.replace(year=2026, month=1, day=1)
        case.save(update_fields=["registered_on"])  # the case predates the frozen day
        body = ok(
            Api(case_director).post(f"/cases/{case.pk}/contacts", a_contact(contact_at="2026-03-29T23:30:00+02:00")),
            201,
        )
    stored = FollowUpContact.objects.get(pk=body["id"]).contact_at
    assert timezone.localtime(stored).strftime("%Y-%m-%d %H:%M") == "2026-03-29 23:30"


def test_a_replayed_submission_key_logs_one_contact(case, case_director):
    api = Api(case_director)
    key = str(uuid.uuid4())
    first = ok(api.post(f"/cases/{case.pk}/contacts", a_contact(submission_key=key)), 201)
    again = ok(api.post(f"/cases/{case.pk}/contacts", a_contact(submission_key=key)), 201)
    assert first["id"] == again["id"]
    assert FollowUpContact.objects.filter(case=case).count() == 1


def test_a_contact_in_the_future_is_a_422_with_the_field(case, case_director):
    later = (timezone.now() + timedelta(days=1)).isoformat()
    body = problem(Api(case_director).post(f"/cases/{case.pk}/contacts", a_contact(contact_at=later)), 422)
    assert body["errors"] == [{"field": "contact_at", "message": "A contact cannot be in the future."}]
    assert not FollowUpContact.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contact_at": "2026-01-01T10:00:00"}, "contact_at"),  # no offset: ambiguous
        ({"contact_at": 1767261600}, "contact_at"),
        ({"channel": "pigeon"}, "channel"),
        ({"reached": "yes"}, "reached"),
        ({"life_domains": ["onbekend"]}, "life_domains"),
        ({"network_member": RANDOM_ID, "with_whom": "network_member"}, "network_member"),
        ({"note": "x" * 10_001}, "note"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_contact_input_is_a_422_naming_the_field(case, case_director, change, field):
    body = problem(Api(case_director).post(f"/cases/{case.pk}/contacts", a_contact(**change)), 422)
    assert field in {e["field"].split(".")[0] for e in body["errors"]}, body
    assert not FollowUpContact.objects.exists()


def test_a_contact_on_a_closed_case_is_a_409(make_case, coordinator):
    case = make_case(S.CLOSED)
    body = problem(Api(coordinator).post(f"/cases/{case.pk}/contacts", a_contact()), 409)
    assert "closed" in body["detail"]


def test_out_of_scope_and_visible_without_the_right_are_both_404(
    seen_by_ot_member, other_case_director, outsider, ot_member
):
    from ketenregie.consent import policy

    case = seen_by_ot_member()
    assert policy.visible_cases(ot_member).filter(pk=case.pk).exists()
    for someone in (other_case_director, outsider):
        problem(Api(someone).get(f"/cases/{case.pk}/contacts"), 404)
        problem(Api(someone).post(f"/cases/{case.pk}/contacts", a_contact()), 404)
    problem(Api(ot_member).get(f"/cases/{case.pk}/contacts"), 404)
    problem(Api(ot_member).post(f"/cases/{case.pk}/events", {"kind": "crisis", "occurred_on": "2026-01-01"}), 404)
    problem(Api(other_case_director).get(f"/cases/{RANDOM_ID}/contacts"), 404)
    assert not FollowUpContact.objects.exists()


# --- Events ---------------------------------------------------------------------------------------------------


def test_record_an_event_that_puts_the_case_on_the_ot_agenda(case, case_director, coordinator):
    api = Api(case_director)
    body = ok(
        api.post(
            f"/cases/{case.pk}/events",
            {"kind": "new_offence", "occurred_on": timezone.localdate().isoformat(), "description": "Winkeldiefstal."},
        ),
        201,
    )
    assert body["flagged_for_ot"] is True and body["kind_label"] == "New offence"
    assert [e["id"] for e in ok(api.get(f"/cases/{case.pk}/events"))] == [body["id"]]
    assert Notification.objects.filter(user=coordinator, kind="event_flagged", case=case).exists()


def test_a_bad_event_is_a_422(case, case_director):
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    body = problem(Api(case_director).post(f"/cases/{case.pk}/events", {"kind": "crisis", "occurred_on": future}), 422)
    assert body["errors"] == [{"field": "occurred_on", "message": "The date cannot be in the future."}]
    body = problem(
        Api(case_director).post(f"/cases/{case.pk}/events", {"kind": "party", "occurred_on": "2026-01-01"}), 422
    )
    assert {e["field"] for e in body["errors"]} == {"kind"}
    assert not MajorEvent.objects.exists()


# --- Signals ---------------------------------------------------------------------------------------------------


@pytest.fixture
def overdue(make_case, other_case_director):
    with freeze_time(timezone.now() - timedelta(days=28)):  # before "no plan" (30 days), whatever the hour
        return make_case(S.ACTIVE), make_case(S.ACTIVE, director=other_case_director)


def signals(api: Api, **params) -> list[dict]:
    """Every page of ``GET /signals``, joined."""
    items, offset = [], 0
    while True:
        body = ok(api.get("/signals", {**params, "offset": offset}))
        items += body["items"]
        offset += body["limit"]
        if offset >= body["count"]:
            return items


def test_my_signals_with_filters(overdue, case_director, coordinator):
    mine, theirs = overdue
    own = signals(Api(case_director))
    assert {s["case"]["id"] for s in own} == {str(mine.pk)}
    assert {s["kind"] for s in own} == {"contact_overdue", "out_of_view"}
    assert own[0]["severity"] == 1 and own[0]["url"].endswith("/contacten/")
    every = signals(Api(coordinator))
    assert {s["case"]["id"] for s in every} == {str(mine.pk), str(theirs.pk)}
    assert {s["kind"] for s in signals(Api(coordinator), kind="out_of_view")} == {"out_of_view"}
    assert {s["case"]["id"] for s in signals(Api(coordinator), case=str(theirs.pk))} == {str(theirs.pk)}
    assert ok(Api(case_director).get("/signals", {"case": str(theirs.pk)})) == {
        "count": 0,
        "limit": 100,
        "offset": 0,
        "items": [],
    }
    problem(Api(coordinator).get("/signals", {"kind": "nonsense"}), 422)
    problem(Api(coordinator).get("/signals", {"case": "not-a-uuid"}), 422)
    assert AuditEvent.objects.filter(action="followup.signals_listed", details__channel="api").count() == 5


def test_signals_come_a_page_at_a_time_in_the_same_order(overdue, coordinator):
    api = Api(coordinator)
    whole = ok(api.get("/signals"))
    assert whole["count"] == len(whole["items"]) >= 3

    pages = [ok(api.get("/signals", {"limit": 2, "offset": offset})) for offset in range(0, whole["count"], 2)]

    assert [s["key"] for page in pages for s in page["items"]] == [s["key"] for s in whole["items"]]
    assert {page["count"] for page in pages} == {whole["count"]}
    assert ok(api.get("/signals", {"offset": whole["count"]}))["items"] == []
    for bad in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "many"}):
        body = problem(api.get("/signals", bad), 422)
        assert {e["field"] for e in body["errors"]} == set(bad)


def test_acknowledge_one_of_my_signals(overdue, case_director, django_capture_on_commit_callbacks):
    mine, _ = overdue
    api = Api(case_director)
    key = next(s["key"] for s in signals(api) if s["kind"] == "out_of_view")
    with django_capture_on_commit_callbacks(execute=True):  # committed: the cached signals are renewed
        body = ok(api.post(f"/signals/{key}/acknowledge", {"note": "Via de tante geprobeerd."}))
    assert body["quiet_until"] == (timezone.localdate() + timedelta(days=7)).isoformat()
    assert SignalAcknowledgement.objects.get(key=key).note == "Via de tante geprobeerd."
    assert key not in {s["key"] for s in signals(api)}
    problem(api.post(f"/signals/{key}/acknowledge", {}), 404)  # no longer a current signal


def test_acknowledging_someone_elses_or_a_made_up_signal_is_404(overdue, case_director, coordinator):
    _mine, theirs = overdue
    key = next(s["key"] for s in signals(Api(coordinator), case=str(theirs.pk)))
    problem(Api(case_director).post(f"/signals/{key}/acknowledge", {}), 404)
    problem(Api(case_director).post("/signals/nonsense/acknowledge", {}), 404)
    problem(Api(case_director).post(f"/signals/out_of_view:{RANDOM_ID}:2026-01-01/acknowledge", {}), 404)
    body = problem(Api(coordinator).post(f"/signals/{key}/acknowledge", {"note": "x" * 501}), 422)
    assert {e["field"] for e in body["errors"]} == {"note"}
    assert not SignalAcknowledgement.objects.exists()


def test_the_openapi_document_declares_the_follow_up_endpoints_and_their_errors(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path, method in (
        ("/api/v1/cases/{case_id}/contacts", "post"),
        ("/api/v1/cases/{case_id}/contacts", "get"),
        ("/api/v1/cases/{case_id}/events", "post"),
        ("/api/v1/signals", "get"),
        ("/api/v1/signals/{key}/acknowledge", "post"),
    ):
        operation = paths[path][method]
        assert {"404", "422"} <= set(operation["responses"]), (path, method)
        assert "application/problem+json" in operation["responses"]["422"]["content"]
