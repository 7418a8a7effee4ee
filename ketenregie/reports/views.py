"""Report pages: a chain's figures with charts, its downloads, the steering group PDF, the Flemish overview.

Thin views: the period form parses, ``reports.queries`` decides who sees what (everyone else gets
the same 404), ``reports.figures`` counts, ``reports.tables.present`` protects, and every view and
download writes an audit entry that names the chain, the period and the table — never a figure.

On the chain's own page its coordinators see exact numbers (they work with these cases); every
download, the PDF, the API and the Flemish overview leave the chain and so always show cells under
the threshold as "<N". The page can show that protected version too (``beschermd=1``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ketenregie.accounts.models import User
from ketenregie.audit.domain import log
from ketenregie.cases.pdf import pdf_response, render_pdf
from ketenregie.chains.models import Chain
from ketenregie.common.access import CHAIN_MEMBER, access_rule
from ketenregie.common.errors import DomainError, NotAllowed
from ketenregie.reports import domain, exports, figures
from ketenregie.reports.charts import chart_for
from ketenregie.reports.forms import PeriodForm, SteeringTextForm
from ketenregie.reports.periods import Period
from ketenregie.reports.queries import analyst_chains, may_write_steering_text, report_chains
from ketenregie.reports.tables import LABEL, YOUTHS, Cell, Chart, Column, Shown, Table, present, thresholds_for

FORMATS = ("csv", "xlsx")

# The column of each table that the Flemish overview puts side by side, chain by chain.
COMPARE: dict[str, str] = {
    "consults": "n",
    "referrers": "n",
    "funnel": "n",
    "not_included": "n",
    "ot_decisions": "n",
    "status_over_time": "active",
    "cases_per_month": "new",
    "duration": "days",
    "duration_bands": "n",
    "age_bands": "n",
    "gender": "n",
    "framework": "n",
    "minors": "n",
    "offences": "n",
    "group_offences": "n",
    "network": "mean",
    "support_at_closure": "n",
    "follow_up": "per_case",
    "out_of_view": "n",
    "plans": "share_done",
    "progress": "last",
    "closures": "n",
    "reregistration": "n",
}


@dataclass
class Figure:
    name: str
    title: str
    description: str
    shown: Shown
    svg: SafeString | None
    empty: bool
    csv_url: str = ""
    xlsx_url: str = ""
    column_note: str = ""
    compare: bool = False  # a column per chain

    @property
    def wide(self) -> bool:
        """More than one number per row: the table goes under its chart rather than beside it."""
        columns = len(self.shown.columns)
        return columns > 3 or (columns == 3 and (self.compare or self.shown.columns[1].kind == "label"))


# --- Helpers -----------------------------------------------------------------------------------------


def _chosen(chains: list[Chain], wanted: str | None) -> Chain:
    if not chains:
        raise Http404
    if wanted:
        for chain in chains:
            if chain.slug == wanted:
                return chain
        raise Http404
    return chains[0]


def _report_chain(request: HttpRequest) -> tuple[Chain, list[Chain]]:
    """The chain whose report is asked (``?keten=slug``) among those the user coordinates; else 404."""
    chains = report_chains(request.user)
    return _chosen(chains, request.GET.get("keten") or request.POST.get("keten")), chains


def _period_form(request: HttpRequest) -> tuple[PeriodForm, Period | None]:
    if "periode" in request.GET:
        form = PeriodForm(request.GET)
        return form, form.period
    return PeriodForm(), Period.current_year()


def _query(period: Period, chain: Chain | None = None, **extra: Any) -> str:
    params = {**({"keten": chain.slug} if chain is not None else {}), **period.as_query()}
    params.update({k: v for k, v in extra.items() if v})
    return urlencode(params)


def _audit(request: HttpRequest, action: str, chain: Chain | None, period: Period, **details: Any) -> None:
    log(
        action,
        actor=request.user,
        object_type="chains.chain" if chain is not None else "",
        object_id=str(chain.pk) if chain is not None else "",
        chain_id=chain.pk if chain is not None else None,
        details={"from": period.start.isoformat(), "to": period.end.isoformat(), **details},
    )


def _figure(table: Table, threshold: int | None, *, chart_id: str, query: str = "") -> Figure:
    shown = present(table, threshold)
    return Figure(
        name=table.name,
        title=table.title,
        description=table.description,
        shown=shown,
        svg=chart_for(shown, chart_id=chart_id) if not table.is_empty else None,
        empty=table.is_empty,
        csv_url=f"{reverse('reports:table_csv', args=[table.name])}?{query}" if query else "",
        xlsx_url=f"{reverse('reports:table_xlsx', args=[table.name])}?{query}" if query else "",
    )


def _sections(items: list[Figure], tables: dict[str, Table]) -> list[dict]:
    titles = figures.section_titles()
    out: list[dict] = []
    for figure in items:
        section = tables[figure.name].section
        if not out or out[-1]["key"] != section:
            out.append({"key": section, "title": titles.get(section, ""), "figures": []})
        out[-1]["figures"].append(figure)
    return out


def _headline_shown(report: figures.Report, threshold: int | None) -> list[tuple[str, Cell]]:
    table = Table(
        name="headline",
        title="",
        description="",
        columns=[Column("label", "", LABEL), Column("n", "", YOUTHS)],
        rows=[{"label": h.label, "n": h.value} for h in report.headline],
    )
    shown = present(table, threshold)
    return [(row[0].text, row[1]) for row in shown.rows]


def _bad_period(request: HttpRequest, form: PeriodForm, chain: Chain, chains: list[Chain]) -> HttpResponse:
    return render(
        request,
        "reports/report.html",
        {"chain": chain, "chains": chains, "form": form, "report": None},
        status=400,
    )


# --- The chain's report ------------------------------------------------------------------------------------


@access_rule(CHAIN_MEMBER)
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    chain, chains = _report_chain(request)
    form, period = _period_form(request)
    protected = request.GET.get("beschermd") == "1"
    threshold = thresholds_for([chain])[chain.pk]
    context: dict[str, Any] = {
        "chain": chain,
        "chains": chains,
        "form": form,
        "report": None,
        "threshold": threshold,
        "protected": protected,
    }
    if period is None:
        return render(request, "reports/report.html", context)
    result = figures.compute_one(chain, period)
    query = _query(period, chain)
    items = [
        _figure(t, threshold if protected else None, chart_id=f"chart-{t.name}", query=query)
        for t in result.tables.values()
    ]
    _audit(request, "report.viewed", chain, period, protected=protected)
    context.update(
        {
            "report": result,
            "period": period,
            "headline": _headline_shown(result, threshold if protected else None),
            "sections": _sections(items, result.tables),
            "query": query,
            "exact_url": f"{reverse('reports:report')}?{query}",
            "protected_url": f"{reverse('reports:report')}?{_query(period, chain, beschermd='1')}",
            "may_write": may_write_steering_text(request.user, chain),
        }
    )
    return render(request, "reports/report.html", context)


def _export_period(request: HttpRequest) -> tuple[Chain, list[Chain], PeriodForm, Period | None]:
    chain, chains = _report_chain(request)
    form, period = _period_form(request)
    return chain, chains, form, period


@access_rule(CHAIN_MEMBER)
@require_GET
def table_export(request: HttpRequest, name: str, fmt: str) -> HttpResponseBase:
    if name not in figures.NAMES or fmt not in FORMATS:
        raise Http404
    chain, chains, form, period = _export_period(request)
    if period is None:
        return _bad_period(request, form, chain, chains)
    threshold = thresholds_for([chain])[chain.pk]
    table = figures.compute_one(chain, period, names=[name]).tables[name]
    shown = present(table, threshold)
    _audit(request, "report.exported", chain, period, table=name, format=fmt)
    filename = f"{chain.slug}-{name}-{period.slug}.{fmt}"
    if fmt == "csv":
        return exports.download(exports.table_csv(shown), content_type=exports.CSV_TYPE, filename=filename)
    return exports.download(
        exports.xlsx_chunks([exports.table_sheet(shown)]), content_type=exports.XLSX_TYPE, filename=filename
    )


def _about_sheet(chain: Chain, period: Period, threshold: int) -> tuple[str, list[str], list[list[Any]]]:
    return (
        _("About"),
        [_("Item"), _("Value")],
        [
            [_("Chain"), chain.name],
            [_("Period"), period.label],
            [_("From"), period.start.isoformat()],
            [_("To"), period.end.isoformat()],
            [_("Made on"), timezone.localdate().isoformat()],
            [
                _("Small numbers"),
                _("Cells counting fewer than %(n)d youths are shown as “<%(n)d”.") % {"n": threshold},
            ],
        ],
    )


@access_rule(CHAIN_MEMBER)
@require_GET
def report_xlsx(request: HttpRequest) -> HttpResponseBase:
    """The whole report in one workbook: one sheet per table, protected."""
    chain, chains, form, period = _export_period(request)
    if period is None:
        return _bad_period(request, form, chain, chains)
    threshold = thresholds_for([chain])[chain.pk]
    result = figures.compute_one(chain, period)
    sheets = [_about_sheet(chain, period, threshold)] + [
        exports.table_sheet(present(t, threshold)) for t in result.tables.values()
    ]
    _audit(request, "report.exported", chain, period, table="all", format="xlsx")
    return exports.download(
        exports.xlsx_chunks(sheets), content_type=exports.XLSX_TYPE, filename=f"{chain.slug}-rapport-{period.slug}.xlsx"
    )


@access_rule(CHAIN_MEMBER)
@require_GET
def records_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """One pseudonymised row per trajectory, streamed (see reports.exports)."""
    if fmt not in FORMATS:
        raise Http404
    chain, chains, form, period = _export_period(request)
    if period is None:
        return _bad_period(request, form, chain, chains)
    _audit(request, "report.records_exported", chain, period, format=fmt)
    filename = f"{chain.slug}-trajecten-{period.slug}.{fmt}"
    if fmt == "csv":
        return exports.download(
            exports.csv_lines(exports.record_header(), exports.record_rows(chain, period)),
            content_type=exports.CSV_TYPE,
            filename=filename,
        )
    header, rows = exports.dictionary_rows()
    sheets = [
        (_("Trajectories"), exports.record_header(), exports.record_rows(chain, period)),
        (_("Column dictionary"), header, rows),
    ]
    return exports.download(exports.xlsx_chunks(sheets), content_type=exports.XLSX_TYPE, filename=filename)


@access_rule(CHAIN_MEMBER)
@require_GET
def dictionary(request: HttpRequest) -> HttpResponse:
    chain, chains = _report_chain(request)
    header, rows = exports.dictionary_rows()
    return render(
        request,
        "reports/dictionary.html",
        {"chain": chain, "chains": chains, "header": header, "rows": rows, "query": urlencode({"keten": chain.slug})},
    )


@access_rule(CHAIN_MEMBER)
@require_GET
def dictionary_csv(request: HttpRequest) -> HttpResponseBase:
    chain, _chains = _report_chain(request)
    header, rows = exports.dictionary_rows()
    return exports.download(
        exports.csv_lines(header, rows), content_type=exports.CSV_TYPE, filename="trajecten-kolommen.csv"
    )


# --- The steering group -------------------------------------------------------------------------------------


@access_rule(CHAIN_MEMBER)
@require_http_methods(["GET", "POST"])
def steering(request: HttpRequest) -> HttpResponse:
    chain, chains = _report_chain(request)
    form, period = _period_form(request)
    if period is None:
        return _bad_period(request, form, chain, chains)
    existing = domain.steering_text_for(chain, period)
    may_write = may_write_steering_text(request.user, chain)
    text_form = SteeringTextForm(initial={"text": existing.text if existing else ""})
    if request.method == "POST":
        if not may_write:
            raise Http404
        text_form = SteeringTextForm(request.POST)
        if text_form.is_valid():
            try:
                domain.save_steering_text(
                    actor=cast(User, request.user), chain=chain, period=period, text=text_form.cleaned_data["text"]
                )
            except NotAllowed:
                raise Http404 from None
            except DomainError as exc:
                for error in exc.errors:
                    text_form.add_error("text", error["message"])
            else:
                messages.success(request, _("The text for the steering group is saved."))
                return redirect(f"{reverse('reports:steering')}?{_query(period, chain)}")
    query = _query(period, chain)
    _audit(request, "report.viewed", chain, period, page="steering")
    return render(
        request,
        "reports/steering.html",
        {
            "chain": chain,
            "chains": chains,
            "period": period,
            "form": PeriodForm.from_period(period),
            "text_form": text_form,
            "existing": existing,
            "may_write": may_write,
            "query": query,
            "pdf_url": f"{reverse('reports:steering_pdf')}?{query}",
        },
    )


@access_rule(CHAIN_MEMBER)
@require_GET
def steering_pdf(request: HttpRequest) -> HttpResponse:
    """The steering group report as a PDF, in Dutch, with small numbers hidden (it leaves the chain)."""
    chain, chains, form, period = _export_period(request)
    if period is None:
        return _bad_period(request, form, chain, chains)
    threshold = thresholds_for([chain])[chain.pk]
    existing = domain.steering_text_for(chain, period)
    with translation.override("nl"):
        result = figures.compute_one(chain, period)
        items = [_figure(t, threshold, chart_id=f"pdf-{t.name}") for t in result.tables.values()]
        pdf = render_pdf(
            "reports/steering_pdf.html",
            {
                "chain": chain,
                "period": period,
                "period_label": period.label,
                "threshold": threshold,
                "headline": _headline_shown(result, threshold),
                "sections": _sections(items, result.tables),
                "decisions": next(f for f in items if f.name == "ot_decisions"),
                "not_included": next(f for f in items if f.name == "not_included"),
                "text": existing.text if existing else "",
                "printed_on": timezone.localdate(),
            },
            request=request,
        )
    _audit(request, "report.pdf_downloaded", chain, period)
    return pdf_response(pdf, f"{chain.slug}-stuurgroep-{period.slug}.pdf")


# --- The Flemish overview -------------------------------------------------------------------------------------


def _compare_chains(request: HttpRequest) -> tuple[list[Chain], list[Chain]]:
    """The chains the regional analyst compares (all theirs, or those ticked); 404 for anyone else."""
    mine = analyst_chains(request.user)
    if not mine:
        raise Http404
    wanted = set(request.GET.getlist("keten"))
    chosen = [c for c in mine if c.slug in wanted] if wanted else list(mine)
    if wanted and not chosen:
        raise Http404
    return chosen, mine


def _row_key(row: dict, label_key: str) -> Any:
    return row.get("code") or row.get("month") or row[label_key]


def _pivot(name: str, per_chain: dict[Any, Table], chains: list[Chain], thresholds: dict[Any, int], key: str) -> Shown:
    """One table with a column per chain: each chain's cells protected with that chain's own threshold."""
    first = per_chain[chains[0].pk]
    label_key = first.label_key
    kind = first.column(key).kind
    order: list[Any] = []
    labels: dict[Any, str] = {}
    cells: dict[tuple[Any, Any], Cell] = {}
    for chain in chains:
        table = per_chain[chain.pk]
        shown = present(table, thresholds[chain.pk])
        for i, row in enumerate(table.rows):
            rk = _row_key(row, label_key)
            if rk not in labels:
                order.append(rk)
                labels[rk] = shown.cell(i, label_key).text
            cells[(chain.pk, rk)] = shown.cell(i, key)
    columns = [Column("label", first.column(label_key).label, LABEL)] + [
        Column(f"chain_{i}", chain.name, kind) for i, chain in enumerate(chains)
    ]
    rows = [
        [Cell(labels[rk], labels[rk], LABEL)] + [cells.get((c.pk, rk), Cell(None, "", kind)) for c in chains]
        for rk in order
    ]
    chart_kind = "columns" if first.chart is not None and first.chart.kind != "bars" else "bars"
    pivot = Table(
        name=name,
        title=first.title,
        description=first.description,
        columns=columns,
        rows=[],
        chart=Chart(chart_kind, tuple(c.key for c in columns[1:])),
        section=first.section,
    )
    return Shown(table=pivot, rows=rows, threshold=max(thresholds.values()), columns=columns)


def _compare(chains: list[Chain], period: Period) -> tuple[list[dict], Shown]:
    thresholds = thresholds_for(chains)
    reports = figures.compute(chains, period, names=list(COMPARE), headline=True)
    headline_tables = {
        c.pk: Table(
            name="headline",
            title=_("Headline figures"),
            description=_("The main numbers of the period, per chain."),
            columns=[Column("label", _("Figure"), LABEL), Column("n", _("Number"), YOUTHS)],
            rows=[{"label": h.label, "code": h.key, "n": h.value} for h in reports[c.pk].headline],
            chart=Chart("bars", ("n",)),
        )
        for c in chains
    }
    headline = _pivot("headline", headline_tables, chains, thresholds, "n")
    items = []
    for name, key in COMPARE.items():
        per_chain = {c.pk: reports[c.pk].tables[name] for c in chains}
        shown = _pivot(name, per_chain, chains, thresholds, key)
        empty = all(per_chain[c.pk].is_empty for c in chains)
        column = per_chain[chains[0].pk].column(key)
        items.append(
            Figure(
                name=name,
                title=shown.title,
                description=shown.table.description,
                shown=shown,
                svg=None if empty else chart_for(shown, chart_id=f"compare-{name}"),
                empty=empty,
                column_note=column.label,
                compare=True,
            )
        )
    return _sections(items, reports[chains[0].pk].tables), headline


def _compare_query(chains: list[Chain], mine: list[Chain], period: Period) -> str:
    params: list[tuple[str, str]] = []
    if len(chains) != len(mine):
        params += [("keten", c.slug) for c in chains]
    params += list(period.as_query().items())
    return urlencode(params)


@access_rule(CHAIN_MEMBER)
@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    chains, mine = _compare_chains(request)
    form, period = _period_form(request)
    context: dict[str, Any] = {"chains": chains, "mine": mine, "form": form, "sections": None}
    if period is not None:
        sections, headline = _compare(chains, period)
        query = _compare_query(chains, mine, period)
        for section in sections:
            for figure in section["figures"]:
                figure.csv_url = f"{reverse('reports:compare_csv', args=[figure.name])}?{query}"
                figure.xlsx_url = f"{reverse('reports:compare_xlsx', args=[figure.name])}?{query}"
        log(
            "report.compared",
            actor=request.user,
            details={
                "chains": [str(c.pk) for c in chains],
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
            },
        )
        context.update({"sections": sections, "headline": headline, "period": period})
    return render(request, "reports/compare.html", context)


@access_rule(CHAIN_MEMBER)
@require_GET
def compare_export(request: HttpRequest, name: str, fmt: str) -> HttpResponseBase:
    if name not in COMPARE or fmt not in FORMATS:
        raise Http404
    chains, _mine = _compare_chains(request)
    form, period = _period_form(request)
    if period is None:
        return render(request, "reports/compare.html", {"chains": chains, "mine": _mine, "form": form}, status=400)
    thresholds = thresholds_for(chains)
    reports = figures.compute(chains, period, names=[name])
    shown = _pivot(name, {c.pk: reports[c.pk].tables[name] for c in chains}, chains, thresholds, COMPARE[name])
    log(
        "report.compared",
        actor=request.user,
        details={
            "chains": [str(c.pk) for c in chains],
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "table": name,
            "format": fmt,
        },
    )
    filename = f"vlaams-overzicht-{name}-{period.slug}.{fmt}"
    if fmt == "csv":
        return exports.download(exports.table_csv(shown), content_type=exports.CSV_TYPE, filename=filename)
    return exports.download(
        exports.xlsx_chunks([exports.table_sheet(shown)]), content_type=exports.XLSX_TYPE, filename=filename
    )
