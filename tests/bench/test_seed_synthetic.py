"""``seed_synthetic`` at a tiny size: the data keeps the domain's invariants and the seed reproduces it.

The generator writes rows directly (ketenregie/bench), so these checks read them back through the
models and ask the domain's own rules — the workflow table, the OT consent guard, the fields'
validation — whether a case could have got there.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import Membership
from ketenregie.bench import synthetic
from ketenregie.cases import workflow
from ketenregie.cases.enums import CaseStatus as S
from ketenregie.cases.models import Case, CaseTransition, OTAgendaItem
from ketenregie.common.fields import decrypt
from ketenregie.consent.models import Consent
from ketenregie.followup.models import FollowUpContact
from ketenregie.followup.signal_rules import signals_for
from ketenregie.meetings.models import MeetingAttendance, NetworkMeeting
from ketenregie.network.models import NetworkMember
from ketenregie.plans.models import Action, Plan

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 3)
SIZE = {"chains": 2, "cases": 30, "contacts_per_case": 3}


class HashSink:
    """Collects a digest of every generated row instead of writing it (ciphertexts as their plaintext)."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.counts: Counter = Counter()

    def add(self, model, row: dict) -> None:
        self.counts[model._meta.label] += 1
        values = {k: decrypt(v) if isinstance(v, str) and v.startswith("enc1:") else v for k, v in row.items()}
        self.digest.update(f"{model._meta.label}:{sorted(values.items(), key=lambda kv: kv[0])!r}".encode())

    def flush(self) -> None:
        pass


def generated(seed: int) -> HashSink:
    sink = HashSink()
    synthetic.generate(synthetic.Spec(**SIZE, seed=seed, today=TODAY), sink)
    return sink


@pytest.fixture
def seeded():
    call_command("seed_synthetic", **SIZE, seed=7, today=TODAY, verbosity=0)
    return Case.objects.select_related("youth", "chain")


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first, again, other = generated(7), generated(7), generated(8)
    assert first.digest.hexdigest() == again.digest.hexdigest()
    assert first.digest.hexdigest() != other.digest.hexdigest()


def test_what_is_written_is_what_the_seed_generates(seeded):
    expected = generated(7).counts
    assert expected["cases.Case"] == seeded.count() == SIZE["cases"]
    assert expected["followup.FollowUpContact"] == FollowUpContact.objects.count()
    assert expected["plans.Action"] == Action.objects.count()


def test_every_status_and_chain_is_there(seeded):
    assert {c.status for c in seeded} == set(S.values)
    assert {c.chain.slug for c in seeded} == set(synthetic.Generator(synthetic.Spec(**SIZE), HashSink()).slugs())
    for case in seeded:
        assert case.youth.chain_id == case.chain_id
        prefix, year, number = case.reference.rsplit("-", 2)
        assert year == str(case.registered_on.year) and len(number) == 4
    assert len({(c.chain_id, c.reference) for c in seeded}) == SIZE["cases"]


def test_every_field_passes_its_own_validation(seeded):
    for model in (Case, NetworkMember, NetworkMeeting, Consent, Action, FollowUpContact):
        for obj in model.objects.all()[:200]:
            obj.full_clean(validate_unique=False, validate_constraints=False)


def test_each_case_got_where_it_is_through_the_transition_table(seeded):
    for case in seeded:
        steps = list(CaseTransition.objects.filter(case=case).order_by("occurred_at", "id"))
        assert steps[0].from_status == "" and steps[0].to_status == S.REGISTERED
        for before, after in zip(steps, steps[1:], strict=False):
            assert after.from_status == before.to_status
            assert workflow.transition_between(after.from_status, after.to_status) is not None, case.reference
            assert after.occurred_at >= before.occurred_at
        assert steps[-1].to_status == case.status
        assert case.version >= len(steps)


def test_what_the_steps_require_is_present(seeded):
    for case in seeded:
        reached = set(CaseTransition.objects.filter(case=case).values_list("to_status", flat=True))
        if S.AWAITING_OT in reached:
            awaiting = CaseTransition.objects.get(case=case, to_status=S.AWAITING_OT).occurred_at.date()
            assert case.intake.intake_on is not None and case.intake.intake_on <= awaiting
            ctx = workflow.Context(actor=None, on=awaiting)
            assert workflow.consent_for_ot(case, ctx) is None, case.reference
        if S.INCLUDED in reached:
            item = OTAgendaItem.objects.select_related("meeting").get(case=case, decision="include")
            assert item.meeting.chain_id == case.chain_id and item.meeting.status == "held"
            assert item.chosen_case_director_id == case.case_director_id
            assert item.subsidiarity.strip()
            assert Membership.objects.filter(
                user_id=case.case_director_id, chain=case.chain, role=Role.CASE_DIRECTOR
            ).exists()
        if case.status == S.NOT_INCLUDED:
            assert case.not_included_advice.strip()
        if S.ACTIVE in reached:
            assert case.registered_on <= case.first_conversation_on <= TODAY
            assert case.referrer_informed_on and case.youth_informed_of_decision_on
        if case.status == S.CLOSED:
            assert case.closed_on and case.closure_reason and any(case.closure_summary.values())
        if case.status == S.WITHDRAWN:
            assert CaseTransition.objects.get(case=case, to_status=S.WITHDRAWN).reason.strip()
        for failed in (c for c in case.eligibility if c["status"] != "passed"):
            assert case.eligibility_override_reason and case.eligibility_overridden_by_id, failed


def test_trajectories_have_networks_plans_meetings_and_contacts(seeded):
    for meeting in NetworkMeeting.objects.filter(status="held"):
        assert meeting.youth_attended
        assert MeetingAttendance.objects.filter(meeting=meeting, is_youth=True).exists()
        assert meeting.case.status in (S.ACTIVE, S.CLOSED)
    for plan in Plan.objects.prefetch_related("versions"):
        assert plan.version == plan.versions.count()
        assert "domains" in plan.versions.all()[0].snapshot
    for contact in FollowUpContact.objects.select_related("case"):
        case = contact.case
        assert case.first_conversation_on is not None
        day = contact.contact_at.date()
        assert case.first_conversation_on - timedelta(days=1) <= day <= (case.closed_on or TODAY) + timedelta(days=1)
        assert contact.created_by_id == case.case_director_id
    total = FollowUpContact.objects.count()
    assert SIZE["cases"] * SIZE["contacts_per_case"] * 0.6 <= total <= SIZE["cases"] * SIZE["contacts_per_case"] * 1.4
    for case in Case.objects.filter(status=S.ACTIVE):
        assert NetworkMember.objects.filter(case=case, is_trusted_person=True, name=case.trusted_person_name).exists()

    # Encrypted at rest, plain text through the model.
    with connection.cursor() as cursor:
        cursor.execute("SELECT multi_problem FROM cases_case")
        stored = [row[0] for row in cursor.fetchall()]
    assert all(value.startswith("enc1:") for value in stored)
    assert all(c.multi_problem and not c.multi_problem.startswith("enc1:") for c in Case.objects.all())


def test_the_signals_can_be_computed_on_it(seeded):
    signals = signals_for(Case.objects.all(), today=TODAY)
    assert {s.case_id for s in signals} <= set(Case.objects.values_list("pk", flat=True))


def test_a_second_run_with_the_same_chains_is_refused(seeded):
    with pytest.raises(CommandError, match="already holds synthetic chains"):
        call_command("seed_synthetic", **SIZE, seed=7, today=TODAY, verbosity=0)


def test_production_mode_is_refused(settings):
    settings.DEMO = settings.TESTING = False
    with pytest.raises(CommandError, match="demo or test mode"):
        call_command("seed_synthetic", chains=1, cases=1, verbosity=0)
