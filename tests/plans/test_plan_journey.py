"""The case director's journey in Chromium: a plan with strengths first, a meeting that is refused
without the youth, held with the youth, evaluated; the progress chart on the plan page.

Every page is checked for console errors, CSP violations and WCAG 2.1 AA (axe-core) and
photographed into test-artifacts/<test>/.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from ketenregie.meetings.enums import MeetingStatus
from ketenregie.meetings.models import DomainProgress, NetworkMeeting
from ketenregie.plans.models import Action, Plan
from tests.browser.helpers import check_page, login, submit, visit
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian's Chromium is not installed"),
]


def test_plan_and_meeting_journey(page, live_server, case, network, case_director):
    base = live_server.url
    login(page, live_server, "regisseur1", PASSWORD)

    visit(page, base + reverse("plans:plan", args=[case.pk]), "empty-plan")
    page.select_option("#add-domain-select", "werk_onderwijs")
    submit(page, "form.add-domain__form")
    check_page(page, "editor")
    page.fill("[name=domain-strengths]", "Handig met techniek.")
    page.fill("[name=goals-0-text]", "Ik wil mijn diploma halen.")
    page.check("[name=goals-0-youth_agreed]")
    page.fill("[name=goals-0-actions-0-what]", "Wekelijks gesprek met de leerlingbegeleider.")
    page.select_option("[name=goals-0-actions-0-responsible]", f"m:{network['clb'].pk}")
    submit(page, "form.plan-editor")
    check_page(page, "plan")
    expect(page.locator(".goal--agreed .goal__agreement")).to_be_visible()
    assert Action.objects.filter(case=case).count() == 1

    visit(page, base + reverse("meetings:create", args=[case.pk]), "plan-meeting")
    soon = timezone.localtime(timezone.now() + timedelta(minutes=15))
    page.fill("[name=starts_at]", soon.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("[name=location_kind]", "neutral")
    page.fill("[name=location]", "Stadhuis Genk, zaal 2.14")
    submit(page, "main form.stacked")
    check_page(page, "meeting")
    meeting = NetworkMeeting.objects.get(case=case)

    visit(page, base + reverse("meetings:hold", args=[case.pk, meeting.pk]), "hold")
    page.uncheck(f"input[name=present][value='{network['clb'].pk}']")
    page.uncheck(f"input[name=present][value='{network['caw'].pk}']")
    submit(page, "form.hold-form")
    check_page(page, "refused-without-youth", status=422)
    expect(page.get_by_role("alert").filter(has_text="Zonder jongere, geen FIX-overleg")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED

    page.check("[name=youth_attended]")
    submit(page, "form.hold-form")
    check_page(page, "held")
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD

    visit(page, base + reverse("meetings:evaluate", args=[case.pk, meeting.pk]), "evaluate")
    page.locator("fieldset.evaluation-action input[type=radio][value=partly]").first.check()
    page.check("input[name=score_werk_onderwijs][value='3']")
    submit(page, "form.evaluation-form")
    check_page(page, "evaluated")
    assert DomainProgress.objects.get(meeting=meeting).score == 3

    visit(page, base + reverse("plans:plan", args=[case.pk]), "plan-with-chart")
    expect(page.locator(".progress-chart svg[role=img]")).to_be_visible()
    assert Plan.objects.get(case=case).version == 1
