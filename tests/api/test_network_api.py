"""The youth's network and offence groups through the JSON API.

Out of scope, and visible without the right to read the content (an OT member), both answer 404;
refusals of the domain are problem+json: a closed case and open actions without a successor 409,
bad input 422 with field errors. Cases and networks are built by the domain (tests/plans/fixtures.py).
"""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.network.domain import MemberData, add_network_member
from ketenregie.network.models import NetworkMember, OffenceGroup, OffenceGroupMember
from ketenregie.plans.models import Action
from tests.api import test_plan_api as plan_api
from tests.api.test_api_path import BASE, PROBLEM, Api, ok, problem
from tests.plans.fixtures import *  # noqa: F403 - the active case, its network and the plan helpers
from tests.plans.fixtures import close, one_domain

pytestmark = pytest.mark.django_db

# A partner with whom the case is shared: in the youth's network, under a sharing consent.
partner_member, sharing = plan_api.partner_member, plan_api.sharing
SHARED, NOT_SHARED = plan_api.SHARED, plan_api.NOT_SHARED

RANDOM_ID = "3f0e1a52-5b8e-4c64-9d1e-0b8f7c2a9e11"


class CaseApi(Api):
    """The token client, with the two methods the network needs besides GET, POST and PUT."""

    def patch(self, path: str, body=None):
        return self.client.patch(BASE + path, json.dumps(body or {}), content_type="application/json")

    def delete(self, path: str, params: dict | None = None):
        return self.client.delete(BASE + path + (f"?{urlencode(params)}" if params else ""))


def a_professional(org, **fields) -> dict:
    return {"kind": "formal", "name": "Dr. An Peeters", "role": "Huisarts", "organisation": str(org.pk), **fields}


@pytest.fixture
def nobodies(ot_member, partner, admin_user, outsider, other_case_director):
    """Everyone who may not read this case's network: visible without content, or out of scope."""
    return [ot_member, partner, admin_user, outsider, other_case_director]


# --- Reading -------------------------------------------------------------------------------------------


def test_the_network_lists_its_members_and_the_read_is_audited(case, network, case_director):
    body = ok(CaseApi(case_director).get(f"/cases/{case.pk}/network"))
    assert {m["name"] for m in body} == {"Nathalie Willems", "Elif Yilmaz", "Fatima Vermeulen"}
    clb = next(m for m in body if m["id"] == str(network["clb"].pk))
    assert clb["kind"] == "formal" and clb["organisation"]["name"] == "CLB GO! Genk"
    assert clb["open_actions"] == 0 and clb["since"] == timezone.localdate().isoformat() and clb["until"] is None
    assert AuditEvent.objects.filter(action="case.viewed", case_id=case.pk, details__view="api.network").count() == 1


def test_the_network_list_has_a_constant_number_of_queries(case, network, case_director, coordinator, save):
    api = CaseApi(case_director)
    save([one_domain(network)])  # an open action, so the count of open actions is exercised too

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            ok(api.get(f"/cases/{case.pk}/network"))
        return len(queries)

    ok(api.get(f"/cases/{case.pk}/network"))  # the token records its use at most every five minutes
    three = count()
    for name in ("Jan", "Piet", "Joris"):
        ok(api.post(f"/cases/{case.pk}/network", {"kind": "informal", "name": name, "role": "Vriend"}), 201)
    assert count() == three


# --- Adding and changing -------------------------------------------------------------------------------------


def test_add_a_professional_and_a_trusted_person(case, case_director, caw):
    api = CaseApi(case_director)
    body = ok(api.post(f"/cases/{case.pk}/network", a_professional(caw, life_domains=["gezondheid"])), 201)
    assert body["organisation"] == {"id": str(caw.pk), "name": "CAW Limburg"}
    assert body["life_domains"] == ["gezondheid"] and body["is_trusted_person"] is False
    trusted = ok(
        api.post(
            f"/cases/{case.pk}/network",
            {
                "kind": "informal",
                "name": "Tante Leila",
                "role": "Tante",
                "phone": "0470 11 22 33",
                "is_trusted_person": True,
                "youth_agreed": True,
            },
        ),
        201,
    )
    assert trusted["is_trusted_person"] is True
    case.refresh_from_db()
    assert (case.trusted_person_name, case.trusted_person_contact) == ("Tante Leila", "0470 11 22 33")
    assert AuditEvent.objects.filter(action="network.member_added", case_id=case.pk).count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"organisation": None}, "organisation"),  # a professional belongs to an organisation
        ({"organisation": RANDOM_ID}, "organisation"),
        ({"user": RANDOM_ID}, "user"),
        ({"kind": "enemy"}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"role": "x" * 101}, "role"),
        ({"email": "not an address"}, "email"),
        ({"life_domains": ["onbekend"]}, "life_domains"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "until"),
        ({"since": 1767261600}, "since"),
        ({"is_trusted_person": True}, "youth_agreed"),
        ({"notes": "x" * 10_001}, "notes"),
        ({"notes": "a\x00b"}, "notes"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_member_input_is_a_422_naming_the_field(case, case_director, caw, change, field):
    body = problem(CaseApi(case_director).post(f"/cases/{case.pk}/network", a_professional(caw, **change)), 422)
    assert field in {e["field"] for e in body["errors"]}, body
    assert not NetworkMember.objects.filter(case=case).exists()


def test_markup_and_long_text_are_stored_as_given_and_returned_as_data(case, case_director):
    name = '<script>alert("x")</script>'
    notes = "<b>vet</b> & <i>schuin</i> " + "x" * 9_970
    response = CaseApi(case_director).post(
        f"/cases/{case.pk}/network", {"kind": "informal", "name": name, "role": "Buur", "notes": notes}
    )
    body = ok(response, 201)
    assert response["Content-Type"].startswith("application/json")
    assert (body["name"], body["notes"]) == (name, notes)
    stored = NetworkMember.objects.get(pk=body["id"])
    assert (stored.name, stored.notes) == (name, notes)


def test_patch_changes_only_what_is_sent(case, network, case_director):
    api = CaseApi(case_director)
    mother = network["mother"]
    body = ok(api.patch(f"/network/{mother.pk}", {"phone": "089 55 66 77", "is_trusted_person": True}))
    assert body["phone"] == "089 55 66 77" and body["is_trusted_person"] is True
    assert (body["name"], body["role"], body["youth_agreed"]) == ("Fatima Vermeulen", "Moeder", True)
    case.refresh_from_db()
    assert case.trusted_person_name == "Fatima Vermeulen"
    assert AuditEvent.objects.filter(action="network.member_changed", case_id=case.pk).count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"kind": None}, "kind"),
        ({"notes": None}, "notes"),
        ({"organisation": None}, "organisation"),  # the CLB worker is a professional
        ({"organisation": RANDOM_ID}, "organisation"),
        ({"life_domains": ["onbekend"]}, "life_domains"),
        ({"id": RANDOM_ID}, "id"),
    ],
)
def test_a_bad_patch_is_a_422_and_changes_nothing(case, network, case_director, change, field):
    clb = network["clb"]
    body = problem(CaseApi(case_director).patch(f"/network/{clb.pk}", change), 422)
    assert field in {e["field"] for e in body["errors"]}, body
    clb.refresh_from_db()
    assert (clb.name, clb.kind, clb.organisation_id, clb.life_domains) == (
        "Nathalie Willems",
        "formal",
        network["clb"].organisation_id,
        [],
    )


# --- Ending -------------------------------------------------------------------------------------------------


def test_end_someone_without_open_actions(case, network, case_director):
    api = CaseApi(case_director)
    welfare = network["caw"]
    body = ok(api.delete(f"/network/{welfare.pk}"))
    assert body["until"] == timezone.localdate().isoformat()
    assert ok(api.delete(f"/network/{welfare.pk}")) == body  # already gone: the history stays as it is
    assert AuditEvent.objects.filter(action="network.member_ended", case_id=case.pk).count() == 1
    assert NetworkMember.objects.filter(pk=welfare.pk).exists()  # ended, never deleted


def test_someone_with_open_actions_is_ended_only_with_a_successor(case, network, case_director, save):
    save([one_domain(network)])
    api = CaseApi(case_director)
    clb, welfare = network["clb"], network["caw"]
    body = problem(api.delete(f"/network/{clb.pk}"), 409)
    assert "1 open action" in body["detail"]
    assert body["errors"] == [{"field": "reassign_to", "message": "Choose who takes over the open actions."}]
    clb.refresh_from_db()
    assert clb.until is None
    for bad in (RANDOM_ID, str(clb.pk)):
        body = problem(api.delete(f"/network/{clb.pk}", {"reassign_to": bad}), 422)
        assert {e["field"] for e in body["errors"]} == {"reassign_to"}
    ended = ok(api.delete(f"/network/{clb.pk}", {"reassign_to": str(welfare.pk)}))
    assert ended["until"] == timezone.localdate().isoformat() and ended["open_actions"] == 0
    assert list(Action.objects.filter(case=case).values_list("responsible_member", flat=True)) == [welfare.pk]
    event = AuditEvent.objects.get(action="network.member_ended", case_id=case.pk)
    assert event.details == {"reassigned_actions": 1}


def test_a_successor_from_another_case_is_a_422(case, network, case_director, make_active_case, coordinator, save):
    save([one_domain(network)])
    stranger = add_network_member(
        actor=coordinator, case=make_active_case(), data=MemberData(kind="informal", name="Iemand", role="Buur")
    )
    clb = network["clb"]
    body = problem(CaseApi(case_director).delete(f"/network/{clb.pk}", {"reassign_to": str(stranger.pk)}), 422)
    assert {e["field"] for e in body["errors"]} == {"reassign_to"}
    assert Action.objects.get(case=case).responsible_member_id == clb.pk


def test_the_network_of_a_closed_case_is_read_only(case, network, case_director, coordinator):
    close(case, coordinator)
    api = CaseApi(coordinator)
    assert len(ok(api.get(f"/cases/{case.pk}/network"))) == 3
    for response in (
        api.post(f"/cases/{case.pk}/network", {"kind": "informal", "name": "Oom", "role": "Oom"}),
        api.patch(f"/network/{network['mother'].pk}", {"phone": "089 00 00 00"}),
        api.delete(f"/network/{network['caw'].pk}"),
    ):
        assert "closed" in problem(response, 409)["detail"]
    assert NetworkMember.objects.filter(case=case, until__isnull=False).count() == 0
    assert NetworkMember.objects.filter(case=case).count() == 3


# --- Who may ------------------------------------------------------------------------------------------------


def test_out_of_scope_and_without_the_content_is_404(case, network, nobodies, ot_member, coordinator):
    assert ok(CaseApi(ot_member).get(f"/cases/{case.pk}"))["content"] is None  # the OT member sees the case
    mother = network["mother"]
    before = AuditEvent.objects.filter(action="access.denied").count()
    for someone in nobodies:
        api = CaseApi(someone)
        problem(api.get(f"/cases/{case.pk}/network"), 404)
        problem(api.post(f"/cases/{case.pk}/network", {"kind": "informal", "name": "X", "role": "Y"}), 404)
        problem(api.patch(f"/network/{mother.pk}", {"phone": "0"}), 404)
        problem(api.delete(f"/network/{mother.pk}"), 404)
    # The one who sees the case is refused on the record; the others learn nothing of it.
    assert AuditEvent.objects.filter(action="access.denied").count() - before == 4
    assert set(AuditEvent.objects.filter(action="access.denied").values_list("actor_id", flat=True).distinct()) == {
        ot_member.pk
    }
    problem(CaseApi(coordinator).get(f"/cases/{RANDOM_ID}/network"), 404)
    problem(CaseApi(coordinator).patch(f"/network/{RANDOM_ID}", {"phone": "0"}), 404)
    mother.refresh_from_db()
    assert mother.phone == "" and mother.until is None
    assert NetworkMember.objects.filter(case=case).count() == 3


def test_a_404_looks_the_same_for_a_missing_and_a_forbidden_member(network, outsider):
    api = CaseApi(outsider)
    forbidden = api.patch(f"/network/{network['mother'].pk}", {"phone": "0"})
    missing = api.patch(f"/network/{RANDOM_ID}", {"phone": "0"})
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.content == missing.content
    assert forbidden["Content-Type"].startswith(PROBLEM)


# --- Offence groups -------------------------------------------------------------------------------------------


def a_group(*cases, **fields) -> dict:
    return {
        "name": "Diefstallen winkelcentrum, voorjaar",
        "facts_on": (timezone.localdate() - timedelta(days=20)).isoformat(),
        "dynamics": "Twee jongens zetten aan, de anderen volgen.",
        "members": [{"case": str(c.pk), "position": "follower", "influence": "low"} for c in cases],
        **fields,
    }


@pytest.fixture
def theirs(make_active_case, other_case_director):
    return make_active_case(director=other_case_director)


def test_a_case_director_records_a_group_for_their_case(case, case_director):
    api = CaseApi(case_director)
    body = ok(api.post("/offence-groups", a_group(case)), 201)
    assert body["chain"] == "fix-genk" and body["dynamics"].startswith("Twee jongens")
    assert body["members"] == [
        {
            "case": {"id": str(case.pk), "reference": case.reference, "youth_name": case.youth.full_name},
            "position": "follower",
            "influence": "low",
        }
    ]
    assert ok(api.get("/offence-groups")) == [body]
    assert ok(api.get("/offence-groups", {"case": str(case.pk)})) == [body]
    assert AuditEvent.objects.filter(action="offence_group.changed", case_id=case.pk).count() == 1
    assert AuditEvent.objects.filter(action="offence_group.listed", details__results=1).count() == 1
    assert AuditEvent.objects.filter(action="case.viewed", details__view="api.offence_groups").count() == 1


def test_other_youths_in_a_group_are_shown_only_to_who_may_open_their_case(
    case, theirs, case_director, coordinator, other_case_director
):
    group = ok(CaseApi(coordinator).post("/offence-groups", a_group(case, theirs)), 201)
    assert {m["case"]["id"] for m in group["members"]} == {str(case.pk), str(theirs.pk)}
    mine = ok(CaseApi(case_director).get("/offence-groups"))
    assert [m["case"] for m in mine[0]["members"] if m["case"] is None] == [None]
    shown = [m["case"]["id"] for m in mine[0]["members"] if m["case"]]
    assert shown == [str(case.pk)]
    assert theirs.youth.full_name not in json.dumps(mine)
    assert len(ok(CaseApi(other_case_director).get("/offence-groups"))) == 1


def test_linking_a_case_to_an_existing_group(case, theirs, coordinator, case_director, outsider):
    group = ok(CaseApi(case_director).post("/offence-groups", a_group(case)), 201)
    body = ok(
        CaseApi(coordinator).post(
            f"/offence-groups/{group['id']}/members", {"case": str(theirs.pk), "position": "leader"}
        )
    )
    assert {(m["case"]["id"], m["position"]) for m in body["members"]} == {
        (str(case.pk), "follower"),
        (str(theirs.pk), "leader"),
    }
    # A case director cannot link someone else's case: it is not one they can open.
    body = problem(CaseApi(case_director).post(f"/offence-groups/{group['id']}/members", {"case": str(theirs.pk)}), 422)
    assert {e["field"] for e in body["errors"]} == {"case"}
    problem(CaseApi(outsider).post(f"/offence-groups/{group['id']}/members", {"case": str(case.pk)}), 404)
    problem(CaseApi(coordinator).post(f"/offence-groups/{RANDOM_ID}/members", {"case": str(case.pk)}), 404)
    assert OffenceGroupMember.objects.filter(group_id=group["id"]).count() == 2


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"facts_on": "2999-01-01"}, "facts_on"),
        ({"facts_on": (timezone.localdate() + timedelta(days=2)).isoformat()}, "facts_on"),
        ({"members": []}, "members"),
        ({"members": [{"case": RANDOM_ID}]}, "members.0.case"),
        ({"members": [{"case": "x", "position": "boss"}]}, "members.0.case"),
        ({"chain": "kompas-antwerpen"}, "chain"),
        ({"dynamics": "x" * 10_001}, "dynamics"),
    ],
)
def test_a_bad_group_is_a_422_and_records_nothing(case, case_director, change, field):
    body = problem(CaseApi(case_director).post("/offence-groups", a_group(case, **change)), 422)
    assert field in {e["field"] for e in body["errors"]}, body
    assert not OffenceGroup.objects.exists()


def test_a_group_is_recorded_with_all_its_cases_or_not_at_all(case, theirs, case_director):
    body = problem(CaseApi(case_director).post("/offence-groups", a_group(case, theirs)), 422)
    assert {e["field"] for e in body["errors"]} == {"members.1.case"}
    assert not OffenceGroup.objects.exists() and not OffenceGroupMember.objects.exists()


def test_offence_groups_are_nothing_for_who_may_not_read_the_cases(
    case, coordinator, ot_member, partner, admin_user, outsider
):
    ok(CaseApi(coordinator).post("/offence-groups", a_group(case)), 201)
    for someone in (ot_member, partner, admin_user, outsider):
        api = CaseApi(someone)
        assert ok(api.get("/offence-groups")) == []
        problem(api.get("/offence-groups", {"case": str(case.pk)}), 404)
        body = problem(api.post("/offence-groups", a_group(case)), 422)
        # The outsider coordinates another chain, where this case is unknown; the others coordinate nothing.
        assert {e["field"] for e in body["errors"]} == {"members.0.case" if someone == outsider else "chain"}
    assert OffenceGroup.objects.count() == 1


def test_the_offence_group_list_has_a_constant_number_of_queries(make_active_case, coordinator):
    api = CaseApi(coordinator)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            ok(api.get("/offence-groups"))
        return len(queries)

    cases = [make_active_case() for _ in range(3)]
    ok(api.post("/offence-groups", a_group(cases[0])), 201)
    one = count()
    ok(api.post("/offence-groups", a_group(cases[1], cases[2], name="Vechtpartij station")), 201)
    ok(api.post("/offence-groups", a_group(*cases, name="Vandalisme park")), 201)
    assert len(ok(api.get("/offence-groups"))) == 3
    assert count() == one


# --- The schema -----------------------------------------------------------------------------------------------


def test_the_openapi_document_declares_the_network_endpoints_and_their_errors(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path, method in (
        ("/api/v1/cases/{case_id}/network", "get"),
        ("/api/v1/cases/{case_id}/network", "post"),
        ("/api/v1/network/{member_id}", "patch"),
        ("/api/v1/network/{member_id}", "delete"),
        ("/api/v1/offence-groups", "get"),
        ("/api/v1/offence-groups", "post"),
        ("/api/v1/offence-groups/{group_id}/members", "post"),
    ):
        operation = paths[path][method]
        assert operation["summary"] and operation["security"], (path, method)
        for code in ("404", "409", "422"):
            assert PROBLEM in operation["responses"][code]["content"], (path, method, code)


# --- A partner's share ----------------------------------------------------------------------------------------


def test_a_partner_reads_the_network_as_their_page_shows_it(
    case, network, partner, partner_member, sharing, coordinator, client_for
):
    """The current members, the consented life domains, no informal contact details, no notes, nobody earlier."""
    from django.urls import reverse

    from ketenregie.network.domain import end_network_member

    mother, welfare = network["mother"], network["caw"]
    NetworkMember.objects.filter(pk=mother.pk).update(
        phone="0470 11 22 33", email="moeder@example.org", notes="NOTE-CANARY", life_domains=[SHARED, NOT_SHARED]
    )
    end_network_member(actor=coordinator, member=welfare, on=timezone.localdate())

    body = ok(CaseApi(partner).get(f"/cases/{case.pk}/network"))

    by_name = {m["name"]: m for m in body}
    assert set(by_name) == {"Nathalie Willems", "Fatima Vermeulen"}  # not the welfare worker who left
    assert (by_name["Fatima Vermeulen"]["phone"], by_name["Fatima Vermeulen"]["email"]) == ("", "")
    assert by_name["Fatima Vermeulen"]["life_domains"] == [SHARED]
    assert all(m["notes"] == "" for m in body)
    assert "NOTE-CANARY" not in json.dumps(body) and "0470" not in json.dumps(body)
    entry = AuditEvent.objects.filter(action="case.viewed", actor_id=partner.pk).latest("id")
    assert entry.details == {"view": "api.network"}
    page = client_for(partner).get(reverse("network:page", args=[case.pk]))
    assert page.status_code == 200
    shown = {m.name for m in page.context["formal"] + page.context["informal"] + page.context["earlier"]}
    assert shown == set(by_name)

    everything = ok(CaseApi(coordinator).get(f"/cases/{case.pk}/network"))
    assert {m["name"] for m in everything} == set(by_name) | {"Elif Yilmaz"}
    full_mother = next(m for m in everything if m["name"] == "Fatima Vermeulen")
    assert full_mother["phone"] == "0470 11 22 33" and full_mother["life_domains"] == [SHARED, NOT_SHARED]
