"""A case director enters a meeting that took place without being planned, then adjusts the plan.

First without the youth (refused: "Zonder jongere, geen FIX-overleg", nothing recorded), then with
the youth and an agreement that becomes a plan action; at the evaluation the earlier action is set
to done. Every page is checked (console, CSP, axe) and photographed into test-artifacts/.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from ketenregie.meetings.enums import MeetingStatus
from ketenregie.meetings.models import NetworkMeeting
from ketenregie.plans.domain import save_plan
from ketenregie.plans.enums import ActionStatus
from ketenregie.plans.models import Action
from tests.browser.helpers import check_page, login, submit, visit
from tests.factories import PASSWORD
from tests.plans import fixtures as plan_fixtures

legal_basis = plan_fixtures.legal_basis
make_active_case = plan_fixtures.make_active_case
network = plan_fixtures.network
case = plan_fixtures.case


def nl(msgid: str) -> str:
    with translation.override("nl"):
        return translation.gettext(msgid)


def test_enter_a_past_meeting_and_adjust_the_plan(page, live_server, case, network, legal_basis, case_director):
    save_plan(actor=case_director, case=case, version=0, domains=[plan_fixtures.one_domain(network)])
    earlier = Action.objects.get(case=case)
    goal = earlier.goal
    login(page, live_server, "regisseur1", PASSWORD)

    visit(page, live_server.url + reverse("meetings:list", args=[case.pk]), "meetings")
    with page.expect_navigation():
        page.get_by_role("link", name=nl("Enter a past meeting")).click()
    check_page(page, "past-meeting-form")

    yesterday = timezone.localtime(timezone.now() - timedelta(days=1)).replace(hour=16, minute=0)
    page.fill("#id_starts_at", yesterday.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_location_kind", "home")
    page.fill("#id_location", "Thuis bij de jongere")
    page.check(f"#present-{network['clb'].pk}")
    page.check(f"#ack-{network['clb'].pk}")
    page.fill("#id_minutes", "Gesprek over school.")
    submit(page, "main form.hold-form")
    # Without the youth: refused with the rule, nothing recorded.
    expect(page.locator(".rule-refused")).to_contain_text("Zonder jongere, geen FIX-overleg")
    check_page(page, "past-meeting-refused-without-youth", status=422)
    assert not NetworkMeeting.objects.filter(case=case).exists()

    page.check("#id_youth_attended")
    page.select_option("#id_agreements-0-goal", str(goal.pk))
    page.fill("#id_agreements-0-what", "Mama belt de leerkracht")
    page.select_option("#id_agreements-0-responsible", str(network["mother"].pk))
    submit(page, "main form.hold-form")
    meeting = NetworkMeeting.objects.get(case=case)
    assert meeting.status == MeetingStatus.HELD
    assert page.url.endswith(reverse("meetings:detail", args=[case.pk, meeting.pk]))
    check_page(page, "past-meeting-held")

    visit(page, live_server.url + reverse("meetings:evaluate", args=[case.pk, meeting.pk]), "evaluation")
    page.check(f"input[name=kept_{earlier.pk}][value=yes]")
    page.select_option(f"#id_status_{earlier.pk}", ActionStatus.DONE)
    page.check("input[name=score_werk_onderwijs][value='3']")
    submit(page, "main form.evaluation-form")
    earlier.refresh_from_db()
    assert earlier.status == ActionStatus.DONE
    visit(page, live_server.url + reverse("plans:plan", args=[case.pk]), "plan-adjusted")
