"""The network page's own queries (beyond what every page and one audit append cost) stay the same
with one or five network members, contacts and offence groups.

The case comes with its active restriction in one query; then its members (with their open
actions counted in the same query) and its offence groups: the case's own links, every case in
those groups, and which of those the viewer may see. The case director pays one more: the
policy's list of their emergency accesses (``visible_cases``).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from ketenregie.network.domain import link_case_to_group
from ketenregie.network.models import NetworkMember
from tests.page_queries import content_queries, grow_case
from tests.plans.fixtures import *  # noqa: F403 - the active case and its network, made by the domain

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.page_queries")]

NETWORK_PAGE = 5


def test_the_network_page_content_costs_the_same_queries_with_1_and_5_members_and_groups(
    case, network, coordinator, case_director, other_case_director, make_active_case, client_for
):
    # Each offence group holds another case too: one the director may see, one they may not.
    theirs, mine = make_active_case(director=other_case_director), make_active_case()
    url = reverse("network:page", args=[case.pk])
    counts = {}
    for n in (1, 4):  # 1, then 5 in all
        group = grow_case(case, coordinator=coordinator, director=case_director, network_member=network["clb"], n=n)
        for other in (theirs, mine):
            link_case_to_group(actor=coordinator, group=group, case=other)
        members = NetworkMember.objects.filter(case=case).count()
        for who, user in (("coordinator", coordinator), ("director", case_director)):
            response = client_for(user).get(url)
            shown = response.context["formal"] + response.context["informal"]
            assert len(shown) == members and len(response.context["groups"]) == (1 if n == 1 else 2)
            visible = {row.visible for g in response.context["groups"] for row in g.rows if not row.is_this_case}
            assert visible == ({True} if who == "coordinator" else {True, False})
            counts[who, n] = content_queries(client_for(user), url, user=user, case=case)
    assert counts == {
        ("coordinator", 1): NETWORK_PAGE,
        ("coordinator", 4): NETWORK_PAGE,
        ("director", 1): NETWORK_PAGE,
        ("director", 4): NETWORK_PAGE,
    }
