"""Reports: each figure of a chain as JSON, and each table (or the pseudonymised trajectories) as CSV/XLSX.

Thin: parse the chain and the period, ask ``reports.queries`` who may see what, let
``reports.figures`` count, protect, answer. What the API gives leaves the chain, so every number
under the chain's threshold reads "<N" (a string where the number would be). A user without a
reporting role gets 404; a chain the user does not report on, or an end before the start, a 422
with a field error.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from ketenregie.api.routers import shared
from ketenregie.api.schemas import PROBLEM_CONTENT, Day, Slug, responses
from ketenregie.audit.domain import log
from ketenregie.chains.models import Chain
from ketenregie.reports import exports, figures
from ketenregie.reports.periods import CUSTOM, MAX_DAYS, Period
from ketenregie.reports.queries import ANALYST_ROLES, REPORT_ROLES, chains_with
from ketenregie.reports.tables import present, thresholds_for

router = Router(tags=["reports"])

EXPORT_NAMES = (*figures.NAMES, "records", "dictionary")
FILE_CONTENT = {
    "csv": {"text/csv": {"schema": {"type": "string"}}},
    "xlsx": {exports.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
}


class ReportIndexOut(Schema):
    name: str
    title: str
    description: str


class ColumnOut(Schema):
    key: str
    label: str
    kind: str = Field(description="label, youths, count, mean, percent, days or score.")


class ReportOut(Schema):
    name: str
    title: str
    description: str
    chain: dict
    period: dict
    threshold: int = Field(description="Numbers under this are hidden, and so is every figure based on them.")
    columns: list[ColumnOut]
    rows: list[dict[str, Any]] = Field(
        description='One object per row, keyed by column: text, a number, null (not applicable) or "<N" (hidden).'
    )


def _roles(*, records: bool) -> set[str]:
    return set(REPORT_ROLES) if records else set(REPORT_ROLES) | set(ANALYST_ROLES)


def _chain(request: HttpRequest, slug: str | None, *, records: bool = False) -> Chain:
    roles = _roles(records=records)
    if not chains_with(request.user, tuple(roles)):
        raise Http404
    return shared.chain_for(request.user, slug, roles)


def _period(start: date | None, end: date | None) -> Period:
    year = timezone.localdate().year
    start = start or date(year, 1, 1)
    end = end or date(year, 12, 31)
    if end < start:
        raise shared.field_error("to", _("The end of the period lies before its start."))
    if (end - start).days + 1 > MAX_DAYS:
        raise shared.field_error("to", _("Choose a period of at most five years."))
    return Period(start, end, CUSTOM)


def _audit(request: HttpRequest, action: str, chain: Chain, period: Period, **details: Any) -> None:
    log(
        action,
        actor=request.user,
        object_type="chains.chain",
        object_id=str(chain.pk),
        chain_id=chain.pk,
        details={"from": period.start.isoformat(), "to": period.end.isoformat(), "channel": "api", **details},
    )


@router.get(
    "/reports",
    response=responses({200: list[ReportIndexOut]}),
    openapi_extra=PROBLEM_CONTENT,
    summary="The figures there are",
    description="Every name accepted by `/reports/{name}` and `/exports/{name}.csv|.xlsx`.",
)
def list_reports(request: HttpRequest):
    if not chains_with(request.user, tuple(_roles(records=False))):
        raise Http404
    period = Period.current_year()
    chain = chains_with(request.user, tuple(_roles(records=False)))[0]
    # Titles and descriptions come with the tables; an empty period costs the same few queries.
    empty = Period(period.start, period.start, CUSTOM)
    report = figures.compute_one(chain, empty)
    return [{"name": n, "title": t.title, "description": t.description} for n, t in report.tables.items()]


@router.get(
    "/reports/{name}",
    response=responses({200: ReportOut}),
    openapi_extra=PROBLEM_CONTENT,
    summary="One figure of a chain for a period",
    description=(
        "For the chain's strategic and operational coordinators and for regional analysts. `from` and `to` are "
        "days (both included); without them, the current calendar year. Numbers under the chain's threshold are "
        'hidden: their value is the string `"<N"`.'
    ),
)
def get_report(
    request: HttpRequest,
    name: str,
    chain: Slug | None = None,
    date_from: Day | None = Query(None, alias="from"),  # noqa: B008 - django-ninja's way to name a parameter
    date_to: Day | None = Query(None, alias="to"),  # noqa: B008
):
    if name not in figures.NAMES:
        raise Http404
    the_chain = _chain(request, chain)
    period = _period(date_from, date_to)
    threshold = thresholds_for([the_chain])[the_chain.pk]
    table = figures.compute_one(the_chain, period, names=[name]).tables[name]
    shown = present(table, threshold)
    _audit(request, "report.viewed", the_chain, period, table=name)
    return {
        "name": name,
        "title": table.title,
        "description": table.description,
        "chain": shared.chain_ref(the_chain),
        "period": {"from": period.start, "to": period.end},
        "threshold": threshold,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in shown.columns],
        "rows": [{c.key: cell.export for c, cell in zip(shown.columns, row, strict=True)} for row in shown.rows],
    }


def _export(request: HttpRequest, name: str, fmt: str, chain: str | None, start: date | None, end: date | None):
    if name not in EXPORT_NAMES:
        raise Http404
    chunks: Iterator[Any]
    if name == "dictionary":
        _chain(request, chain, records=True)
        columns, meanings = exports.dictionary_rows()
        chunks = (
            exports.csv_lines(columns, meanings)
            if fmt == "csv"
            else exports.xlsx_chunks([(_("Columns"), columns, meanings)])
        )
        return exports.download(
            chunks,
            content_type=exports.CSV_TYPE if fmt == "csv" else exports.XLSX_TYPE,
            filename=f"trajecten-kolommen.{fmt}",
        )
    records = name == "records"
    the_chain = _chain(request, chain, records=records)
    period = _period(start, end)
    if records:
        _audit(request, "report.records_exported", the_chain, period, format=fmt)
        header = exports.record_header()
        rows = exports.record_rows(the_chain, period)
        filename = f"{the_chain.slug}-trajecten-{period.slug}.{fmt}"
        if fmt == "csv":
            chunks = exports.csv_lines(header, rows)
        else:
            dictionary_header, dictionary = exports.dictionary_rows()
            chunks = exports.xlsx_chunks(
                [(_("Trajectories"), header, rows), (_("Column dictionary"), dictionary_header, dictionary)]
            )
    else:
        threshold = thresholds_for([the_chain])[the_chain.pk]
        shown = present(figures.compute_one(the_chain, period, names=[name]).tables[name], threshold)
        _audit(request, "report.exported", the_chain, period, table=name, format=fmt)
        filename = f"{the_chain.slug}-{name}-{period.slug}.{fmt}"
        chunks = exports.table_csv(shown) if fmt == "csv" else exports.xlsx_chunks([exports.table_sheet(shown)])
    return exports.download(
        chunks, content_type=exports.CSV_TYPE if fmt == "csv" else exports.XLSX_TYPE, filename=filename
    )


EXPORT_DESCRIPTION = (
    "`name` is a figure of `/reports`, `records` (one pseudonymised row per trajectory; coordinators only) or "
    "`dictionary` (the columns of `records`, with their mapping to the Flemish minimum guideline). Tables hide "
    "numbers under the chain's threshold. The file streams: it starts at once, however long it is."
)


@router.get(
    "/exports/{name}.csv",
    response=responses({200: None}),
    openapi_extra={
        **PROBLEM_CONTENT,
        "responses": {**PROBLEM_CONTENT["responses"], 200: {"content": FILE_CONTENT["csv"]}},
    },
    summary="A table, or the pseudonymised trajectories, as CSV",
    description=EXPORT_DESCRIPTION,
)
def export_csv(
    request: HttpRequest,
    name: str,
    chain: Slug | None = None,
    date_from: Day | None = Query(None, alias="from"),  # noqa: B008
    date_to: Day | None = Query(None, alias="to"),  # noqa: B008
):
    return _export(request, name, "csv", chain, date_from, date_to)


@router.get(
    "/exports/{name}.xlsx",
    response=responses({200: None}),
    openapi_extra={
        **PROBLEM_CONTENT,
        "responses": {**PROBLEM_CONTENT["responses"], 200: {"content": FILE_CONTENT["xlsx"]}},
    },
    summary="A table, or the pseudonymised trajectories, as an Excel workbook",
    description=EXPORT_DESCRIPTION,
)
def export_xlsx(
    request: HttpRequest,
    name: str,
    chain: Slug | None = None,
    date_from: Day | None = Query(None, alias="from"),  # noqa: B008
    date_to: Day | None = Query(None, alias="to"),  # noqa: B008
):
    return _export(request, name, "xlsx", chain, date_from, date_to)
