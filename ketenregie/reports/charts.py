"""Report charts as self-contained SVG, drawn on the server from a table as it is shown.

Pure functions: a ``Shown`` table in, an SVG string out. Every piece of text (labels, titles,
values, the chain's own life-domain and offence labels) passes through ``_t()``, which XML-escapes
it, and every attribute is a number or a constant of this module — that is what allows the
templates to place the result with ``mark_safe``. Presentation attributes only (no ``style``), so
the CSP holds and a printed or downloaded chart looks the same.

Each chart carries ``role="img"``, a ``<title>`` and a ``<desc>`` that spells out the numbers; the
page shows the same table beside it. A cell hidden by the small-number protection is drawn as a
dashed outline up to the threshold with its "<N" text, never as its true length.
"""

from __future__ import annotations

import math
import re
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from ketenregie.plans.charts import COLOURS
from ketenregie.reports.tables import Cell, Shown

INK, MUTED, GRID, FRAME = "#1b1b1b", "#4d5660", "#e3e8eb", "#cfd6dc"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', Arial, sans-serif"
WIDTH = 640
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _t(value: Any) -> str:
    return str(escape(_CONTROL.sub("", str(value))))


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _short(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _axis(value: float, scale_max: float | None = None) -> tuple[float, list[float]]:
    """The axis' upper end and its ticks: steps of 1, 2 or 5 times a power of ten, at most five."""
    if scale_max:
        step = 1.0 if scale_max <= 5 else scale_max / 4
        return scale_max, [step * i for i in range(int(round(scale_max / step)) + 1)]
    if value <= 0:
        return 1.0, [0.0, 1.0]
    raw = value / 4
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if value >= 1 and step < 1:
        step = 1.0
    top = step * math.ceil(value / step - 1e-9)
    return top, [step * i for i in range(int(round(top / step)) + 1)]


def _tick_label(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else _n(value)


def _value(cell: Cell) -> float | None:
    if cell.suppressed or cell.raw is None:
        return None
    return float(cell.raw)


def _open(chart_id: str, height: float, title: str, desc: str) -> list[str]:
    cid = _t(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart__svg" viewBox="0 0 {WIDTH} {_n(height)}" '
        f'role="img" aria-labelledby="{cid}-title" aria-describedby="{cid}-desc" focusable="false" '
        f'font-family="{FONT}">',
        f'<title id="{cid}-title">{_t(title)}</title>',
        f'<desc id="{cid}-desc">{_t(desc)}</desc>',
    ]


def _legend(labels: list[str], y: float, x0: float) -> tuple[list[str], float]:
    """One row per series under the chart: a swatch and the series' name."""
    out = []
    for i, label in enumerate(labels):
        row_y = y + i * 22
        out.append(
            f'<rect x="{_n(x0)}" y="{_n(row_y - 11)}" width="14" height="14" fill="{COLOURS[i % len(COLOURS)]}"/>'
        )
        out.append(f'<text x="{_n(x0 + 20)}" y="{_n(row_y)}" font-size="13" fill="{INK}">{_t(label)}</text>')
    return out, len(labels) * 22


def _description(shown: Shown, keys: list[str]) -> str:
    label_key = shown.table.label_key
    names = {c.key: c.label for c in shown.columns}
    parts = []
    for i, _row in enumerate(shown.rows):
        label = shown.cell(i, label_key).text
        values = ", ".join(
            f"{names[k]} {shown.cell(i, k).text or '—'}" if len(keys) > 1 else (shown.cell(i, k).text or "—")
            for k in keys
        )
        parts.append(f"{label}: {values}")
    return "; ".join(parts)


def bars(shown: Shown, *, chart_id: str, keys: list[str], scale_max: float | None = None) -> str:
    """Horizontal bars: one group per row, one bar per series, the value written after each bar."""
    label_key = shown.table.label_key
    names = {c.key: c.label for c in shown.columns}
    threshold = shown.threshold or 0
    values = [_value(shown.cell(i, k)) for i in range(len(shown.rows)) for k in keys]
    biggest = max([v for v in values if v is not None] + [threshold if shown.protected else 0, 0])
    top, ticks = _axis(biggest, scale_max)
    left, right, top_pad = 236.0, 56.0, 8.0
    plot = WIDTH - left - right
    bar_h, gap, group_gap = 16.0, 3.0, 12.0
    group_h = len(keys) * bar_h + (len(keys) - 1) * gap
    body_h = len(shown.rows) * (group_h + group_gap)
    axis_y = top_pad + body_h
    legend_labels = [names[k] for k in keys] if len(keys) > 1 else []
    height = axis_y + 30 + (len(legend_labels) * 22 + 10 if legend_labels else 0)
    out = _open(chart_id, height, shown.title, _description(shown, keys))
    for tick in ticks:
        x = left + plot * tick / top
        out.append(f'<line x1="{_n(x)}" y1="{_n(top_pad)}" x2="{_n(x)}" y2="{_n(axis_y)}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{_n(x)}" y="{_n(axis_y + 18)}" text-anchor="middle" font-size="12" fill="{MUTED}">'
            f"{_t(_tick_label(tick))}</text>"
        )
    out.append(f'<line x1="{_n(left)}" y1="{_n(top_pad)}" x2="{_n(left)}" y2="{_n(axis_y)}" stroke="{MUTED}"/>')
    for i, _row in enumerate(shown.rows):
        y0 = top_pad + i * (group_h + group_gap) + group_gap / 2
        label = shown.cell(i, label_key).text
        # The full label as a tooltip beside the text, not inside it (PDF renderers draw a text's children).
        out.append(
            f'<g><title>{_t(label)}</title><text x="{_n(left - 8)}" y="{_n(y0 + group_h / 2 + 4.5)}" '
            f'text-anchor="end" font-size="13" fill="{INK}">{_t(_short(label, 32))}</text></g>'
        )
        for s, key in enumerate(keys):
            cell = shown.cell(i, key)
            y = y0 + s * (bar_h + gap)
            colour = COLOURS[s % len(COLOURS)]
            tip = f"{label} — {names[key]}: {cell.text or '—'}"
            if cell.suppressed:
                w = plot * min(threshold, top) / top
                out.append(
                    f'<rect x="{_n(left)}" y="{_n(y)}" width="{_n(w)}" height="{_n(bar_h)}" fill="#ffffff" '
                    f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="4 3"><title>{_t(tip)}</title></rect>'
                )
                text_x = left + w + 6
            else:
                v = _value(cell) or 0.0
                w = plot * min(v, top) / top
                if w > 0:
                    out.append(
                        f'<rect x="{_n(left)}" y="{_n(y)}" width="{_n(w)}" height="{_n(bar_h)}" fill="{colour}">'
                        f"<title>{_t(tip)}</title></rect>"
                    )
                text_x = left + w + 6
            out.append(
                f'<text x="{_n(text_x)}" y="{_n(y + bar_h - 3.5)}" font-size="12.5" fill="{INK}">'
                f"{_t(cell.text or '—')}</text>"
            )
    if legend_labels:
        legend, _h = _legend(legend_labels, axis_y + 46, left)
        out += legend
    out.append("</svg>")
    return "".join(out)


def columns(shown: Shown, *, chart_id: str, keys: list[str], stacked: bool = False) -> str:
    """Vertical bars per row (a month): side by side, or stacked."""
    label_key = shown.table.label_key
    names = {c.key: c.label for c in shown.columns}
    threshold = shown.threshold or 0
    n = max(len(shown.rows), 1)
    if stacked:
        totals = [
            sum(_value(shown.cell(i, k)) or (threshold if shown.cell(i, k).suppressed else 0) for k in keys)
            for i in range(len(shown.rows))
        ]
        biggest = max(totals + [0])
    else:
        values = [_value(shown.cell(i, k)) for i in range(len(shown.rows)) for k in keys]
        biggest = max([v for v in values if v is not None] + [threshold if shown.protected else 0, 0])
    top, ticks = _axis(biggest)
    left, right, top_pad, plot_h = 44.0, 12.0, 12.0, 190.0
    plot_w = WIDTH - left - right
    slot = plot_w / n
    axis_y = top_pad + plot_h
    legend_labels = [names[k] for k in keys] if len(keys) > 1 else []
    height = axis_y + 48 + (len(legend_labels) * 22 + 10 if legend_labels else 0)
    out = _open(chart_id, height, shown.title, _description(shown, keys))
    for tick in ticks:
        y = axis_y - plot_h * tick / top
        out.append(f'<line x1="{_n(left)}" y1="{_n(y)}" x2="{_n(left + plot_w)}" y2="{_n(y)}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{_n(left - 6)}" y="{_n(y + 4)}" text-anchor="end" font-size="12" fill="{MUTED}">'
            f"{_t(_tick_label(tick))}</text>"
        )
    every = max(1, math.ceil(n / 12))
    inner = slot * 0.76
    bar_w = inner if stacked else inner / max(len(keys), 1)
    for i, _row in enumerate(shown.rows):
        x0 = left + i * slot + (slot - inner) / 2
        label = shown.cell(i, label_key).text
        if i % every == 0:
            # Months read "Jan", "Feb", ...; the year goes under the first month and under each January.
            word, _sep, year = label.partition(" ")
            cx = left + i * slot + slot / 2
            out.append(
                f'<text x="{_n(cx)}" y="{_n(axis_y + 18)}" text-anchor="middle" font-size="12" fill="{INK}">'
                f"{_t(_short(word if year else label, 9))}</text>"
            )
            previous = shown.cell(i - every, label_key).text.partition(" ")[2] if i >= every else ""
            if year and year != previous:
                out.append(
                    f'<text x="{_n(cx)}" y="{_n(axis_y + 34)}" text-anchor="middle" font-size="12" '
                    f'fill="{MUTED}">{_t(year)}</text>'
                )
        base = axis_y
        for s, key in enumerate(keys):
            cell = shown.cell(i, key)
            colour = COLOURS[s % len(COLOURS)]
            v = _value(cell)
            shown_v = threshold if cell.suppressed else (v or 0.0)
            h = plot_h * min(shown_v, top) / top
            x = x0 if stacked else x0 + s * bar_w
            y = (base - h) if stacked else (axis_y - h)
            tip = f"{label} — {names[key]}: {cell.text or '—'}"
            if cell.suppressed:
                out.append(
                    f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(bar_w)}" height="{_n(h)}" fill="#ffffff" '
                    f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="3 2"><title>{_t(tip)}</title></rect>'
                )
            elif h > 0:
                out.append(
                    f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(bar_w)}" height="{_n(h)}" fill="{colour}" '
                    f'stroke="#ffffff" stroke-width="0.5"><title>{_t(tip)}</title></rect>'
                )
            if stacked:
                base -= h
    out.append(f'<line x1="{_n(left)}" y1="{_n(axis_y)}" x2="{_n(left + plot_w)}" y2="{_n(axis_y)}" stroke="{MUTED}"/>')
    if legend_labels:
        legend, _h = _legend(legend_labels, axis_y + 50, left)
        out += legend
    out.append("</svg>")
    return "".join(out)


def chart_for(shown: Shown, *, chart_id: str) -> SafeString | None:
    """The table's chart, or None when the table has no chart or nothing to draw."""
    spec = shown.table.chart
    if spec is None or not shown.rows:
        return None
    keys = list(spec.series)
    if spec.kind == "bars":
        svg = bars(shown, chart_id=chart_id, keys=keys, scale_max=spec.scale_max)
    else:
        svg = columns(shown, chart_id=chart_id, keys=keys, stacked=spec.kind == "stacked")
    # Every text in the SVG went through _t() above, so the string is safe to place as markup.
    return mark_safe(svg)  # noqa: S308
