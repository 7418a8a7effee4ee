"""Conversations, the partner's actions and the youth's trajectory through the JSON API.

Out of reach answers 404 problem+json (and the refusal is audited), bad input 422 with field errors.
The case is shared with the cast's partner by the domain (tests/threads/conftest.py).
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from ketenregie.audit.models import AuditEvent
from ketenregie.consent.domain import withdraw_consent
from ketenregie.followup.models import Notification
from ketenregie.plans.enums import ActionStatus
from ketenregie.threads.models import Thread
from tests.api.test_api_path import BASE, Api, ok, problem
from tests.portal import conftest as portal_fixtures
from tests.threads.conftest import *  # noqa: F403 — the shared case, its plan and the partner

pytestmark = pytest.mark.django_db

# The youth of the shared case with an active "Mijn traject" (tests/portal/conftest.py).
invite = portal_fixtures.invite
youth_access = portal_fixtures.youth_access
youth = portal_fixtures.youth


def patch(api: Api, path: str, body: dict):
    return api.client.patch(BASE + path, json.dumps(body), content_type="application/json")


def test_start_list_and_read_a_thread(shared, case_director, partner, django_capture_on_commit_callbacks):
    director = Api(case_director)
    body = ok(
        director.post(
            f"/cases/{shared['case'].pk}/threads",
            {
                "subject": "Schoolverzuim",
                "body": "Hoe gaat het, @partner-school?",
                "participants": [str(partner.pk)],
                "action": str(shared["mine"].pk),
            },
        ),
        201,
    )
    assert body["action"] == str(shared["mine"].pk) and body["message_count"] == 1 and body["unread_count"] == 0

    mine = Api(partner)
    listed = ok(mine.get(f"/cases/{shared['case'].pk}/threads"))
    assert [t["id"] for t in listed] == [body["id"]] and listed[0]["unread_count"] == 1
    messages = ok(mine.get(f"/threads/{body['id']}/messages"))
    assert messages[0]["body"] == "Hoe gaat het, @partner-school?" and messages[0]["author"]["id"] == str(
        case_director.pk
    )
    assert AuditEvent.objects.filter(action="thread.viewed", actor_id=partner.pk, details__view="api.messages").exists()
    assert ok(mine.get(f"/cases/{shared['case'].pk}/threads"))[0]["unread_count"] == 0

    with django_capture_on_commit_callbacks(execute=True):
        reply = ok(mine.post(f"/threads/{body['id']}/messages", {"body": "Goed, @regisseur1."}), 201)
    assert reply["deleted"] is False and reply["attachments"] == []
    assert Notification.objects.filter(user=case_director, kind="thread_mention").exists()


def test_participants_must_see_the_case(shared, case_director, outsider):
    body = problem(
        Api(case_director).post(
            f"/cases/{shared['case'].pk}/threads",
            {"subject": "X", "body": "Y", "participants": [str(outsider.pk)]},
        ),
        422,
    )
    assert body["errors"][0]["field"] == "participants"


def test_bad_input_is_a_field_error(shared, case_director):
    api = Api(case_director)
    body = problem(api.post(f"/cases/{shared['case'].pk}/threads", {"subject": "", "body": "x", "extra": 1}), 422)
    assert {e["field"] for e in body["errors"]} >= {"subject", "extra"}
    problem(api.post(f"/cases/{shared['case'].pk}/threads", {"subject": "s", "body": "\x00"}), 422)


def test_a_withdrawn_consent_ends_api_access_to_the_thread(thread, shared, partner, coordinator):
    api = Api(partner)
    ok(api.get(f"/threads/{thread.pk}/messages"))
    withdraw_consent(actor=coordinator, consent=shared["consent"], note="Stopt.")

    problem(api.get(f"/threads/{thread.pk}/messages"), 404)
    problem(api.post(f"/threads/{thread.pk}/messages", {"body": "Nog iets"}), 404)
    problem(api.get(f"/cases/{shared['case'].pk}/threads"), 404)
    assert AuditEvent.objects.filter(action="access.denied", actor_id=partner.pk, object_id=str(thread.pk)).exists()


def test_outsiders_get_404(thread, outsider, other_case_director):
    for user in (outsider, other_case_director):
        problem(Api(user).get(f"/threads/{thread.pk}/messages"), 404)
    problem(Api(outsider).get(f"/threads/{uuid.uuid4()}/messages"), 404)


def test_markup_is_returned_as_text(thread, partner):
    api = Api(partner)
    ok(api.post(f"/threads/{thread.pk}/messages", {"body": "<script>alert(1)</script>"}), 201)

    assert ok(api.get(f"/threads/{thread.pk}/messages"))[-1]["body"] == "<script>alert(1)</script>"


def test_my_actions_and_updating_one(shared, partner, case_director, django_capture_on_commit_callbacks):
    api = Api(partner)
    actions = ok(api.get("/me/actions"))
    assert [a["id"] for a in actions] == [str(shared["mine"].pk)]
    assert actions[0]["case"]["reference"] == shared["case"].reference and actions[0]["life_domain"] == "werk_onderwijs"

    with django_capture_on_commit_callbacks(execute=True):
        body = ok(patch(api, f"/actions/{shared['mine'].pk}", {"status": "done", "note": "Gesprek gehad."}))

    assert body["status"] == "done" and body["note"] == "Gesprek gehad."
    shared["mine"].refresh_from_db()
    assert shared["mine"].status == ActionStatus.DONE
    assert Notification.objects.filter(user=case_director, kind="action_updated").exists()


def test_updating_an_action_you_are_not_responsible_for_is_404(shared, partner):
    api = Api(partner)
    for action in (shared["caw"], shared["not_shared"]):
        problem(patch(api, f"/actions/{action.pk}", {"status": "done"}), 404)
        action.refresh_from_db()
        assert action.status == ActionStatus.PLANNED
    problem(patch(api, f"/actions/{shared['mine'].pk}", {"status": "finished"}), 422)


def test_the_trajectory_is_for_portal_accounts_only(youth, shared, case_director):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(youth)

    body = client.get(f"{BASE}/me/trajectory").json()
    assert body["role"] == "youth" and body["active"] is True
    goals = [g["text"] for d in body["domains"] for g in d["goals"]]
    assert "Ik wil mijn diploma halen." in goals
    assert body["director"]["name"] == case_director.get_full_name()
    assert AuditEvent.objects.filter(action="portal.viewed", actor_id=youth.pk, details__view="api.trajectory").exists()

    sent = client.post(f"{BASE}/me/trajectory/messages", json.dumps({"body": "Hallo"}), content_type="application/json")
    assert sent.status_code == 201
    assert Thread.objects.filter(portal_user=youth).exists()

    problem(Api(case_director).get("/me/trajectory"), 404)
    # The rest of the API does not exist for a portal account.
    problem(client.get(f"{BASE}/cases"), 404)
    problem(client.get(f"{BASE}/me/actions"), 404)
    problem(client.get(f"{BASE}/cases/{shared['case'].pk}/threads"), 404)
