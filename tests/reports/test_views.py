"""The report pages: who sees them (everyone else: 404), the period form, charts with tables,
the protected view, the steering group text and PDF, the Flemish overview, and the audit trail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ketenregie.accounts.enums import Role
from ketenregie.audit.models import AuditEvent
from ketenregie.cases.enums import CaseStatus
from ketenregie.reports import views
from ketenregie.reports.models import SteeringText
from tests.factories import MembershipFactory
from tests.reports.conftest import params

pytestmark = pytest.mark.django_db
S = CaseStatus

CHAIN_PAGES = [
    "reports:report",
    "reports:report_xlsx",
    "reports:records_csv",
    "reports:records_xlsx",
    "reports:dictionary",
    "reports:dictionary_csv",
    "reports:steering",
    "reports:steering_pdf",
]


def chain_urls() -> list[str]:
    return [reverse(name) for name in CHAIN_PAGES] + [
        reverse("reports:table_csv", args=["consults"]),
        reverse("reports:table_xlsx", args=["age_bands"]),
    ]


@pytest.mark.parametrize(
    "who", ["case_director", "ot_member", "partner", "admin_user", "no_role_user", "outsider", "regional_analyst"]
)
def test_the_chain_report_is_not_found_for_anyone_but_its_coordinators(request, who, client_for, chain, youth_case):
    youth_case(S.ACTIVE)
    client = client_for(request.getfixturevalue(who))
    for url in chain_urls():
        assert client.get(url, {"keten": chain.slug}).status_code == 404, url
        if who != "outsider":  # the other chain's coordinator has a report: of their own chain
            assert client.get(url).status_code == 404, url
    assert not AuditEvent.objects.filter(action__startswith="report.", chain_id=chain.pk).exists()


def test_the_flemish_overview_is_not_found_for_coordinators(client_for, strategic, coordinator):
    for user in (strategic, coordinator):
        client = client_for(user)
        assert client.get(reverse("reports:compare")).status_code == 404
        assert client.get(reverse("reports:compare_csv", args=["consults"])).status_code == 404


@pytest.mark.parametrize("who", ["strategic", "coordinator"])
def test_a_coordinator_sees_every_figure_with_a_chart_and_a_table(request, who, client_for, youth_case, enrich, period):
    enrich(youth_case(S.ACTIVE))
    youth_case(S.REGISTERED)
    response = client_for(request.getfixturevalue(who)).get(reverse("reports:report"), params(period))

    assert response.status_code == 200
    html = response.content.decode()
    for name in views.figures.NAMES:
        assert f'id="figure-{name}"' in html, name
    drawn = [f.name for section in response.context["sections"] for f in section["figures"] if not f.empty]
    assert len(drawn) >= 16
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="report-chart__svg"') == len(drawn)
    assert html.count('role="img"') == html.count("<svg xmlns")
    assert html.count('<table class="report-table">') == len(drawn)
    assert "Exact numbers, for use within the chain." in html
    event = AuditEvent.objects.get(action="report.viewed")
    assert event.details == {"from": period.start.isoformat(), "to": period.end.isoformat(), "protected": False}
    assert event.chain_id is not None and event.case_id is None


def test_the_page_can_show_what_leaves_the_chain(client_for, coordinator, youth_case, period):
    youth_case(S.ACTIVE)
    response = client_for(coordinator).get(reverse("reports:report"), params(period, beschermd="1"))
    html = response.content.decode()
    assert "Numbers under 5 are hidden" in html
    assert "fewer than 5" in html
    assert AuditEvent.objects.get(action="report.viewed").details["protected"] is True


def test_an_end_before_the_start_is_refused_next_to_the_field(client_for, strategic):
    response = client_for(strategic).get(
        reverse("reports:report"), {"periode": "custom", "van": "2026-06-30", "tot": "2026-06-01"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<p class="error" id="id_tot_error">The end of the period lies before its start.</p>', html)
    assert 'aria-invalid="true"' in html
    assert "Correct the period to see the figures." in html
    assert not AuditEvent.objects.filter(action="report.viewed").exists()
    # A download with a wrong period is a bad request, not a file.
    bad = client_for(strategic).get(
        reverse("reports:table_csv", args=["consults"]), {"periode": "custom", "van": "2026-06-30", "tot": "2026-06-01"}
    )
    assert bad.status_code == 400


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"periode": "custom", "van": "2026-01-01"}, "tot"),
        ({"periode": "custom", "van": "2001-01-01", "tot": "2026-01-01"}, "tot"),
        ({"periode": "month", "maand": "2026-13"}, "maand"),
        ({"periode": "quarter", "kwartaal": "1999-9"}, "kwartaal"),
        ({"periode": "decade"}, "periode"),
    ],
)
def test_other_bad_periods_are_named_at_their_field(client_for, strategic, query, field):
    html = client_for(strategic).get(reverse("reports:report"), query).content.decode()
    assert f'id="id_{field}_error"' in html


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ({"periode": "month", "maand": "2026-02"}, "2026-02-01", "2026-02-28"),
        ({"periode": "quarter", "kwartaal": "2025-4"}, "2025-10-01", "2025-12-31"),
        ({"periode": "year", "jaar": "2024"}, "2024-01-01", "2024-12-31"),
        ({"periode": "custom", "van": "2026-03-05", "tot": "2026-03-05"}, "2026-03-05", "2026-03-05"),
    ],
)
def test_month_quarter_year_and_custom_periods(client_for, strategic, query, start, end):
    assert client_for(strategic).get(reverse("reports:report"), query).status_code == 200
    assert AuditEvent.objects.get(action="report.viewed").details["from"] == start
    assert AuditEvent.objects.get(action="report.viewed").details["to"] == end


def test_an_empty_period_says_so(client_for, strategic, youth_case):
    youth_case(S.ACTIVE)
    html = client_for(strategic).get(reverse("reports:report"), {"periode": "year", "jaar": "2019"}).content.decode()
    assert "Nothing was registered, decided or closed in this period." in html
    assert html.count("Nothing to count in this period.") == len(views.figures.NAMES)
    assert "<svg xmlns" not in html


def test_several_chains_are_chosen_by_their_short_name(client_for, strategic, other_chain, chain):
    MembershipFactory(user=strategic, chain=other_chain, role=Role.STRATEGIC_COORDINATOR)
    client = client_for(strategic)
    html = client.get(reverse("reports:report"), {"keten": other_chain.slug}).content.decode()
    assert "Figures of KOMPAS+ Antwerpen" in html and 'name="keten"' in html
    assert client.get(reverse("reports:report"), {"keten": "bestaat-niet"}).status_code == 404


def test_downloads_are_streamed_files_and_audited(client_for, strategic, youth_case, period):
    youth_case(S.ACTIVE)
    client = client_for(strategic)
    csv = client.get(reverse("reports:table_csv", args=["gender"]), params(period))
    assert csv.streaming and csv["Content-Type"].startswith("text/csv")
    assert csv["Content-Disposition"] == f'attachment; filename="fix-genk-gender-{period.slug}.csv"'
    body = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0] == "Gender,Youths"
    assert "<5" in body
    xlsx = client.get(reverse("reports:table_xlsx", args=["gender"]), params(period))
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"
    whole = client.get(reverse("reports:report_xlsx"), params(period))
    assert b"".join(whole.streaming_content)[:2] == b"PK"
    assert client.get(reverse("reports:table_csv", args=["bestaat_niet"]), params(period)).status_code == 404
    exported = AuditEvent.objects.filter(action="report.exported").order_by("id")
    assert [(e.details["table"], e.details["format"]) for e in exported] == [
        ("gender", "csv"),
        ("gender", "xlsx"),
        ("all", "xlsx"),
    ]


def test_the_steering_group_text_is_written_by_the_strategist_only(client_for, strategic, coordinator, period):
    url = f"{reverse('reports:steering')}?{'&'.join(f'{k}={v}' for k, v in params(period).items())}"
    text = "Het bereik bij meisjes blijft laag; we bespreken dit met de scholen."
    response = client_for(strategic).post(url, {"text": text})
    assert response.status_code == 302
    saved = SteeringText.objects.get()
    assert (saved.text, saved.date_from, saved.date_to, saved.updated_by) == (text, period.start, period.end, strategic)
    event = AuditEvent.objects.get(action="report.steering_text_saved")
    assert text not in str(event.details) and event.details["characters"] == len(text)

    page = client_for(coordinator).get(url).content.decode()
    assert text in page and "<textarea" not in page
    assert client_for(coordinator).post(url, {"text": "Iets anders"}).status_code == 404
    assert SteeringText.objects.get().text == text


def test_the_steering_group_pdf_is_dutch_protected_and_audited(client_for, strategic, youth_case, period, enrich):
    enrich(youth_case(S.ACTIVE))
    response = client_for(strategic).get(reverse("reports:steering_pdf"), params(period))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content[:5] == b"%PDF-"
    assert response["Content-Disposition"] == f'attachment; filename="fix-genk-stuurgroep-{period.slug}.pdf"'
    assert AuditEvent.objects.filter(action="report.pdf_downloaded").count() == 1


def test_the_steering_group_document_holds_the_text_the_figures_and_the_decisions(
    strategic, youth_case, enrich, chain, period
):
    from django.utils import translation

    from ketenregie.reports import domain, figures

    enrich(youth_case(S.ACTIVE))
    today = timezone.localdate()
    domain.save_steering_text(actor=strategic, chain=chain, period=period, text="Een <b>sterk</b> jaar.")
    with translation.override("nl"):
        result = figures.compute_one(chain, period)
        items = [views._figure(t, 5, chart_id=f"pdf-{t.name}") for t in result.tables.values()]
        html = render_to_string(
            "reports/steering_pdf.html",
            {
                "chain": chain,
                "period": period,
                "period_label": period.label,
                "threshold": 5,
                "headline": views._headline_shown(result, 5),
                "sections": views._sections(items, result.tables),
                "decisions": next(f for f in items if f.name == "ot_decisions"),
                "not_included": next(f for f in items if f.name == "not_included"),
                "text": domain.steering_text_for(chain, period).text,
                "printed_on": today,
            },
        )
    assert "Een &lt;b&gt;sterk&lt;/b&gt; jaar." in html
    assert '<html lang="nl">' in html
    assert html.count("<svg xmlns") >= 16
    assert "&lt;5" in html and '<td class="num">1</td>' not in html  # one youth: hidden everywhere


def test_the_strategists_start_page_and_navigation_lead_to_the_report(client_for, strategic, youth_case):
    youth_case(S.ACTIVE)
    html = client_for(strategic).get(reverse("home")).content.decode()
    assert f'href="{reverse("reports:report")}"' in html
    assert "Figures and steering group report" in html


def test_the_analysts_start_page_and_navigation_lead_to_the_overview(client_for, regional_analyst):
    html = client_for(regional_analyst).get(reverse("home")).content.decode()
    assert f'href="{reverse("reports:compare")}"' in html
    assert "Compare the chains" in html


def test_the_flemish_overview_puts_chains_side_by_side_with_small_numbers_hidden(
    client_for, regional_analyst, youth_case, period, chain, other_chain
):
    for _i in range(6):
        youth_case(S.REGISTERED)
    response = client_for(regional_analyst).get(reverse("reports:compare"), params(period))
    assert response.status_code == 200
    html = response.content.decode()
    assert "FIX Genk" in html and "KOMPAS+ Antwerpen" in html
    headline = response.context["headline"]
    registrations = next(row for row in headline.rows if row[0].text == "Registrations")
    assert [c.text for c in registrations[1:]] == ["6", "<5"]
    assert "Zwartberg" not in html
    event = AuditEvent.objects.get(action="report.compared")
    assert set(event.details["chains"]) == {str(chain.pk), str(other_chain.pk)}

    one = client_for(regional_analyst).get(reverse("reports:compare"), {**params(period), "keten": chain.slug})
    assert [c.label for c in one.context["headline"].columns[1:]] == ["FIX Genk"]
    csv = client_for(regional_analyst).get(reverse("reports:compare_csv", args=["gender"]), params(period))
    assert b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()[0] == "Gender,FIX Genk,KOMPAS+ Antwerpen"
    assert client_for(regional_analyst).get(reverse("reports:compare"), {"keten": "elders"}).status_code == 404


def test_the_column_dictionary_says_unknown_where_the_guideline_is_not_known(client_for, coordinator):
    html = client_for(coordinator).get(reverse("reports:dictionary")).content.decode()
    assert "age_at_registration" in html and "unknown" in html
    csv = client_for(coordinator).get(reverse("reports:dictionary_csv"))
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].endswith("Field of the Flemish minimum guideline (2024)")
    assert all(line.endswith(",unknown") for line in lines[1:])


def test_reading_the_report_changes_nothing_but_the_audit_log(client_for, strategic, youth_case, period):
    from ketenregie.cases.models import Case

    youth_case(S.ACTIVE)
    before = (Case.objects.count(), SteeringText.objects.count())
    client_for(strategic).get(reverse("reports:report"), params(period))
    assert (Case.objects.count(), SteeringText.objects.count()) == before
    assert timezone.now() - AuditEvent.objects.get(action="report.viewed").occurred_at < timedelta(minutes=1)


def test_every_report_route_declares_its_access_and_sends_visitors_to_the_login(client):
    from ketenregie.common.access import API, CHAIN_MEMBER
    from tests.routes import all_routes

    routes = [
        r for r in all_routes() if r.namespace == "reports" or r.url.startswith(("/api/v1/reports", "/api/v1/exports/"))
    ]
    assert len(routes) >= 15
    for route in routes:
        if route.url.startswith("/api/"):
            assert route.access_rule == API, route
            response = client.get(route.url)
            assert response.status_code == 401 and response["Content-Type"].startswith("application/problem+json")
        else:
            assert route.access_rule == CHAIN_MEMBER, route
            response = client.get(route.url)
            assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
