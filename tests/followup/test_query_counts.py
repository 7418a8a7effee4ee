"""The contacts page's own queries (beyond what every page and one audit append cost) stay the same
with one or five pages' worth of contacts, network members and more.

The case comes with its active restriction and its own rhythm (and who set it) in one query;
then the contacts' count and the rhythm's last contacts in one aggregate, the page of contacts,
and the current network (the choices of the form and whether there is a network at all). The case
director pays one more: the policy's list of their emergency accesses (``visible_cases``).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketenregie.followup import domain as followup_domain
from tests.page_queries import content_queries, grow_case
from tests.plans.fixtures import *  # noqa: F403 - the active case and its network, made by the domain

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.page_queries")]

CONTACTS_PAGE = 4


def test_the_contacts_page_content_costs_the_same_queries_with_1_and_25_contacts(
    case, network, coordinator, case_director, client_for
):
    followup_domain.set_cadence(actor=case_director, case=case, days=10, reason="Examens.")
    url = reverse("followup:contacts", args=[case.pk])
    counts = {}
    for n, more in ((1, 1), (25, 12)):  # 2 contacts, then 26 in all: a second page
        grow_case(case, coordinator=coordinator, director=case_director, network_member=network["clb"], n=more)
        for who, user in (("coordinator", coordinator), ("director", case_director)):
            response = client_for(user).get(url)
            assert response.context["page"].paginator.count == 2 * (1 if n == 1 else 13)
            assert response.context["rhythm"]["own"].days == 10 and response.context["rhythm"]["last"] is not None
            assert response.context["form"].has_network
            counts[who, n] = content_queries(client_for(user), url, user=user, case=case)
    assert counts == {
        ("coordinator", 1): CONTACTS_PAGE,
        ("coordinator", 25): CONTACTS_PAGE,
        ("director", 1): CONTACTS_PAGE,
        ("director", 25): CONTACTS_PAGE,
    }
