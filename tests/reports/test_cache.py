"""The report's figures are cached per chain and period, and a committed write in the chain ends that.

``figures.compute`` serves every consumer (page, downloads, PDF, API, Flemish overview) from the
cache until the audit log bumps the chain's version token, which it does after every committed
write (``ketenregie.common.chain_version``). In these tests nothing commits by itself: the test's
transaction is rolled back at the end, so ``django_capture_on_commit_callbacks(execute=True)``
stands in for the commit of the write.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from ketenregie.cases import domain as cases_domain
from ketenregie.cases.enums import CaseStatus, ReferrerKind
from ketenregie.followup import domain as followup_domain
from ketenregie.followup.enums import ContactChannel, ContactWith
from ketenregie.reports import figures
from tests.api.test_api_path import Api
from tests.reports.conftest import params
from tests.reports.test_query_counts import consume, grow

pytestmark = pytest.mark.django_db
S = CaseStatus

# The tables of case data every figure reads from; a request served from the cache reads none.
CASE_TABLES = ('"cases_case"', '"followup_followupcontact"', '"meetings_domainprogress"', '"plans_plandomain"')


def registrations(chain, period) -> int:
    headline = {h.key: h.value for h in figures.compute_one(chain, period).headline}
    return headline["registrations"]


def contacts(chain, period) -> int:
    table = figures.compute_one(chain, period, names=["follow_up"]).tables["follow_up"]
    return sum(r["contacts"] for r in table.rows)


def reads_case_data(captured) -> bool:
    return any(table in q["sql"] for q in captured.captured_queries for table in CASE_TABLES)


def test_a_registration_in_the_chain_changes_the_figure_once_it_commits(
    youth_case, builder, chain, period, django_capture_on_commit_callbacks
):
    youth_case(S.REGISTERED)
    assert registrations(chain, period) == 1
    with CaptureQueriesContext(connection) as again:
        assert registrations(chain, period) == 1
    assert not reads_case_data(again), "the second request is served from the cache"

    youth_case(S.REGISTERED)  # written, not committed: the token stays, and so does the figure
    assert registrations(chain, period) == 1
    with django_capture_on_commit_callbacks(execute=True):
        builder.register()
    assert registrations(chain, period) == 3


def test_a_new_follow_up_contact_changes_the_follow_up_figure(
    youth_case, enrich, coordinator, chain, period, django_capture_on_commit_callbacks
):
    case = enrich(youth_case(S.ACTIVE))
    assert contacts(chain, period) == 2
    with django_capture_on_commit_callbacks(execute=True):
        followup_domain.record_contact(
            actor=coordinator,
            case=case,
            data=followup_domain.ContactData(
                contact_at=timezone.now() - timedelta(hours=1),
                with_whom=ContactWith.YOUTH,
                channel=ContactChannel.PHONE,
                reached=True,
                note="Kort gesprek.",
            ),
        )
    assert contacts(chain, period) == 3


def test_a_write_in_another_chain_keeps_this_chains_figures(
    youth_case, chain, other_chain, outsider, registration_data, period, django_capture_on_commit_callbacks
):
    youth_case(S.REGISTERED)
    assert registrations(chain, period) == 1
    assert registrations(other_chain, period) == 0
    data = registration_data()
    data.referrer_kind, data.referrer_organisation = ReferrerKind.PARENT, None
    data.youth.postal_code, data.youth.municipality = "2000", "Antwerpen"
    with django_capture_on_commit_callbacks(execute=True):
        cases_domain.register_case(actor=outsider, chain=other_chain, data=data)

    assert registrations(other_chain, period) == 1
    with CaptureQueriesContext(connection) as captured:
        assert registrations(chain, period) == 1
    assert not reads_case_data(captured), "this chain's figures still come from the cache"


def test_every_consumer_is_served_by_the_same_cache(client_for, strategic, youth_case, chain, period):
    youth_case(S.ACTIVE)
    client = client_for(strategic)
    api = Api(strategic)
    q = params(period)
    consume(client.get(reverse("reports:report"), q))  # counts every table once
    for name, get in {
        "protected page": lambda: client.get(reverse("reports:report"), {**q, "beschermd": "1"}),
        "table CSV": lambda: client.get(reverse("reports:table_csv", args=["progress"]), q),
        "all tables XLSX": lambda: client.get(reverse("reports:report_xlsx"), q),
        "steering group PDF": lambda: client.get(reverse("reports:steering_pdf"), q),
        "API figure": lambda: api.get("/reports/plans", {"from": period.start, "to": period.end}),
    }.items():
        if name == "steering group PDF":
            # The PDF is in Dutch: its labels are counted (and cached) apart.
            with translation.override("nl"):
                figures.compute_one(chain, period)
        with CaptureQueriesContext(connection) as captured:
            response = get()
            consume(response)
        assert response.status_code == 200, name
        assert not reads_case_data(captured), name


def test_a_cached_table_is_still_protected_where_it_leaves_the_chain(client_for, strategic, youth_case, period):
    youth_case(S.REGISTERED, gender="f")
    client = client_for(strategic)
    page = client.get(reverse("reports:report"), params(period))  # exact figures, now in the cache
    assert page.status_code == 200
    csv = b"".join(client.get(reverse("reports:table_csv", args=["gender"]), params(period)).streaming_content)
    assert "<5" in csv.decode("utf-8-sig")
    assert ",1\r\n" not in csv.decode("utf-8-sig")


def test_the_labels_are_cached_per_language(youth_case, chain, period):
    youth_case(S.REGISTERED)
    with translation.override("en"):
        english = figures.compute_one(chain, period, names=["consults"]).tables["consults"].title
    with translation.override("nl"):
        dutch = figures.compute_one(chain, period, names=["consults"]).tables["consults"].title
    assert english == "Consults and their outcome"
    assert dutch != english


def test_a_change_to_the_chain_settings_counts_afresh(youth_case, enrich, chain, period):
    enrich(youth_case(S.ACTIVE))
    before = figures.compute_one(chain, period, names=["plans"]).tables["plans"]
    assert "huisvesting" in [r["code"] for r in before.rows]
    chain.life_domains = [d for d in chain.life_domains if d["code"] != "huisvesting"]
    chain.save()  # the chain's settings are no case data: its own updated_at is in the key
    after = figures.compute_one(chain, period, names=["plans"]).tables["plans"]
    assert "huisvesting" not in [r["code"] for r in after.rows]


def test_the_report_page_on_a_warm_cache_takes_few_queries_whatever_the_data(
    youth_case, enrich, client_for, strategic, period, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    client = client_for(strategic)
    url, q = reverse("reports:report"), params(period)

    def warm_queries() -> int:
        consume(client.get(url, q))  # fills the cache (and warms the session)
        with CaptureQueriesContext(connection) as captured:
            consume(client.get(url, q))
        assert not reads_case_data(captured)
        return len(captured)

    with django_capture_on_commit_callbacks(execute=True):
        grow(youth_case, enrich, 1)
    small = warm_queries()
    with django_capture_on_commit_callbacks(execute=True):
        grow(youth_case, enrich, 3)
    assert warm_queries() == small
    with django_assert_max_num_queries(12):
        consume(client.get(url, q))
    print(f"\nreport page on a warm cache: {small} queries")
