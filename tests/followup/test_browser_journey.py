"""The follow-up journey in Chromium: from a signal on "Vandaag" to a logged contact, and intervision.

The case director sees the signal of a youth out of view first on the start page, opens the signals
page, follows the action to the contacts page, logs a contact there (htmx swaps the list in place),
tries a contact in the future and a cadence of 0 (refused next to the field), records a major event
that puts the case on the OT agenda and acknowledges a remaining signal. The coordinator then sees
the notification and records the team's advice at intervision.

Every page is checked for console errors, CSP violations and WCAG 2.1 AA (axe-core) and
photographed into test-artifacts/<test>/. Texts are looked up in the Dutch catalog by msgid.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from freezegun import freeze_time
from playwright.sync_api import expect

from ketenregie.cases.models import OTAgendaItem
from ketenregie.followup.models import (
    FollowUpContact,
    IntervisionAdvice,
    MajorEvent,
    Notification,
    SignalAcknowledgement,
)
from tests.browser.helpers import check_page, login, submit, visit
from tests.factories import PASSWORD
from tests.followup.conftest import S

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def nl(msgid: str, **values) -> str:
    with translation.override("nl"):
        text = translation.gettext(msgid)
    return text % values if values else text


def test_from_a_signal_to_a_logged_contact_and_the_teams_advice(page, live_server, make_case, builder, coordinator):
    base = live_server.url
    with freeze_time(timezone.now() - timedelta(days=35)):  # out of view, and still no plan
        case = make_case(S.ACTIVE)
    builder.plan_meeting(starts_at=timezone.now() + timedelta(days=6))

    # --- Vandaag: the case director's signals come first ---------------------------------------------
    login(page, live_server, "regisseur1", PASSWORD)
    check_page(page, "vandaag-case-director")
    expect(page.locator(".start-signals")).to_contain_text(case.reference)

    # --- The signals page, and the action that clears "out of view" -----------------------------------
    visit(page, base + reverse("followup:signals"), "signals")
    out_of_view = page.locator(".signal", has=page.locator(".badge--signal-1")).first
    with page.expect_navigation():
        out_of_view.locator(".signal__actions a.button").click()
    assert page.url.endswith(reverse("followup:contacts", kwargs={"case_id": case.pk}))
    check_page(page, "contacts")

    # --- Log a contact: htmx swaps the list in place, no page load -------------------------------------
    page.check("input[name=channel][value=home_visit]")
    page.check("input[name=positive_development]")
    page.fill("#id_note", "Huisbezoek: hij was thuis en wil terug naar school.")
    url = page.url
    page.locator("#contacts form [type=submit]").click()
    expect(page.locator("#contacts .message--success")).to_be_visible()
    assert page.url == url
    expect(page.locator(".contact--positive")).to_contain_text("Huisbezoek: hij was thuis")
    check_page(page, "contact-logged")
    assert FollowUpContact.objects.filter(case=case, positive_development=True).count() == 1

    # --- Refusals next to the fields ---------------------------------------------------------------------
    page.fill("#id_contact_at", (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#contacts form [type=submit]").click()
    expect(page.locator("#id_contact_at_error")).to_have_text(nl("A contact cannot be in the future."))
    check_page(page, "contact-in-the-future")
    page.locator("#ritme summary").click()
    page.fill("#id_days", "0")
    submit(page, "#ritme form")
    expect(page.locator("#id_days_error")).to_have_text(nl("The cadence is between 1 and 90 days."))
    check_page(page, "cadence-refused")

    # --- A major event puts the case on the OT agenda --------------------------------------------------
    visit(page, base + reverse("followup:events", kwargs={"case_id": case.pk}), "events")
    page.select_option("#id_kind", "new_offence")
    page.fill("#id_description", "Betrokken bij een winkeldiefstal.")
    submit(page, "form.event-form")
    expect(page.locator(".event--flagged")).to_contain_text("Betrokken bij een winkeldiefstal.")
    check_page(page, "event-recorded")
    assert MajorEvent.objects.get(case=case).flagged_for_ot

    # --- Acknowledge what is left ------------------------------------------------------------------------
    visit(page, base + reverse("followup:signals"), "signals-after")
    expect(page.locator(".signal")).to_have_count(1)  # contact and view are restored; the plan is not
    page.locator(".signal__ack summary").first.click()
    page.locator(".signal__ack[open] textarea").fill("Netwerkoverleg wordt gepland.")
    submit(page, ".signal__ack[open] form")
    check_page(page, "signal-acknowledged")
    assert SignalAcknowledgement.objects.get(case=case).key.startswith("no_plan:")
    expect(page.locator(".signal")).to_have_count(0)

    # --- The coordinator: the notification, and the team's advice at intervision ----------------------
    page.context.clear_cookies()
    login(page, live_server, "coordinator", PASSWORD, name="login-coordinator")
    check_page(page, "vandaag-coordinator")
    expect(page.locator(".home-tools")).to_be_visible()
    visit(page, base + reverse("followup:notifications"), "notifications")
    expect(page.locator(".notification--unread")).to_contain_text(case.reference)
    assert Notification.objects.filter(user=coordinator, kind="event_flagged").exists()

    # --- The flagged case is on the next OT agenda ------------------------------------------------------
    item = OTAgendaItem.objects.get(case=case, kind="flagged", meeting__status="planned")
    meeting = item.meeting
    visit(page, base + reverse("cases:ot_detail", args=[meeting.pk]), "ot-agenda-with-flagged-case")
    expect(page.locator("main")).to_contain_text(case.reference)
    visit(page, base + reverse("followup:intervision"), "intervision")
    card = page.locator(f"#case-{case.pk}")
    card.locator("textarea").fill("Plan een netwerkoverleg met de school.")
    submit(page, f"#case-{case.pk} form")
    expect(page.locator(f"#case-{case.pk} .advice-given")).to_contain_text("Plan een netwerkoverleg met de school.")
    check_page(page, "advice-recorded")
    assert IntervisionAdvice.objects.get(case=case).created_by == coordinator
