"""The case page's own queries (beyond what every page and one audit append cost) stay the same
whether the case has one or five of everything its page shows: contacts, major events, consents,
intervision advice, OT agenda items, history entries.

The case's keys for the policy, the case (with its active restriction) when the page's main part is
rendered (``common.fragments``; off in tests), its OT agenda items (listed and told in the history), its
offences, its guardians, and for the history one query over transitions, consents, contacts,
major events and advice (``cases.timeline._history_rows``) and one for the audit entries, whose
actors are found among the people the other records brought along. The case director pays one
more: the policy's list of their emergency accesses (``visible_cases``).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketenregie.cases import domain as cases_domain
from tests.page_queries import content_queries, grow_case
from tests.plans.fixtures import *  # noqa: F403 - the active case and its network, made by the domain

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.page_queries")]

CASE_PAGE = 7
# The case with its restriction, the history's own records and its audit entries, the OT items told in it.
HISTORY_PAGE = 4


def test_the_case_page_content_costs_the_same_queries_with_1_and_5_of_everything(
    case, network, coordinator, case_director, client_for
):
    url = reverse("cases:case_detail", args=[case.pk])
    history_url = reverse("cases:case_history", args=[case.pk])
    counts = {}
    for n in (1, 4):  # 1, then 5 in all
        grow_case(case, coordinator=coordinator, director=case_director, network_member=network["clb"], n=n)
        cases_domain.flag_for_ot(actor=coordinator, case=case, reason=f"Evaluatie {n}.")
        for who, user in (("coordinator", coordinator), ("director", case_director)):
            response = client_for(user).get(url)
            assert response.status_code == 200
            counts[who, n] = content_queries(client_for(user), url, user=user, case=case)
            counts[who, "history", n] = content_queries(client_for(user), history_url, user=user, case=case)
        timeline = client_for(coordinator).get(history_url).context["timeline"]
        kinds = [e.kind for e in timeline]
        assert kinds.count("contact") == 2 * (1 if n == 1 else 5) and kinds.count("intervision") == (1 if n == 1 else 5)
        # The case page tells the newest of them.
        assert response.context["history"].events == timeline[-len(response.context["history"].events) :]
    assert counts == {
        ("coordinator", 1): CASE_PAGE,
        ("coordinator", 4): CASE_PAGE,
        ("director", 1): CASE_PAGE,
        ("director", 4): CASE_PAGE,
        ("coordinator", "history", 1): HISTORY_PAGE,
        ("coordinator", "history", 4): HISTORY_PAGE,
        ("director", "history", 1): HISTORY_PAGE,
        ("director", "history", 4): HISTORY_PAGE,
    }
