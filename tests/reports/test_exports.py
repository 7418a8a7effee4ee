"""Exports leave the chain: no personal identifier in any value, small numbers hidden, pseudonyms stable.

The scan reads every value of every export (each table as CSV and XLSX, the whole workbook, the
pseudonymised trajectories as CSV and XLSX, the API's JSON) and looks for the youths' names,
birth dates (in the ways dates are written), postal codes and municipality, the guardians',
referrers' and network members' names, and the free texts of the cases.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ketenregie.cases.enums import CaseStatus
from ketenregie.cases.models import Case, Guardian, Youth
from ketenregie.network.models import NetworkMember
from ketenregie.reports import exports, figures
from tests.api.test_api_path import Api
from tests.reports.conftest import MUNICIPALITY, params

pytestmark = pytest.mark.django_db
S = CaseStatus


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_values(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))


def xlsx_values(response) -> list[list[str]]:
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    out = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            out.append(["" if v is None else str(v) for v in row])
    return out


def identifiers() -> list[re.Pattern]:
    """Everything that could name or locate a youth of the test."""
    words: set[str] = {MUNICIPALITY}
    dates: set[str] = set()
    for youth in Youth.objects.all():
        words |= {youth.first_name, youth.last_name, youth.full_name, youth.postal_code}
        b = youth.birth_date
        dates |= {b.isoformat(), f"{b:%d/%m/%Y}", f"{b:%d-%m-%Y}", f"{b.day}/{b.month}/{b.year}", f"{b:%Y%m%d}"}
    words |= {g.name for g in Guardian.objects.all()}
    words |= {c.referrer_name for c in Case.objects.all()}
    words |= {m.name for m in NetworkMember.objects.all()}
    words |= {c.trusted_person_name for c in Case.objects.all() if c.trusted_person_name}
    texts = {c.multi_problem for c in Case.objects.all()}
    patterns = [re.compile(rf"(?<![\w]){re.escape(w)}(?![\w])", re.IGNORECASE) for w in words if w]
    patterns += [re.compile(re.escape(d)) for d in dates]
    patterns += [re.compile(re.escape(t[:25])) for t in texts if t]
    return patterns


def leaks(values: list[list[str]], patterns: list[re.Pattern]) -> list[str]:
    found = []
    for row in values:
        for value in row:
            for pattern in patterns:
                if pattern.search(str(value)):
                    found.append(f"{pattern.pattern!r} in {value!r}")
    return found


@pytest.fixture
def cases(youth_case, enrich):
    enrich(youth_case(S.ACTIVE, gender="f"))
    enrich(youth_case(S.ACTIVE, gender="m"))
    youth_case(S.CLOSED)
    youth_case(S.REGISTERED)
    youth_case(S.NOT_INCLUDED)
    youth_case(S.WITHDRAWN)


def test_no_export_holds_a_name_a_birth_date_or_an_address(cases, client_for, strategic, period):
    client = client_for(strategic)
    q = params(period)
    patterns = identifiers()
    assert len(patterns) > 20
    every: dict[str, list[list[str]]] = {}
    for name in figures.NAMES:
        every[f"{name}.csv"] = csv_values(client.get(reverse("reports:table_csv", args=[name]), q))
        every[f"{name}.xlsx"] = xlsx_values(client.get(reverse("reports:table_xlsx", args=[name]), q))
    every["rapport.xlsx"] = xlsx_values(client.get(reverse("reports:report_xlsx"), q))
    every["trajecten.csv"] = csv_values(client.get(reverse("reports:records_csv"), q))
    every["trajecten.xlsx"] = xlsx_values(client.get(reverse("reports:records_xlsx"), q))
    api = Api(strategic)
    for name in figures.NAMES:
        rows = api.get(f"/reports/{name}", {"from": period.start, "to": period.end}).json()["rows"]
        every[f"api {name}"] = [[str(v) for v in row.values()] for row in rows]
    every["api records"] = csv_values(api.get("/exports/records.csv", {"from": period.start, "to": period.end}))

    found = {name: leaks(values, patterns) for name, values in every.items()}
    assert {k: v for k, v in found.items() if v} == {}
    # The scan saw the data: six trajectories, with their pseudonyms.
    assert len(every["trajecten.csv"]) == 1 + 6


def test_one_row_per_trajectory_with_stable_pseudonyms(cases, client_for, strategic, period, settings, chain):
    client = client_for(strategic)
    first = csv_values(client.get(reverse("reports:records_csv"), params(period)))
    again = csv_values(client.get(reverse("reports:records_csv"), params(period)))
    header, rows = first[0], first[1:]
    assert header == exports.record_header() == [c.key for c in exports.record_columns()]
    assert first == again
    by = {key: header.index(key) for key in ("trajectory", "youth", "postal_area", "age_at_registration", "chain")}
    assert len({r[by["trajectory"]] for r in rows}) == 6
    assert all(re.fullmatch(r"[0-9a-f]{20}", r[by["youth"]]) for r in rows)
    assert {r[by["postal_area"]] for r in rows} == {"36"}
    assert {r[by["chain"]] for r in rows} == {chain.slug}
    assert {r[by["age_at_registration"]] for r in rows} == {"15"}

    settings.KETENREGIE_PSEUDONYM_KEY = "another-key-for-another-export-0123456789"
    other = csv_values(client.get(reverse("reports:records_csv"), params(period)))
    assert {r[by["trajectory"]] for r in other[1:]}.isdisjoint({r[by["trajectory"]] for r in rows})


def test_the_trajectories_workbook_carries_its_column_dictionary(cases, client_for, coordinator, period):
    response = client_for(coordinator).get(reverse("reports:records_xlsx"), params(period))
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    assert workbook.sheetnames == ["Trajectories", "Column dictionary"]
    dictionary = list(workbook["Column dictionary"].iter_rows(values_only=True))
    assert dictionary[0][-1] == "Field of the Flemish minimum guideline (2024)"
    assert {row[-1] for row in dictionary[1:]} == {"unknown"}
    assert [row[0] for row in dictionary[1:]] == exports.record_header()


def test_a_chain_with_one_case_shows_every_cell_as_under_five(youth_case, enrich, client_for, strategic, period):
    enrich(youth_case(S.ACTIVE))
    client = client_for(strategic)
    q = params(period)
    numeric_kinds = {"youths", "count", "mean", "percent", "days", "score"}
    for name in figures.NAMES:
        values = csv_values(client.get(reverse("reports:table_csv", args=[name]), q))
        table = figures.compute_one(strategic.memberships.get().chain, period, names=[name]).tables[name]
        numeric = [i for i, c in enumerate(table.columns) if c.kind in numeric_kinds]
        cells = [row[i] for row in values[1:] for i in numeric if row[i] != ""]
        assert cells and set(cells) == {"<5"}, (name, cells)
    api = Api(strategic).get("/reports/gender", {"from": period.start, "to": period.end}).json()
    assert {row["n"] for row in api["rows"]} == {"<5"}
    page = client.get(reverse("reports:report"), {**q, "beschermd": "1"})
    for section in page.context["sections"]:
        for figure in section["figures"]:
            shown = [c for row in figure.shown.rows for c in row[1:] if c.kind in numeric_kinds and c.text]
            assert all(c.suppressed for c in shown), figure.name
