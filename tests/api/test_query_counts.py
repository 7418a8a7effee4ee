"""The API's answer for one case: its own queries (beyond what every request and one audit append
cost) are the same for a case with one offence and one guardian as for one with five of each.

The case comes with its active restriction (for the refused steps) in one query; then its
offences, guardians and transitions. The case director pays one more: the policy's list of their
emergency accesses (``visible_cases``).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ketenregie.cases.domain import GuardianData, OffenceData
from ketenregie.cases.enums import CaseStatus, GuardianRelation
from tests.cases.conftest import *  # noqa: F403 - the case builder: any status, through the domain
from tests.page_queries import content_queries

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.page_queries")]

API_CASE = 4


def _records(n: int) -> dict:
    day = timezone.localdate() - timedelta(days=60)
    return {
        "offences": [OffenceData(offence_type="diefstal", committed_on=day - timedelta(days=i)) for i in range(n)],
        "guardians": [GuardianData(name=f"Ouder {i}", relation=GuardianRelation.MOTHER) for i in range(n)],
    }


def test_the_case_in_the_api_costs_the_same_queries_with_1_and_5_offences_and_guardians(
    make_case, coordinator, case_director, client_for
):
    counts = {}
    for n in (1, 5):
        case = make_case(CaseStatus.ACTIVE, **_records(n))
        url = f"/api/v1/cases/{case.pk}"
        for who, user in (("coordinator", coordinator), ("director", case_director)):
            body = client_for(user).get(url).json()
            assert len(body["offences"]) == len(body["guardians"]) == n and body["transitions"]
            counts[who, n] = content_queries(client_for(user), url, user=user, case=case)
    assert counts == {
        ("coordinator", 1): API_CASE,
        ("coordinator", 5): API_CASE,
        ("director", 1): API_CASE,
        ("director", 5): API_CASE,
    }
