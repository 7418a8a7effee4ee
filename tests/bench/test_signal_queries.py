"""The signals of a chain cost the same number of queries for 20 cases as for 400 with many contacts.

Two synthetic chains (ketenregie/bench) side by side in one database: a small one and one twenty
times larger, each with about 30 contacts per case, plans, meetings and consents.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketenregie.accounts.models import User
from ketenregie.bench import bulk, synthetic
from ketenregie.chains.models import Chain
from ketenregie.followup import queries
from ketenregie.followup.models import FollowUpContact

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)


@pytest.fixture
def two_chains():
    sink = bulk.Sink(synthetic.MODELS)
    for first_chain, cases in ((0, 20), (1, 400)):
        spec = synthetic.Spec(
            chains=1, cases=cases, contacts_per_case=30, seed=3 + first_chain, today=TODAY, first_chain=first_chain
        )
        synthetic.generate(spec, sink)
    sink.flush()
    return [Chain.objects.get(slug=synthetic.chain_names(i)[3]) for i in (0, 1)]


def _queries_and_signals(chain) -> tuple[int, int]:
    coordinator = User.objects.get(username=f"{chain.slug}.coordinator")
    with CaptureQueriesContext(connection) as captured:
        signals = queries.signals_of(coordinator, today=TODAY)
    return len(captured), len(signals)


def test_signals_take_a_fixed_number_of_queries_whatever_the_size(two_chains):
    small, large = two_chains
    assert (
        FollowUpContact.objects.filter(case__chain=large).count()
        > 10 * FollowUpContact.objects.filter(case__chain=small).count()
    )
    small_queries, small_signals = _queries_and_signals(small)
    large_queries, large_signals = _queries_and_signals(large)
    assert large_signals > small_signals
    assert small_queries == large_queries <= 9
