"""The operational coordinator searches the case list by a youth's name in Chromium, and the name is
in no URL the browser requests or keeps (SECURITY.md L9).

Typing in the search box posts it (htmx), the list answers with a redirect to ``?zoek=<token>`` and
the browser's address bar shows that; a reload shows the same search from the session, a filter
changed next to it keeps it, an emptied box shows every case again, and a token that is not (or no
longer) known says to search again. Every request the browser makes is recorded: none holds the name.

Every page is checked for console errors, CSP violations and WCAG 2.1 AA (axe-core) and
photographed into test-artifacts/<test>/.
"""

from __future__ import annotations

import io
import re
from urllib.parse import quote

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from ketenregie.accounts.models import User
from ketenregie.cases import queries, search
from ketenregie.consent import policy
from tests.browser.helpers import check_page, login, submit, visit

DEMO_PASSWORD = "demo"


def nl(msgid: str) -> str:
    with translation.override("nl"):
        return translation.gettext(msgid)


def test_search_the_case_list_without_the_name_in_any_url(page, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    coordinator = User.objects.get(username="coordinator")
    with scopes_disabled():
        visible = policy.visible_cases(coordinator)
        youth = visible.select_related("youth").order_by("reference").first().youth
        matches = queries.filter_cases(visible, today=timezone.localdate(), q=youth.last_name).count()
        total = visible.count()
    assert 0 < matches < total
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    case_list = live_server.url + reverse("cases:case_list")
    rows = page.locator("#case-results table.case-table tbody tr")

    login(page, live_server, "coordinator", DEMO_PASSWORD)
    visit(page, case_list, "case-list")
    expect(rows).to_have_count(min(total, 25))

    # --- Typing searches (htmx posts it) and the address bar gets a token ------------------------------
    page.fill("#id_q", youth.last_name)
    expect(page).to_have_url(re.compile(rf"\?{search.PARAM}=[\w-]+(&|$)"))
    expect(rows).to_have_count(matches)
    expect(rows.first).to_contain_text(youth.last_name)
    check_page(page, "searched")
    token = re.search(rf"{search.PARAM}=([\w-]+)", page.url).group(1)

    # --- A reload shows the same search, from the session ------------------------------------------------
    page.reload()
    expect(page.locator("#id_q")).to_have_value(youth.last_name)
    expect(rows).to_have_count(matches)
    check_page(page, "reloaded")

    # --- A filter next to the search keeps it: the same token, the sort readable in the URL --------------
    page.select_option("#id_sort", "name")
    expect(page).to_have_url(re.compile(r"sort=name"))
    assert f"{search.PARAM}={token}" in page.url
    expect(rows).to_have_count(matches)

    # --- An emptied box shows every case again -------------------------------------------------------------
    page.fill("#id_q", "")
    submit(page, "form[role=search]")
    expect(page).not_to_have_url(re.compile(search.PARAM))
    expect(rows).to_have_count(min(total, 25))
    # Emptying the box also set off the search-as-you-type request (400 ms later): let it finish before
    # the next page, as the live server's threads share one SQLite connection.
    page.wait_for_load_state("networkidle")

    # --- A token this session does not know: the whole list, and a note next to the search box ----------
    visit(page, f"{case_list}?{search.PARAM}=verlopen", "expired-search")
    expect(page.locator("#search-note")).to_have_text(nl("This search has expired. Search again."))
    expect(page.locator("#id_q")).to_have_value("")
    expect(rows).to_have_count(min(total, 25))
    page.fill("#id_q", youth.last_name)
    expect(rows).to_have_count(matches)
    expect(page.locator("#search-note")).to_have_text("")  # the htmx answer clears the note
    check_page(page, "searched-again")

    assert any(f"{search.PARAM}=" in url for url in requested)
    needles = {youth.last_name.lower(), quote(youth.last_name).lower(), youth.first_name.lower()}
    assert [url for url in requested if any(n in url.lower() for n in needles)] == []
