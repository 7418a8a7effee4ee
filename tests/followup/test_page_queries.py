"""Vandaag, the signals page, the API's signals and the intervision page cost as many queries for a
chain of 20 registrations as for one of 800 with its trajectories, contacts, plans and meetings.

Two synthetic chains (ketenregie/bench) side by side; each page is asked by the chain's coordinator
and by its first case director, once right after a write in the chain (nothing cached) and once
again (the chain's signals cached).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from ketenregie.accounts.models import User
from ketenregie.bench import bulk, synthetic
from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case
from ketenregie.chains.models import Chain
from ketenregie.common import chain_version
from ketenregie.followup import queries

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)
SPECS = (
    synthetic.Spec(chains=1, cases=20, contacts_per_case=10, seed=5, today=TODAY, first_chain=0),
    synthetic.Spec(chains=1, cases=800, contacts_per_case=10, seed=6, today=TODAY, first_chain=1),
)
PAGES = {
    "Vandaag": lambda: reverse("home"),
    "Signals": lambda: reverse("followup:signals"),
    "API signals": lambda: reverse("api:list_signals"),
    "Intervision": lambda: reverse("followup:intervision"),
}


@pytest.fixture
def two_chains():
    sink = bulk.Sink(synthetic.MODELS)
    with bulk.bulk_load(synthetic.table_names()):
        for spec in SPECS:
            synthetic.generate(spec, sink)
        sink.flush()
    return [Chain.objects.get(slug=synthetic.chain_names(spec.first_chain)[3]) for spec in SPECS]


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="nl")
    client.force_login(user)
    return client


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _measure(chain, capture) -> dict[tuple[str, str, str], int]:
    users = {
        "coordinator": User.objects.get(username=f"{chain.slug}.coordinator"),
        "director": User.objects.get(username=f"{chain.slug}.regisseur1"),
    }
    counts = {}
    for who, user in users.items():
        client = _client(user)
        for name, url in PAGES.items():
            client.get(url())  # the session, templates, the user's memberships
            with capture(execute=True):
                chain_version.bump(chain.pk)  # as after a write in the chain
            counts[(name, who, "cold")] = _count(client, url())
            counts[(name, who, "warm")] = _count(client, url())
        # Intervision reads the chain's cached signals when a coordinator's page has just computed them.
        client.get(reverse("followup:signals"))
        counts[("Intervision", who, "after signals")] = _count(client, reverse("followup:intervision"))
    return counts


def test_the_pages_take_as_many_queries_for_a_large_chain_as_for_a_small_one(
    two_chains, django_capture_on_commit_callbacks
):
    small, large = two_chains
    active = Case.objects.filter(chain=large, status=CaseStatus.ACTIVE).count()
    assert active > 2 * queries.INTERVISION_PER_PAGE, "the large chain's intervision has several pages"
    assert Case.objects.filter(chain=small, status=CaseStatus.ACTIVE).count() < queries.INTERVISION_PER_PAGE
    with freeze_time(f"{TODAY.isoformat()} 10:00:00"):
        assert len(queries.signals_of(User.objects.get(username=f"{large.slug}.coordinator"))) > 5 * len(
            queries.signals_of(User.objects.get(username=f"{small.slug}.coordinator"))
        )
        few = _measure(small, django_capture_on_commit_callbacks)
        many = _measure(large, django_capture_on_commit_callbacks)
    print("\n".join(f"{name:<12} {who:<12} {state}: {n}" for (name, who, state), n in many.items()))
    assert many == few
    # The cache saves the coordinator the computation of the chain's signals.
    for name in ("Vandaag", "Signals", "API signals"):
        assert many[(name, "coordinator", "warm")] < many[(name, "coordinator", "cold")]
    assert many[("Intervision", "coordinator", "after signals")] < many[("Intervision", "coordinator", "cold")]
    # Every page within the twelve, the request's own queries (session, user, audit) included.
    assert max(many.values()) <= 12, many
