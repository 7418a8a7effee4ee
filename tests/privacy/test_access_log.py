"""Who viewed this case (SECURITY.md AU6): every access to a case, for the chain's coordinators."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketenregie.audit.domain import log
from ketenregie.audit.models import AuditEvent
from ketenregie.consent.domain import break_the_glass
from ketenregie.privacy.views import PER_PAGE


def _url(case) -> str:
    return reverse("privacy:access_log", args=[case.pk])


def test_the_coordinator_sees_who_did_what_in_which_role_and_organisation(
    case, client_for, coordinator, ot_member, other_case_director
):
    client_for(ot_member).get(reverse("cases:case_detail", args=[case.pk]))
    break_the_glass(actor=other_case_director, case=case, reason="Dringend: de jongere is opgepakt vannacht.")

    page = client_for(coordinator).get(_url(case))

    assert page.status_code == 200
    rows = page.context["rows"]
    viewed = next(r for r in rows if r["event"].action == "case.viewed" and r["username"] == "ot-politie")
    assert (viewed["who"], viewed["roles"], viewed["event"].actor_organisation, viewed["what"]) == (
        "Bart Maes",
        "OT member",
        "Politiezone CARMA",
        "viewed a case",
    )
    glass = next(r for r in rows if r["event"].action == "consent.break_glass")
    assert glass["break_glass"] and glass["who"] == "Yusuf Demir"
    html = page.content.decode()
    assert "Dringend: de jongere is opgepakt vannacht." in html
    assert "access-log__break-glass" in html
    assert [r["event"].id for r in rows] == sorted((r["event"].id for r in rows), reverse=True)  # newest first


def test_looking_at_the_log_is_logged_once_per_visit(case, client_for, coordinator):
    client = client_for(coordinator)
    client.get(_url(case))
    client.get(_url(case))

    visits = AuditEvent.objects.filter(action="privacy.access_log_viewed", case_id=case.pk)
    assert visits.count() == 2
    assert set(visits.values_list("actor_username", "result")) == {("coordinator", "ok")}
    # The visit itself shows on the next look.
    assert client.get(_url(case)).context["rows"][1]["event"].action == "privacy.access_log_viewed"


def test_the_log_is_paged(case, client_for, coordinator):
    for _ in range(PER_PAGE + 5):
        log("case.viewed", actor=coordinator, obj=case, chain_id=case.chain_id, case_id=case.pk)
    client = client_for(coordinator)

    first = client.get(_url(case))
    second = client.get(_url(case), {"page": 2})

    assert len(first.context["rows"]) == PER_PAGE
    assert first.context["page"].paginator.num_pages >= 2
    assert second.status_code == 200 and second.context["rows"]


def test_the_number_of_queries_does_not_grow_with_the_log(case, client_for, coordinator, ot_member, case_director):
    client = client_for(coordinator)
    client.get(_url(case))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(_url(case)).status_code == 200
        return len(captured)

    small = queries()
    for user in (ot_member, case_director, coordinator) * 10:
        log("case.viewed", actor=user, obj=case, chain_id=case.chain_id, case_id=case.pk)
    assert queries() == small


def test_another_case_s_events_are_not_shown(case, make_active_case, client_for, coordinator):
    other = make_active_case()
    rows = client_for(coordinator).get(_url(case)).context["rows"]
    assert {r["event"].case_id for r in rows} == {case.pk}
    assert other.pk not in {r["event"].case_id for r in rows}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("case_director", 403),
        ("ot_member", 403),
        ("partner", 404),
        ("strategic", 404),
        ("outsider", 404),
        ("admin_user", 404),
    ],
)
def test_only_coordinators_of_the_chain_see_the_log(case, client_for, request, who, status):
    response = client_for(request.getfixturevalue(who)).get(_url(case))

    assert response.status_code == status
    assert not AuditEvent.objects.filter(action="privacy.access_log_viewed").exists()


def test_the_case_page_links_the_log_for_coordinators_only(case, client_for, coordinator, case_director):
    link = _url(case)
    assert link in client_for(coordinator).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert link not in client_for(case_director).get(reverse("cases:case_detail", args=[case.pk])).content.decode()


def test_the_log_holds_no_case_content(full_case, client_for, coordinator):
    from tests.privacy.conftest import CANARY

    html = client_for(coordinator).get(_url(full_case)).content.decode()
    assert CANARY not in html
    assert full_case.multi_problem not in html
