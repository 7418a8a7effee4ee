"""The youth signs in to "Mijn traject" on a phone, sees their goals and sends their case director a message, in Chromium.

The youth of a shared active case (tests/threads/conftest.py) was invited and chose a password
(portal.domain); with two-factor on, the sign-in asks the password and then the code from the
e-mail. The page fits a phone's width without sideways scrolling; a staff page answers 404.

Every page is checked for console errors, CSP violations and WCAG 2.1 AA (axe-core) and
photographed into test-artifacts/<test>/. Texts are looked up by msgid in the Dutch catalog.
"""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from ketenregie.followup.models import Notification
from ketenregie.portal import domain as portal_domain
from ketenregie.threads.models import Thread
from tests.browser.helpers import check_page, submit, visit
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

PHONE = {"width": 390, "height": 844}


def nl(msgid: str, **values) -> str:
    with translation.override("nl"):
        text = translation.gettext(msgid)
    return text % values if values else text


def path_of(page: Page) -> str:
    return "/" + page.url.split("/", 3)[3].split("?")[0].split("#")[0]


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_the_youth_signs_in_on_a_phone_sees_the_goals_and_writes_to_the_case_director(
    page, live_server, shared, case_director, settings
):
    settings.REQUIRE_2FA = True
    access = portal_domain.invite(
        actor=case_director,
        case=shared["case"],
        role="youth",
        email="jens.jongere@example.org",
        youth_agreed_on=timezone.localdate(),
        send_email=False,
    )
    portal_domain.activate(user=access.user, password=PASSWORD)
    page.set_viewport_size(PHONE)
    base = live_server.url

    # --- Sign in: password, then the code from the e-mail ---------------------------------------------------
    visit(page, base + reverse("portal:home"), "login")
    assert path_of(page) == reverse("portal:login")
    assert fits_the_screen(page)
    page.fill("#id_username", "jens.jongere@example.org")
    page.fill("#id_password", PASSWORD)
    submit(page)
    assert path_of(page) == reverse("portal:code")
    check_page(page, "code")
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.fill("#id_code", code)
    submit(page, "main form.card")

    # --- "Mijn traject": the goals, the case director, the consents, the steps ----------------------------------
    assert path_of(page) == reverse("portal:home")
    expect(page.locator("h1")).to_contain_text(shared["case"].youth.first_name)
    goals = page.locator(".portal-goal__text")
    expect(goals.first).to_be_visible()
    expect(page.locator("#goals-title")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Ik wil mijn diploma halen.")
    expect(page.locator("main")).to_contain_text("Gesprek met de klastitularis")
    expect(page.locator("main")).to_contain_text(case_director.get_full_name())
    expect(page.locator("main")).to_contain_text(nl("Your trajectory started."))
    assert fits_the_screen(page)
    check_page(page, "trajectory")

    # --- A message to the case director -------------------------------------------------------------------------
    with page.expect_navigation():
        page.locator(".portal-nav").get_by_role("link", name=nl("Messages")).click()
    assert path_of(page) == reverse("portal:messages")
    check_page(page, "messages-empty")
    page.fill("#id_body", "Kan het overleg op woensdag na school? Dan heb ik geen les.")
    submit(page, "main form.card")
    assert path_of(page) == reverse("portal:messages")
    expect(page.locator(".portal-bubble--mine")).to_contain_text("woensdag na school")
    assert fits_the_screen(page)
    check_page(page, "message-sent")

    thread = Thread.objects.get(portal_user=access.user)
    assert [m.body for m in thread.messages.all()] == ["Kan het overleg op woensdag na school? Dan heb ik geen les."]
    assert Notification.objects.filter(user=case_director, kind="portal_message").exists()

    # --- Staff pages do not exist for the youth ------------------------------------------------------------------
    response = page.goto(base + reverse("cases:case_detail", args=[shared["case"].pk]))
    assert response is not None and response.status == 404
    response = page.goto(base + reverse("cases:case_list"))
    assert response is not None and response.status == 404
