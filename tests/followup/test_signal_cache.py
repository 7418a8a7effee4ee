"""A chain's signals are cached under its version token: fresh on the next request after any write,
a new day computed afresh, and never more than the policy lets a user see.

Tests run inside a transaction that is never committed, so the token (bumped once a write commits)
only changes where a test runs the on-commit callbacks; that is how each test below shows the cache
is really used and what makes it let go.
"""

from __future__ import annotations

import pickle
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from freezegun import freeze_time

from ketenregie.audit.domain import log
from ketenregie.common import chain_version
from ketenregie.followup import queries, signal_rules
from ketenregie.followup.enums import SignalKind as K
from tests.followup.conftest import S, contact, local

pytestmark = pytest.mark.django_db

T0 = date(2026, 1, 12)


def at_noon(day: date) -> str:
    return f"{day.isoformat()} 10:00:00"  # noon in Brussels, winter or summer: that day


@pytest.fixture
def active(make_case):
    """An active case, activated on T0; the chain's cadence is a contact every 7 days."""
    with freeze_time(at_noon(T0)):
        return make_case(S.ACTIVE)


def page_signals(client) -> list:
    response = client.get(reverse("followup:signals"))
    assert response.status_code == 200
    return [i["signal"] for g in response.context["groups"] for i in g["items"]]


def kinds_of(signals, case) -> set[str]:
    return {s.kind for s in signals if s.case_id == case.pk}


def test_a_new_contact_clears_contact_overdue_on_the_next_request(
    active, coordinator, case_director, client_for, django_capture_on_commit_callbacks
):
    with freeze_time(at_noon(T0 + timedelta(days=10))):
        client = client_for(coordinator)
        assert K.CONTACT_OVERDUE in kinds_of(page_signals(client), active)
        assert signal_rules.cached_chain_findings(active.chain) is not None, "the coordinator's come from the cache"
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            contact_at = local(T0 + timedelta(days=10), 9).strftime("%Y-%m-%dT%H:%M")
            response = client_for(case_director).post(
                reverse("followup:contacts", kwargs={"case_id": active.pk}),
                {"contact_at": contact_at, "with_whom": "youth", "channel": "phone", "reached": "yes"},
            )
            assert response.status_code == 302
        # Not committed yet (the test's transaction): the cache still answers as before the contact.
        assert K.CONTACT_OVERDUE in kinds_of(page_signals(client), active)
        for callback in callbacks:  # the commit: the audit log gives the chain a new token
            callback()
        assert K.CONTACT_OVERDUE not in kinds_of(page_signals(client), active)


def test_acknowledging_hides_the_signal_at_once(active, coordinator, client_for, django_capture_on_commit_callbacks):
    with freeze_time(at_noon(T0 + timedelta(days=10))):
        client = client_for(coordinator)
        signal = next(s for s in page_signals(client) if s.kind == K.CONTACT_OVERDUE)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("followup:acknowledge"), {"key": signal.key, "note": "Bel morgen."})
        assert response.status_code == 302
        assert signal.key not in {s.key for s in page_signals(client)}
        assert signal.key not in {s.key for s in queries.signals_of(coordinator)}
        api = client.get(reverse("api:list_signals")).json()
        assert signal.key not in {s["key"] for s in api["items"]}


def test_a_new_day_computes_afresh_without_any_write(active, coordinator):
    with freeze_time(at_noon(T0 + timedelta(days=7))):  # 7 days since the activation: not overdue yet
        assert K.CONTACT_OVERDUE not in kinds_of(queries.signals_of(coordinator), active)
        token = chain_version.current(active.chain_id)
    with freeze_time(at_noon(T0 + timedelta(days=8))):
        assert chain_version.current(active.chain_id) == token, "nothing was written"
        overdue = [s for s in queries.signals_of(coordinator) if s.kind == K.CONTACT_OVERDUE]
        assert [s.case_id for s in overdue] == [active.pk]


def test_a_case_outside_the_users_scope_never_comes_from_the_cache(
    active, coordinator, outsider, other_chain, client_for
):
    """Whatever a chain's cache entry names, a user gets only the cases the policy shows them."""
    day = T0 + timedelta(days=10)
    with freeze_time(at_noon(day)):
        assert active.pk in {s.case_id for s in queries.signals_of(coordinator)}
        cached = cache.get(signal_rules._cache_key(active.chain, day))
        finding = next(f for f in cached if f[0] == K.CONTACT_OVERDUE and f[1] == str(active.pk))
        # The outsider coordinates the other chain; an entry of that chain naming this case (a bug,
        # a mix-up of keys) still shows them nothing of it.
        cache.set(signal_rules._cache_key(other_chain, day), [finding], 60)
        assert signal_rules.cached_chain_findings(other_chain) == [signal_rules.Finding(*finding)]
        assert queries.signals_of(outsider) == []
        response = client_for(outsider).get(reverse("followup:signals"))
        assert response.status_code == 200 and not response.context["groups"]
        html = response.content.decode()
        assert active.reference not in html and active.youth.last_name not in html


def test_a_coordinator_who_loses_the_role_gets_nothing_from_the_cache(active, coordinator, client_for):
    with freeze_time(at_noon(T0 + timedelta(days=10))):
        client = client_for(coordinator)
        assert kinds_of(page_signals(client), active)
        assert signal_rules.cached_chain_findings(active.chain)
        coordinator.memberships.update(is_active=False)
        response = client.get(reverse("followup:signals"))
        assert response.status_code == 200 and not response.context["groups"]
        assert active.reference not in response.content.decode()


def test_what_is_cached_is_small_plain_and_holds_no_name_or_text(active, coordinator):
    with freeze_time(at_noon(T0 + timedelta(days=10))):
        queries.signals_of(coordinator)
        entry = cache.get(signal_rules._cache_key(active.chain, T0 + timedelta(days=10)))
    dumped = pickle.dumps(entry)
    assert b"ketenregie" not in dumped, "plain values only: no class of ours to unpickle"
    for secret in (active.youth.first_name, active.youth.last_name, active.reference, "No contact"):
        assert secret.encode() not in dumped
    assert [(f[0], f[1]) for f in entry] == [(K.CONTACT_OVERDUE, str(active.pk))]


def test_a_case_director_s_own_signals_are_cached_apart_and_fresh_after_a_write(
    active, case_director, log_contact, django_capture_on_commit_callbacks
):
    with freeze_time(at_noon(T0 + timedelta(days=10))):
        assert K.CONTACT_OVERDUE in kinds_of(queries.signals_of(case_director), active)
        assert signal_rules.cached_chain_findings(active.chain) is None, "their own cases, not the whole chain"
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            log_contact(active, local(T0 + timedelta(days=10), 9))
        assert K.CONTACT_OVERDUE in kinds_of(queries.signals_of(case_director), active), "cached until the commit"
        for callback in callbacks:  # the commit: the audit log gives the chain a new token
            callback()
        assert K.CONTACT_OVERDUE not in kinds_of(queries.signals_of(case_director), active)


def test_a_case_director_reads_a_warm_chain_cache_for_their_own_cases_only(
    active, make_case, case_director, other_case_director, coordinator
):
    with freeze_time(at_noon(T0)):
        colleagues = make_case(S.ACTIVE, director=other_case_director)
    with freeze_time(at_noon(T0 + timedelta(days=10))):
        queries.signals_of(coordinator)  # computes and caches the whole chain
        cached = {f.case_id for f in signal_rules.cached_chain_findings(active.chain)}
        assert {str(active.pk), str(colleagues.pk)} <= cached, "the chain's cache holds both cases"
        theirs = {s.case_id for s in queries.signals_of(case_director)}
    assert active.pk in theirs
    assert colleagues.pk not in theirs, "a colleague's case is in the chain's cache, never in their signals"


def test_a_change_to_the_chains_rhythm_counts_at_once(active, coordinator):
    """The administrators' screens change a chain's settings without touching its token: the key holds them."""
    from ketenregie.accounts.models import User
    from ketenregie.chains.models import Chain

    with freeze_time(at_noon(T0 + timedelta(days=10))):
        assert K.CONTACT_OVERDUE in kinds_of(queries.signals_of(coordinator), active)
        Chain.objects.filter(pk=active.chain_id).update(follow_up_cadence_days=14)
        next_request = User.objects.get(pk=coordinator.pk)  # memberships (and their chain) read anew
        assert K.CONTACT_OVERDUE not in kinds_of(queries.signals_of(next_request), active)


def test_a_coordinator_of_one_chain_who_directs_cases_in_another_gets_both(
    active, make_case, other_case_director, outsider, other_chain
):
    from ketenregie.accounts.enums import Role
    from tests.factories import MembershipFactory

    MembershipFactory(user=outsider, chain=active.chain, role=Role.CASE_DIRECTOR)
    with freeze_time(at_noon(T0)):
        colleagues = make_case(S.ACTIVE, director=other_case_director)
    active.case_director = outsider
    active.save(update_fields=["case_director"])
    with freeze_time(at_noon(T0 + timedelta(days=10))):
        theirs = {s.case_id for s in queries.signals_of(outsider)}
    assert active.pk in theirs, "the case they direct"
    assert colleagues.pk not in theirs, "not a colleague's case in the chain they only direct in"


# --- Renewed after a write: only the written cases computed again ------------------------------------


@pytest.fixture
def computed(monkeypatch):
    """The cases each computation of findings read, in order (as sets of ids)."""
    seen: list[set] = []
    compute = signal_rules._compute

    def spy(cases, today, **kwargs):
        seen.append(set(cases.values_list("pk", flat=True)))
        return compute(cases, today, **kwargs)

    monkeypatch.setattr(signal_rules, "_compute", spy)
    return seen


@pytest.fixture
def two_active(make_case):
    with freeze_time(at_noon(T0)):
        return make_case(S.ACTIVE), make_case(S.ACTIVE)


def test_after_a_write_only_the_written_case_is_computed_again(
    two_active, coordinator, case_director, computed, django_capture_on_commit_callbacks
):
    written, untouched = two_active
    with freeze_time(at_noon(T0 + timedelta(days=10))):
        before = signal_rules.chain_findings(written.chain)
        assert computed == [{written.pk, untouched.pk}]
        assert {f.case_id for f in before if f.kind == K.CONTACT_OVERDUE} == {str(written.pk), str(untouched.pk)}

        with django_capture_on_commit_callbacks(execute=True):
            contact_at = local(T0 + timedelta(days=10), 9)
            contact(written, case_director, contact_at)
        after = signal_rules.chain_findings(written.chain)

        assert computed[1:] == [{written.pk}], "the untouched case is not computed again"
        assert {f.case_id for f in after if f.kind == K.CONTACT_OVERDUE} == {str(untouched.pk)}
        # The same as computing the whole chain afresh.
        whole, _infos = signal_rules._compute(written.chain.cases.all(), T0 + timedelta(days=10))
        assert sorted(after) == sorted(whole)


def test_a_read_renews_nothing_and_a_write_on_the_chain_renews_everything(
    two_active, coordinator, computed, django_capture_on_commit_callbacks
):
    case, _other = two_active
    chain = case.chain
    with freeze_time(at_noon(T0 + timedelta(days=10))):
        signal_rules.chain_findings(chain)
        with django_capture_on_commit_callbacks(execute=True):
            log("case.viewed", actor=coordinator, obj=case, chain_id=chain.pk, case_id=case.pk)
        signal_rules.chain_findings(chain)
        assert len(computed) == 1, "a read gives no new token and changes no finding"

        # A write of the chain as a whole (an OT meeting planned, its settings): every case again.
        with django_capture_on_commit_callbacks(execute=True):
            log("ot.meeting_created", actor=coordinator, obj=chain, chain_id=chain.pk)
        signal_rules.chain_findings(chain)
        assert computed[1] == computed[0]


def test_the_whole_chain_is_computed_again_at_least_every_max_age(
    two_active, case_director, computed, django_capture_on_commit_callbacks
):
    written, _untouched = two_active
    start = local(T0 + timedelta(days=10), 10)
    with freeze_time(start) as clock:
        signal_rules.chain_findings(written.chain)
        clock.tick(timedelta(seconds=chain_version.MAX_AGE_SECONDS + 1))
        with django_capture_on_commit_callbacks(execute=True):
            contact(written, case_director, start)
        signal_rules.chain_findings(written.chain)
    assert computed[1] == computed[0], "a change that bypassed the audit log cannot outlive MAX_AGE_SECONDS"


def test_a_write_named_by_its_case_only_is_recorded_with_its_chain(active, coordinator):
    entry = log("followup.cadence", actor=coordinator, obj=active, case_id=active.pk)
    assert entry.chain_id == active.chain_id
    read = log("case.viewed", actor=coordinator, obj=active, case_id=active.pk)
    assert read.chain_id is None, "a read is recorded as it was given"
