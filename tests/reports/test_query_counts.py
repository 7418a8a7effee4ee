"""The report runs the same number of queries whatever the amount of data: aggregates only.

Measured at one size, asserted with ``django_assert_num_queries`` at a larger one: the report page
(exact and protected), a table export, the whole workbook, the pseudonymised trajectories, the
steering group PDF, the API and the Flemish overview — each with the figures counted afresh (the
cache emptied; test_cache.py counts the queries on a warm cache). The numbers measured are printed
with ``-s``.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketenregie.cases.enums import CaseStatus
from ketenregie.reports import figures
from tests.api.test_api_path import Api
from tests.reports.conftest import params

pytestmark = pytest.mark.django_db
S = CaseStatus


def grow(youth_case, enrich, n: int) -> None:
    for _i in range(n):
        enrich(youth_case(S.ACTIVE))
        youth_case(S.CLOSED)
        youth_case(S.REGISTERED, gender="f")
        youth_case(S.NOT_INCLUDED)


def consume(response) -> None:
    if response.streaming:
        b"".join(response.streaming_content)
    else:
        assert response.content is not None


def measure(get) -> int:
    consume(get())  # the first request warms up (session, content types)
    cache.clear()  # and the figures are counted afresh, as after a write in the chain
    with CaptureQueriesContext(connection) as captured:
        consume(get())
    return len(captured)


def test_the_figures_take_the_same_queries_for_one_chain_or_two_and_any_data(
    youth_case, enrich, chain, other_chain, period
):
    grow(youth_case, enrich, 1)
    with CaptureQueriesContext(connection) as one_chain:
        figures.compute_fresh([chain], period)
    with CaptureQueriesContext(connection) as two_chains:
        figures.compute_fresh([chain, other_chain], period)
    assert len(one_chain) == len(two_chains)
    grow(youth_case, enrich, 2)
    with CaptureQueriesContext(connection) as more:
        figures.compute_fresh([chain], period)
    assert len(more) == len(one_chain)
    print(f"\nreports.figures.compute_fresh: {len(one_chain)} queries for every table of the report")


def test_pages_and_downloads_run_a_constant_number_of_queries(
    youth_case, enrich, client_for, strategic, regional_analyst, period, django_assert_num_queries
):
    client = client_for(strategic)
    analyst = client_for(regional_analyst)
    api = Api(strategic)
    q = params(period)
    requests = {
        "report page": lambda: client.get(reverse("reports:report"), q),
        "report page, protected": lambda: client.get(reverse("reports:report"), {**q, "beschermd": "1"}),
        "table CSV": lambda: client.get(reverse("reports:table_csv", args=["plans"]), q),
        "all tables XLSX": lambda: client.get(reverse("reports:report_xlsx"), q),
        "trajectories CSV": lambda: client.get(reverse("reports:records_csv"), q),
        "trajectories XLSX": lambda: client.get(reverse("reports:records_xlsx"), q),
        "steering group PDF": lambda: client.get(reverse("reports:steering_pdf"), q),
        "API figure": lambda: api.get("/reports/progress", {"from": period.start, "to": period.end}),
        "API records": lambda: api.get("/exports/records.csv", {"from": period.start, "to": period.end}),
        "Flemish overview": lambda: analyst.get(reverse("reports:compare"), q),
    }
    grow(youth_case, enrich, 1)
    small = {name: measure(get) for name, get in requests.items()}
    grow(youth_case, enrich, 3)
    for name, get in requests.items():
        consume(get())
        cache.clear()
        with django_assert_num_queries(small[name]):
            consume(get())
    print("\n" + "\n".join(f"{name}: {n} queries" for name, n in small.items()))
