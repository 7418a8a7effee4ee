"""The chain's version token changes after a write is committed, never for a read."""

from __future__ import annotations

import pytest

from ketenregie.audit.actions import ACTIONS, changes_chain_data
from ketenregie.audit.domain import log
from ketenregie.common import chain_version
from tests.plans.fixtures import *  # noqa: F403 - the active case and its cast, made by the domain

pytestmark = pytest.mark.django_db


def test_reads_and_logins_change_no_chain_data():
    reads = {a for a in ACTIONS if not changes_chain_data(a)}
    assert {"case.viewed", "case.listed", "plan.viewed", "report.viewed", "auth.login", "report.exported"} <= reads
    assert {"case.registered", "followup.contact", "plan.saved", "consent.withdrawn", "ot.decided"}.isdisjoint(reads)


def test_a_write_gives_the_chain_a_new_token_once_it_commits(case, coordinator, django_capture_on_commit_callbacks):
    before = chain_version.current(case.chain_id)
    assert chain_version.current(case.chain_id) == before, "stable while nothing is written"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        log("followup.cadence", actor=coordinator, obj=case, case_id=case.pk)  # no chain_id: found from the case
    assert chain_version.current(case.chain_id) == before, "not before the commit"
    for callback in callbacks:
        callback()
    after = chain_version.current(case.chain_id)
    assert after != before
    assert chain_version.cache_key("signals", case.chain_id) != f"signals:{case.chain_id}:{before}"


def test_a_read_keeps_the_token(case, coordinator, django_capture_on_commit_callbacks):
    before = chain_version.current(case.chain_id)
    with django_capture_on_commit_callbacks(execute=True):
        log("case.viewed", actor=coordinator, obj=case, chain_id=case.chain_id, case_id=case.pk)
    assert chain_version.current(case.chain_id) == before


def test_a_cached_query_is_computed_again_after_a_write_in_its_chain(
    case, coordinator, django_capture_on_commit_callbacks
):
    from ketenregie.cases.models import Case

    computed = []

    def count(queryset):
        computed.append(1)
        return queryset.count()

    chain = [case.chain_id]
    cases = Case.objects.filter(chain_id=case.chain_id)
    assert chain_version.cached_query("test", chain, cases, count) == 1
    assert chain_version.cached_query("test", chain, cases, count) == 1
    assert len(computed) == 1, "the second read comes from the cache"

    # Another query (another filter, another user's scope) is another entry.
    assert chain_version.cached_query("test", chain, cases.filter(status="closed"), count) == 0
    assert len(computed) == 2

    with django_capture_on_commit_callbacks(execute=True):
        log("followup.cadence", actor=coordinator, obj=case, case_id=case.pk)
    assert chain_version.cached_query("test", chain, cases, count) == 1
    assert len(computed) == 3, "computed afresh after the write committed"


def test_a_coordinators_case_counts_follow_a_registration(
    case, coordinator, client_for, make_active_case, django_capture_on_commit_callbacks
):
    """The counts per status on the list come from the cache, and a new case shows at once."""
    from django.urls import reverse

    client = client_for(coordinator)
    first = client.get(reverse("cases:case_list"))
    assert first.context["total"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        make_active_case()
    assert client.get(reverse("cases:case_list")).context["total"] == 2


def test_a_case_token_follows_writes_on_that_case_and_the_chain_wide_one_writes_on_the_chain(
    case, make_active_case, coordinator, django_capture_on_commit_callbacks
):
    other = make_active_case()
    before = chain_version.case_tokens(case.pk, case.chain_id)
    assert chain_version.case_tokens(case.pk, case.chain_id) == before, "stable while nothing is written"
    with django_capture_on_commit_callbacks(execute=True):
        log("followup.cadence", actor=coordinator, obj=other, case_id=other.pk)
    assert chain_version.case_tokens(case.pk, case.chain_id) == before, "another case's write"
    with django_capture_on_commit_callbacks(execute=True):
        log("followup.cadence", actor=coordinator, obj=case, case_id=case.pk)
    case_token, chain_wide = chain_version.case_tokens(case.pk, case.chain_id)
    assert case_token != before[0] and chain_wide == before[1]
    with django_capture_on_commit_callbacks(execute=True):
        log("ot.meeting_created", actor=coordinator, chain_id=case.chain_id)
    assert chain_version.case_tokens(case.pk, case.chain_id) == [
        case_token,
        chain_version.case_tokens(case.pk, case.chain_id)[1],
    ]
    assert chain_version.case_tokens(case.pk, case.chain_id)[1] != chain_wide
