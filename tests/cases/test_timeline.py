"""The case's history: the case page tells the newest events (a bounded read however old the case),
the history page all of them, in the same words and order."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketenregie.cases import domain as cases_domain
from ketenregie.cases.timeline import build_timeline, latest_history
from ketenregie.cases.views.case_page import LATEST_EVENTS
from tests.page_queries import grow_case
from tests.plans.fixtures import *  # noqa: F403 - the active case and its network, made by the domain

pytestmark = pytest.mark.django_db


@pytest.fixture
def long_case(case, network, coordinator, case_director):
    grow_case(case, coordinator=coordinator, director=case_director, network_member=network["clb"], n=4)
    cases_domain.flag_for_ot(actor=coordinator, case=case, reason="Evaluatie.")
    return case


def test_the_latest_events_are_the_end_of_the_whole_history(long_case):
    whole = build_timeline(long_case)
    assert len(whole) > 20

    for n in (1, 5, len(whole) - 1, len(whole), len(whole) + 5):
        history = latest_history(long_case, n)
        assert history.events == whole[-n:], n
        assert history.complete == (n >= len(whole)), n


def test_a_case_page_with_a_long_history_links_to_the_whole_of_it(long_case, coordinator, client_for):
    client = client_for(coordinator)
    whole = build_timeline(long_case)

    page = client.get(reverse("cases:case_detail", args=[long_case.pk]))
    assert page.context["history"].events == whole[-LATEST_EVENTS:]
    history_url = reverse("cases:case_history", args=[long_case.pk])
    assert f'href="{history_url}"' in page.content.decode()

    response = client.get(history_url)
    assert response.status_code == 200
    assert response.context["timeline"] == whole
    html = response.content.decode()
    assert html.count('class="timeline__event ') == len(whole)
    assert f"{len(whole)} events, oldest first" in html


def test_a_short_history_is_told_whole_without_a_link(case, coordinator, client_for):
    page = client_for(coordinator).get(reverse("cases:case_detail", args=[case.pk]))

    assert page.context["history"].complete
    assert page.context["history"].events == build_timeline(case)
    assert reverse("cases:case_history", args=[case.pk]) not in page.content.decode()


def test_reading_the_history_is_recorded(long_case, case_director, client_for):
    from ketenregie.audit.models import AuditEvent

    client_for(case_director).get(reverse("cases:case_history", args=[long_case.pk]))

    entry = AuditEvent.objects.filter(action="case.viewed", case_id=long_case.pk).latest("id")
    assert (entry.actor_id, entry.details) == (case_director.pk, {"view": "case_history"})


def test_the_ot_member_and_an_outsider_do_not_see_the_history(long_case, ot_member, outsider, client_for):
    url = reverse("cases:case_history", args=[long_case.pk])
    assert client_for(ot_member).get(url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404
