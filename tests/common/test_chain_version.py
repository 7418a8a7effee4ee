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
