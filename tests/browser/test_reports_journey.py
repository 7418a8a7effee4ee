"""The strategic coordinator reads the chain's report, downloads its tables and the steering group PDF,
and the regional analyst compares the two demo chains, in Chromium.

The data is the demo's own (``seed_demo``: the demo cases and a year of history, all made by the
domain), so this is the journey of the issue's "done when". On the way the period form refuses an
end before the start next to the field, the page shows what leaves the chain ("<5"), and every
download is checked for the youths' names, birth dates and postal codes.

Every page is checked for console errors, CSP violations and WCAG 2.1 AA (axe-core) and
photographed into test-artifacts/<test>/.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from ketenregie.audit.models import AuditEvent
from ketenregie.cases.models import Youth
from ketenregie.reports.models import SteeringText
from tests.browser.helpers import check_page, login, submit, visit

DEMO_PASSWORD = "demo"


def path_of(page: Page) -> str:
    return "/" + page.url.split("/", 3)[3].split("?")[0].split("#")[0]


def click_and_wait(page: Page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def download(page: Page, locator) -> tuple[str, bytes]:
    with page.expect_download() as info:
        locator.click()
    file = info.value
    return file.suggested_filename, Path(file.path()).read_bytes()


def personal_data() -> list[str]:
    out = []
    for youth in Youth.objects.all():
        b = youth.birth_date
        out += [youth.full_name, b.isoformat(), f"{b:%d/%m/%Y}"]
    return out


def test_report_pdf_exports_and_flemish_overview(page, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    base = live_server.url
    year = timezone.localdate().year
    identifiers = personal_data()

    # --- The strategic coordinator's start page leads to the report ------------------------------------------
    login(page, live_server, "strateeg", DEMO_PASSWORD)
    assert path_of(page) == reverse("home")
    check_page(page, "start")
    click_and_wait(page, page.locator(f"main a.button[href='{reverse('reports:report')}?keten=fix-genk']"))
    assert path_of(page) == reverse("reports:report")
    expect(page.locator("h1")).to_contain_text("FIX Genk")
    expect(page.locator(".headline-figures__item")).to_have_count(6)
    figures = page.locator("section.report-figure")
    assert figures.count() == 24
    assert page.locator("figure.report-figure__chart svg[role=img]").count() >= 22
    check_page(page, "report-this-year")

    # --- A period that ends before it starts is refused next to the field ---------------------------------------
    page.select_option("#id_periode", "custom")
    page.fill("#id_van", f"{year}-06-30")
    page.fill("#id_tot", f"{year}-06-01")
    submit(page, "form.report-period")
    expect(page.locator("#id_tot_error")).to_be_visible()
    expect(page.locator("#id_tot")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("section.report-figure")).to_have_count(0)
    check_page(page, "end-before-start")

    # --- This year again, as it leaves the chain: small numbers hidden ------------------------------------------
    page.select_option("#id_periode", "year")
    page.select_option("#id_jaar", str(year))
    page.check("#id_beschermd")
    submit(page, "form.report-period")
    expect(page.locator(".report-note--protected")).to_be_visible()
    assert page.locator("td.report-table__hidden").count() > 10
    check_page(page, "report-protected")

    # --- Downloads: one table, the whole report, the pseudonymised trajectories -------------------------------
    figure = page.locator("#figure-age_bands")
    name, table = download(page, figure.get_by_role("link", name="CSV"))
    assert name == f"fix-genk-age_bands-{year}-01-01_{year}-12-31.csv"
    rows = list(csv.reader(io.StringIO(table.decode("utf-8-sig"))))
    assert len(rows) == 8 and any("<5" in row for row in rows[1:])
    name, workbook = download(page, page.locator(".report-downloads").get_by_role("link").nth(1))
    assert name.endswith(".xlsx") and workbook[:2] == b"PK"
    name, records = download(page, page.locator(f"a[href^='{reverse('reports:records_csv')}']"))
    text = records.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("trajectory,youth,previous_trajectory,chain")
    assert len(text.splitlines()) > 25
    for value in identifiers:
        assert value not in text
        assert value.encode() not in table

    # --- The column dictionary ----------------------------------------------------------------------------------
    click_and_wait(page, page.locator(f"a[href^='{reverse('reports:dictionary')}']"))
    expect(page.locator("table.report-table--dictionary tbody tr")).to_have_count(38)
    check_page(page, "column-dictionary")

    # --- The steering group: write the text, download the PDF ---------------------------------------------------
    visit(page, f"{base}{reverse('reports:steering')}?keten=fix-genk&periode=year&jaar={year}", "steering")
    page.fill("#id_text", "Het bereik bij meisjes stijgt. Vraag aan de stuurgroep: een tweede casusregisseur.")
    submit(page, "main form.stacked")
    expect(page.locator(".messages")).to_be_visible()
    assert SteeringText.objects.get().text.startswith("Het bereik bij meisjes stijgt.")
    check_page(page, "steering-saved")
    name, pdf = download(page, page.locator(f"a[href^='{reverse('reports:steering_pdf')}']"))
    assert pdf.startswith(b"%PDF") and name == f"fix-genk-stuurgroep-{year}-01-01_{year}-12-31.pdf"

    actions = set(AuditEvent.objects.filter(action__startswith="report.").values_list("action", flat=True))
    assert actions == {
        "report.viewed",
        "report.exported",
        "report.records_exported",
        "report.steering_text_saved",
        "report.pdf_downloaded",
    }

    # --- The regional analyst compares the two chains -----------------------------------------------------------
    page.context.clear_cookies()
    login(page, live_server, "analist", DEMO_PASSWORD)
    click_and_wait(page, page.locator(f".main-nav a[href='{reverse('reports:compare')}']"))
    assert path_of(page) == reverse("reports:compare")
    headline = page.locator("#figure-headline table")
    expect(headline.locator("thead th")).to_have_count(3)
    expect(headline.locator("thead")).to_contain_text("FIX Genk")
    expect(headline.locator("thead")).to_contain_text("KOMPAS+ Antwerpen")
    assert page.locator("figure.report-figure__chart svg[role=img]").count() >= 18
    check_page(page, "flemish-overview")
    html = page.content()
    for value in identifiers:
        assert value not in html
    # The chain's own report is not for the analyst.
    response = page.goto(f"{base}{reverse('reports:report')}?keten=fix-genk")
    assert response.status == 404
    check_page(page, "analyst-no-chain-report", status=404)
