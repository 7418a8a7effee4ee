"""The demo plan is built through the domain and is believable: strengths first, the youth's words, meetings."""

from __future__ import annotations

from ketenregie.meetings.enums import MeetingStatus
from ketenregie.meetings.models import DomainProgress, NetworkMeeting
from ketenregie.plans.demo import seed_demo_plan
from ketenregie.plans.models import Action, Plan


def test_no_network_no_plan(case, case_director):
    assert seed_demo_plan(case, case_director) is None
    assert not Plan.objects.exists()


def test_demo_plan_with_meetings_and_scores(case, case_director, network, caw):
    plan = seed_demo_plan(case, case_director)
    assert plan is not None
    domains = list(plan.domains.all())
    assert 2 <= len(domains) <= 3 and all(d.strengths for d in domains)
    assert 3 <= Action.objects.filter(case=case, source_meeting__isnull=True).count() <= 5
    assert NetworkMeeting.objects.filter(case=case, status=MeetingStatus.HELD).count() == 2
    assert NetworkMeeting.objects.filter(case=case, status=MeetingStatus.PLANNED).count() == 1
    assert DomainProgress.objects.filter(case=case).count() == 6
    assert seed_demo_plan(case, case_director) is None  # rerunning is harmless
