"""A case director and a partner talk about an action of the plan, and the partner then completes it, in Chromium.

The case is active and shared with the CLB (tests/threads/conftest.py): the partner is in the
network, linked to their account, under the youth's sharing consent for "werk_onderwijs". The case
director starts a conversation about the partner's action and mentions them; the partner finds it
under "Gesprekken", replies, and on "Mijn acties" marks the action done with a note; the case
director sees the notification, the reply and the step in the case's history.

Every page is checked for console errors, CSP violations and WCAG 2.1 AA (axe-core) and
photographed into test-artifacts/<test>/. Texts are looked up by msgid in the Dutch catalog.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from ketenregie.followup.models import Notification
from ketenregie.plans.enums import ActionStatus
from ketenregie.threads.models import Thread
from tests.browser.helpers import check_page, login, submit, visit
from tests.factories import PASSWORD
from tests.plans import fixtures as plan_fixtures
from tests.threads import conftest as thread_fixtures

legal_basis = plan_fixtures.legal_basis
make_active_case = plan_fixtures.make_active_case
case = plan_fixtures.case
partner_member = thread_fixtures.partner_member
caw_member = thread_fixtures.caw_member
sharing_consent = thread_fixtures.sharing_consent
shared = thread_fixtures.shared


def nl(msgid: str, **values) -> str:
    with translation.override("nl"):
        text = translation.gettext(msgid)
    return text % values if values else text


def path_of(page: Page) -> str:
    return "/" + page.url.split("/", 3)[3].split("?")[0].split("#")[0]


def log_out(page: Page) -> None:
    submit(page, "header form.inline-form")


def test_case_director_and_partner_talk_about_an_action_that_the_partner_completes(
    page, live_server, shared, case_director, partner, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    base = live_server.url
    case = shared["case"]
    action = shared["mine"]

    # --- The case director starts a conversation about the partner's action -------------------------------
    login(page, live_server, "regisseur1", PASSWORD)
    visit(page, base + reverse("threads:case_threads", args=[case.pk]), "case-threads-empty")
    expect(page.locator(".empty-state")).to_be_visible()
    visit(page, base + reverse("threads:create", args=[case.pk]) + f"?actie={action.pk}", "start-thread")
    expect(page.locator("#id_subject")).to_have_value(nl("About the action: %(what)s", what=action.what))
    page.check(f"input[name=participants][value='{partner.pk}']")
    page.fill("#id_body", "Dag @partner-school, lukt het gesprek met de klastitularis nog deze week?")
    submit(page, "main form.thread-form")

    thread = Thread.objects.get(case=case)
    assert path_of(page) == reverse("threads:detail", args=[thread.pk])
    expect(page.locator(".thread-message")).to_have_count(1)
    check_page(page, "thread-started")
    log_out(page)

    # --- The partner finds it, reads it and replies --------------------------------------------------------
    login(page, live_server, "partner-school", PASSWORD, name="partner-login")
    page.get_by_role("navigation", name=nl("Main navigation")).get_by_role("link", name=nl("Conversations")).click()
    page.wait_for_load_state("load")
    assert path_of(page) == reverse("threads:inbox")
    expect(page.locator(".thread-list__item--unread")).to_have_count(1)
    check_page(page, "partner-inbox")
    with page.expect_navigation():
        page.locator(".thread-list__subject a").first.click()
    expect(page.locator(".thread-message__body").first).to_contain_text("klastitularis")
    check_page(page, "partner-reads")
    page.fill("#id_body", "Dag @regisseur1, het gesprek is donderdag. Daarna zet ik de actie op afgerond.")
    submit(page, "main form.message-form")
    expect(page.locator(".thread-message")).to_have_count(2)
    check_page(page, "partner-replied")

    # --- "Mijn acties": the partner completes the action with a note ----------------------------------------
    visit(page, base + reverse("threads:my_actions"), "my-actions")
    row = page.locator(f"#actie-{action.pk}")
    expect(row).to_contain_text(action.what)
    expect(page.locator(".my-action")).to_have_count(1)  # the CAW's action and the unshared domain stay out
    row.locator("select").select_option(ActionStatus.DONE)
    row.locator("textarea").fill("Gesprek gehad op donderdag; de klastitularis volgt de afwezigheden op.")
    submit(page, f"#actie-{action.pk} form")
    assert path_of(page) == reverse("threads:my_actions")
    expect(page.locator(".messages")).to_contain_text(case.reference)
    check_page(page, "action-completed")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    log_out(page)

    # --- The case director sees the reply, the notification and the history -------------------------------------
    assert Notification.objects.filter(user=case_director, kind="thread_mention").exists()
    assert Notification.objects.filter(user=case_director, kind="action_updated").exists()
    login(page, live_server, "regisseur1", PASSWORD, name="director-login-again")
    visit(page, base + reverse("followup:notifications"), "director-notifications")
    expect(page.locator(".notification--unread")).to_have_count(2)
    visit(page, base + reverse("threads:detail", args=[thread.pk]), "director-reads-reply")
    expect(page.locator(".thread-message").nth(1)).to_contain_text("het gesprek is donderdag")
    visit(page, base + reverse("cases:case_detail", args=[case.pk]), "case-history")
    expect(page.locator("main")).to_contain_text(
        nl("%(actor)s set an action of the plan to “%(status)s”.", actor="Nathalie Willems", status=nl("Done"))
    )
