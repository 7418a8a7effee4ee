"""The demo follow-up history: weekly contacts through the domain, and one case that slipped out of view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from freezegun import freeze_time

from ketenregie.cases.models import Case
from ketenregie.followup.demo import seed_demo_followup
from ketenregie.followup.enums import SignalKind
from ketenregie.followup.models import FollowUpContact
from ketenregie.followup.signal_rules import signals_for
from tests.followup.conftest import S

pytestmark = pytest.mark.django_db


def kinds(case) -> set[str]:
    return {s.kind for s in signals_for(Case.objects.filter(pk=case.pk))}


def test_three_active_cases_show_steady_follow_up_out_of_view_and_behind(active_cases, case_director, coordinator):
    from django.utils import timezone

    with freeze_time(timezone.now() - timedelta(days=31)):
        cases = sorted(active_cases(3), key=lambda c: c.reference)
    logged = [seed_demo_followup(case, case_director) for case in cases]
    assert all(n >= 3 for n in logged)
    steady, gap, behind = cases
    assert not {SignalKind.CONTACT_OVERDUE, SignalKind.OUT_OF_VIEW} & kinds(steady)
    assert FollowUpContact.objects.filter(case=steady, positive_development=True).exists()
    assert FollowUpContact.objects.filter(case=steady, reached=False).exists()
    assert SignalKind.OUT_OF_VIEW in kinds(gap) and SignalKind.CONTACT_OVERDUE not in kinds(gap)
    assert SignalKind.CONTACT_OVERDUE in kinds(behind)
    assert seed_demo_followup(steady, case_director) == 0  # rerunning changes nothing
    assert all(c.created_by == case_director for c in FollowUpContact.objects.all())


def test_only_active_cases_get_a_history(make_case, coordinator):
    assert seed_demo_followup(make_case(S.INCLUDED), coordinator) == 0
    assert not FollowUpContact.objects.exists()
