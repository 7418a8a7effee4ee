"""The plan page's own queries (beyond what every page and one audit append cost) stay the same
with one or five goals, actions and plan versions.

The policy decides on the case's keys; when the page's main part is rendered (``common.fragments``;
off in tests) the case comes with its plan (and who saved it last), its active restriction and its next network
meeting in one query; then the life domains, their goals and their actions (one query each) and
the progress scores. The case director pays one more: the policy's list of their emergency
accesses (``visible_cases``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ketenregie.meetings import domain as meetings_domain
from tests.page_queries import content_queries
from tests.plans.fixtures import *  # noqa: F403 - the active case and its network, made by the domain
from tests.plans.fixtures import one_domain

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.page_queries")]

PLAN_PAGE = 6


def test_the_plan_page_content_costs_the_same_queries_with_1_and_5_goals_actions_and_versions(
    case, network, save, coordinator, case_director, client_for
):
    meeting = meetings_domain.plan_meeting(
        actor=case_director,
        case=case,
        starts_at=timezone.now() + timedelta(days=3),
        location_kind="neutral",
        location="Stadhuis",
        invitees=[network["mother"]],
    )
    url = reverse("plans:plan", args=[case.pk])
    counts = {}
    for n in (1, 5):
        for _ in range(n if n == 1 else n - 1):  # 1 version, then 5 in all
            save([one_domain(network, goals=n, actions_per_goal=n)])
        for who, user in (("coordinator", coordinator), ("director", case_director)):
            response = client_for(user).get(url)
            assert response.context["plan"].version == n
            assert response.context["next_meeting"].pk == meeting.pk
            assert reverse("meetings:detail", args=[case.pk, meeting.pk]) in response.content.decode()
            assert sum(len(goal.actions.all()) for d in response.context["domains"] for goal in d.goals.all()) == n * n
            counts[who, n] = content_queries(client_for(user), url, user=user, case=case)
    assert counts == {
        ("coordinator", 1): PLAN_PAGE,
        ("coordinator", 5): PLAN_PAGE,
        ("director", 1): PLAN_PAGE,
        ("director", 5): PLAN_PAGE,
    }
