"""The signals of a chain with 2,000 active cases and 200,000 contacts cost as many queries as those of a small chain.

Two synthetic chains (ketenregie/bench) side by side in one database: a small one of 20 cases in
the usual mix of statuses (mostly closed), and a large one of 2,550 cases of which 80 % are active
trajectories, with their plans, meetings, consents and some 85 follow-up contacts per case. (The
usual mix would need 25,000 registrations for 2,000 active cases: ten times the rows to write, for
signals that leave closed cases aside.)
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketenregie.accounts.models import User
from ketenregie.bench import bulk, synthetic
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case
from ketenregie.chains.models import Chain
from ketenregie.followup import queries
from ketenregie.followup.models import FollowUpContact

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)
# The size the issue names: at least this many active cases and follow-up contacts in the large chain.
ACTIVE_CASES = 2_000
CONTACTS = 200_000
MOSTLY_ACTIVE = [
    (CaseStatus.ACTIVE, 0.8),
    (CaseStatus.CLOSED, 0.1),
    (CaseStatus.NOT_INCLUDED, 0.04),
    (CaseStatus.WITHDRAWN, 0.02),
    (CaseStatus.INCLUDED, 0.02),
    (CaseStatus.INTAKE, 0.01),
    (CaseStatus.REGISTERED, 0.005),
    (CaseStatus.AWAITING_OT, 0.005),
]
SPECS = (
    synthetic.Spec(chains=1, cases=20, contacts_per_case=30, seed=3, today=TODAY, first_chain=0),
    synthetic.Spec(
        chains=1, cases=2_550, contacts_per_case=85, seed=4, today=TODAY, first_chain=1, status_mix=MOSTLY_ACTIVE
    ),
)


@pytest.fixture
def two_chains():
    sink = bulk.Sink(synthetic.MODELS, batch_size=100_000)
    # On PostgreSQL: load without indexes and constraints, built once at the end (a no-op on SQLite).
    with bulk.bulk_load(synthetic.table_names()):
        for spec in SPECS:
            synthetic.generate(spec, sink)
        sink.flush()
    return [Chain.objects.get(slug=synthetic.chain_names(spec.first_chain)[3]) for spec in SPECS]


def _size(chain) -> tuple[int, int]:
    """(active cases, follow-up contacts) of ``chain``."""
    active = Case.objects.filter(chain=chain, status=CaseStatus.ACTIVE).count()
    return active, FollowUpContact.objects.filter(case__chain=chain).count()


def _queries_and_signals(chain) -> tuple[int, int]:
    coordinator = User.objects.get(username=f"{chain.slug}.coordinator")
    # Measure the computation, not a cached answer: a coordinator's signals may come from the cache.
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        signals = queries.signals_of(coordinator, today=TODAY)
    return len(captured), len(signals)


def test_signals_take_a_fixed_number_of_queries_whatever_the_size(two_chains):
    small, large = two_chains
    (small_active, small_contacts), (large_active, large_contacts) = _size(small), _size(large)
    assert large_active >= ACTIVE_CASES and large_contacts >= CONTACTS
    assert large_active > 100 * small_active and large_contacts > 100 * small_contacts
    small_queries, small_signals = _queries_and_signals(small)
    large_queries, large_signals = _queries_and_signals(large)
    assert large_signals > small_signals
    assert small_queries == large_queries <= 9
