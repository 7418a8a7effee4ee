"""A case director opens a case with a long history: the case page tells the newest events and
links to the whole history, which tells every event, oldest first, and leads back to the case.

Every page is checked (console, CSP, axe) and photographed into test-artifacts/.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from ketenregie.cases import domain as cases_domain
from ketenregie.cases.timeline import build_timeline
from ketenregie.cases.views.case_page import LATEST_EVENTS
from tests.browser.helpers import check_page, login, visit
from tests.factories import PASSWORD
from tests.page_queries import grow_case
from tests.plans import fixtures as plan_fixtures

legal_basis = plan_fixtures.legal_basis
make_active_case = plan_fixtures.make_active_case
network = plan_fixtures.network
case = plan_fixtures.case


def nl(msgid: str, plural: str | None = None, n: int = 0) -> str:
    with translation.override("nl"):
        if plural is None:
            return translation.gettext(msgid)
        return translation.ngettext(msgid, plural, n) % {"n": n}


def test_read_the_whole_history_of_a_long_case(page, live_server, case, network, coordinator, case_director):
    grow_case(case, coordinator=coordinator, director=case_director, network_member=network["clb"], n=4)
    cases_domain.flag_for_ot(actor=coordinator, case=case, reason="Evaluatie.")
    with translation.override("nl"):
        whole = [event.sentence for event in build_timeline(case)]
    assert len(whole) > LATEST_EVENTS
    login(page, live_server, case_director.username, PASSWORD)

    visit(page, live_server.url + reverse("cases:case_detail", args=[case.pk]), "case-page-latest-events")
    history = page.locator("section[aria-labelledby=timeline-title]")
    expect(history).to_contain_text(nl("The latest event.", "The latest %(n)s events.", LATEST_EVENTS))
    events = history.locator(".timeline__event")
    expect(events).to_have_count(LATEST_EVENTS)
    for text, sentence in zip(events.all_inner_texts(), whole[-LATEST_EVENTS:], strict=True):
        assert sentence in text

    with page.expect_navigation():
        history.get_by_role("link", name=nl("Show the whole history")).click()
    check_page(page, "whole-history")
    expect(page.get_by_role("heading", level=2)).to_have_text(
        nl("%(n)s event, oldest first", "%(n)s events, oldest first", len(whole))
    )
    events = page.locator(".timeline__event")
    expect(events).to_have_count(len(whole))
    for text, sentence in zip(events.all_inner_texts(), whole, strict=True):
        assert sentence in text

    with page.expect_navigation():
        page.get_by_role("link", name=nl("Back to the case")).click()
    check_page(page, "back-on-the-case-page")
    assert page.url.rstrip("/").endswith(str(case.pk))
