"""Journeys through logging in, two-factor, lockout, language and logging out, in Chromium.

Every page visited is checked for console errors, CSP violations and WCAG 2.1 AA (axe-core), and
photographed into test-artifacts/<test>/.
"""

from __future__ import annotations

import base64

from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import translation
from django_otp.oath import totp
from playwright.sync_api import expect

from ketenregie.accounts.enums import Role
from ketenregie.audit.models import AuditEvent
from tests.browser.helpers import check_page, login, submit, visit, watch
from tests.factories import PASSWORD


def url(live_server, name: str) -> str:
    return live_server.url + reverse(name)


def path_of(page) -> str:
    return "/" + page.url.split("/", 3)[3].split("?")[0]


def test_log_in_and_see_the_start_page_for_the_role(page, live_server, coordinator):
    login(page, live_server, "coordinator", PASSWORD)

    assert path_of(page) == reverse("home")
    with translation.override("nl"):
        heading = f"{Role.OPERATIONAL_COORDINATOR.label} · FIX Genk"
    expect(page.get_by_role("heading", level=2, name=heading)).to_be_visible()
    expect(page.get_by_role("navigation")).to_be_visible()
    check_page(page, "start-page")
    assert AuditEvent.objects.filter(action="auth.login", actor_id=coordinator.pk).count() == 1


def _code(secret: str, steps_ahead: int = 0) -> str:
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, drift=steps_ahead):06d}"


def test_enrol_two_factor_then_log_in_with_a_code(page, live_server, coordinator, settings):
    settings.REQUIRE_2FA = True
    # Without clock-drift learning the next step's code is always accepted once, even when the
    # enrolment crossed a 30-second boundary (with it, a learned drift of -1 could refuse it).
    settings.OTP_TOTP_SYNC = False

    login(page, live_server, "coordinator", PASSWORD)
    assert path_of(page) == reverse("accounts:two_factor_setup")
    check_page(page, "setup")
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    page.fill("#id_code", _code(secret))
    submit(page)

    assert path_of(page) == reverse("accounts:recovery_codes")
    codes = page.get_by_test_id("recovery-codes").get_by_role("listitem").all_inner_texts()
    assert len(codes) == 10
    check_page(page, "recovery-codes")
    with page.expect_navigation():
        page.locator("main .actions a").click()
    assert path_of(page) == reverse("home")
    check_page(page, "start-page-after-enrolment")

    submit(page, "header form.inline-form")  # log out
    assert path_of(page) == reverse("accounts:login")
    check_page(page, "logged-out")

    login(page, live_server, "coordinator", PASSWORD, name="login-again")
    assert path_of(page) == reverse("accounts:two_factor_verify")
    check_page(page, "verify")
    # The code of the step just used is spent; the app's next code is accepted (clock tolerance).
    page.fill("#id_code", _code(secret, steps_ahead=1))
    submit(page)

    assert path_of(page) == reverse("home")
    check_page(page, "start-page-verified")
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions == ["auth.login", "2fa.enrolled", "auth.logout", "auth.login", "2fa.verified"]


def test_repeated_failures_lock_the_account(page, live_server, coordinator):
    visit(page, url(live_server, "accounts:login"), "login")
    for attempt in range(1, django_settings.AXES_FAILURE_LIMIT):
        page.fill("#id_username", "coordinator")
        page.fill("#id_password", f"wrong password {attempt}")
        submit(page)
        expect(page.locator("main [role=alert]")).to_be_visible()
        if attempt == 1:
            check_page(page, "wrong-password")

    page.fill("#id_username", "coordinator")
    page.fill("#id_password", "wrong password, once more")
    with page.expect_response(lambda r: r.request.method == "POST") as locked:
        submit(page)
    assert locked.value.status == 429
    alert = page.locator("main [role=alert]")
    expect(alert.get_by_role("heading", level=1)).to_be_visible()
    expect(alert.get_by_role("link")).to_have_attribute("href", reverse("accounts:login"))
    check_page(page, "locked-out", status=429)

    # Even the right password is refused while the lock lasts.
    visit(page, url(live_server, "accounts:login"), "login-while-locked")
    page.fill("#id_username", "coordinator")
    page.fill("#id_password", PASSWORD)
    with page.expect_response(lambda r: r.request.method == "POST") as refused:
        submit(page)
    assert refused.value.status == 429
    check_page(page, "still-locked-out", status=429)
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    assert AuditEvent.objects.filter(action="auth.locked_out", actor_username="coordinator").exists()


def test_switch_language_and_back(page, live_server, coordinator):
    login(page, live_server, "coordinator", PASSWORD)
    with translation.override("nl"):
        today_nl = translation.gettext("Today")
    with translation.override("en"):
        today_en = translation.gettext("Today")
    assert today_nl != today_en  # "Vandaag": from Django's own catalog
    nav = page.get_by_role("navigation")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(nav.get_by_role("link", name=today_nl)).to_be_visible()

    page.select_option("#language-select", "en")
    submit(page, "header form.language-form")

    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert path_of(page) == reverse("home")
    expect(nav.get_by_role("link", name=today_en)).to_be_visible()
    check_page(page, "english")
    # The choice sticks on the next page.
    visit(page, url(live_server, "accounts:account"), "english-account-page")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.select_option("#language-select", "nl")
    submit(page, "header form.language-form")

    expect(page.locator("html")).to_have_attribute("lang", "nl")
    assert path_of(page) == reverse("accounts:account")
    check_page(page, "dutch-again")


def test_logout_ends_the_session_for_good(page, live_server, new_context, coordinator):
    login(page, live_server, "coordinator", PASSWORD)
    assert path_of(page) == reverse("home")
    old_cookies = page.context.cookies()
    assert any(c["name"] == "ketenregie_session" for c in old_cookies)

    submit(page, "header form.inline-form")
    assert path_of(page) == reverse("accounts:login")
    check_page(page, "logged-out")
    expect(page.locator("main [role=status]")).to_be_visible()

    # Someone who kept a copy of the cookie gets the login page, not the start page.
    other = new_context().new_page()
    watch(other)
    other.context.add_cookies(old_cookies)
    visit(other, url(live_server, "home"), "old-cookie")
    assert path_of(other) == reverse("accounts:login")
    expect(other.get_by_role("navigation")).to_have_count(0)


def test_administrator_reaches_the_administration(page, live_server, admin_user):
    login(page, live_server, "admin", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("navigation").get_by_role("link").last.click()
    assert path_of(page) == reverse("admin:index")
    check_page(page, "administration")
