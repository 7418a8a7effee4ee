"""The reports API: each figure as JSON, each table and the trajectories as CSV/XLSX, problem+json errors.

What the API gives leaves the chain: small numbers are hidden. A user without a reporting role gets
404; a chain the user does not report on, or a period that ends before it starts, a 422 with the field.
"""

from __future__ import annotations

import pytest

from ketenregie.audit.models import AuditEvent
from ketenregie.cases.enums import CaseStatus
from tests.api.test_api_path import Api, ok, problem

pytestmark = pytest.mark.django_db
S = CaseStatus


def span(period) -> dict:
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}


def test_a_figure_as_json(youth_case, strategic, period, chain):
    for _i in range(6):
        youth_case(S.REGISTERED, gender="m")
    body = ok(Api(strategic).get("/reports/gender", span(period)))
    assert body["name"] == "gender" and body["chain"] == {"slug": chain.slug, "name": chain.name}
    assert body["period"] == span(period) and body["threshold"] == 5
    assert [c["key"] for c in body["columns"]] == ["label", "n"]
    assert {r["label"]: r["n"] for r in body["rows"]} == {
        "Girl / woman": "<5",
        "Boy / man": 6,
        "Other / non-binary": "<5",
        "Not known": "<5",
    }
    event = AuditEvent.objects.get(action="report.viewed")
    assert event.details["table"] == "gender" and event.details["channel"] == "api" and event.channel == "api"


def test_the_list_of_figures(strategic):
    body = ok(Api(strategic).get("/reports"))
    assert "funnel" in {r["name"] for r in body} and all(r["title"] for r in body)


def test_without_a_period_the_current_year(strategic):
    body = ok(Api(strategic).get("/reports/consults"))
    assert body["period"]["from"].endswith("-01-01") and body["period"]["to"].endswith("-12-31")


def test_bad_requests_are_problems(strategic, coordinator, case_director, other_chain, admin_user):
    api = Api(strategic)
    body = problem(api.get("/reports/consults", {"from": "2026-06-30", "to": "2026-06-01"}), 422)
    assert body["errors"] == [{"field": "to", "message": "The end of the period lies before its start."}]
    problem(api.get("/reports/consults", {"from": "2001-01-01", "to": "2026-06-01"}), 422)
    problem(api.get("/reports/consults", {"from": "gisteren"}), 422)
    problem(api.get("/reports/bestaat_niet"), 404)
    body = problem(api.get("/reports/consults", {"chain": other_chain.slug}), 422)
    assert body["errors"][0]["field"] == "chain"
    problem(api.get("/exports/bestaat_niet.csv"), 404)
    for user in (case_director, admin_user):
        problem(Api(user).get("/reports/consults"), 404)
        problem(Api(user).get("/reports"), 404)
        problem(Api(user).get("/exports/records.csv"), 404)


def test_exports_as_csv_and_xlsx(youth_case, coordinator, period):
    youth_case(S.ACTIVE)
    api = Api(coordinator)
    csv = api.get("/exports/age_bands.csv", span(period))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    assert b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()[0] == "Age,Youths"
    xlsx = api.get("/exports/records.xlsx", span(period))
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    dictionary = api.get("/exports/dictionary.csv")
    assert b"unknown" in b"".join(dictionary.streaming_content)
    actions = list(AuditEvent.objects.filter(action__startswith="report.").values_list("action", flat=True))
    assert actions == ["report.exported", "report.records_exported"]


def test_a_regional_analyst_gets_protected_figures_but_no_trajectories(youth_case, regional_analyst, period, chain):
    youth_case(S.ACTIVE)
    api = Api(regional_analyst)
    body = ok(api.get("/reports/gender", {**span(period), "chain": chain.slug}))
    assert {r["n"] for r in body["rows"]} == {"<5"}
    problem(api.get("/exports/records.csv", {**span(period), "chain": chain.slug}), 404)


def test_the_operations_are_in_the_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/reports",
        "/api/v1/reports/{name}",
        "/api/v1/exports/{name}.csv",
        "/api/v1/exports/{name}.xlsx",
    } <= set(paths)
    params = {p["name"] for p in paths["/api/v1/reports/{name}"]["get"]["parameters"]}
    assert {"chain", "from", "to"} <= params
