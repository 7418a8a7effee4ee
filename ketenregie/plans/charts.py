"""The progress chart: per life domain, the 1–5 progress score given at each held network meeting.

``progress_svg`` is a pure function: plain data in, an SVG string out, drawn on the server (no
JavaScript), every piece of text escaped. It carries role="img", a <title> and a <desc>; the page
shows the same numbers in a table beside it, so nobody depends on seeing the lines.
``case_progress`` gathers the data of one case in one query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Okabe–Ito colours (distinguishable with colour blindness), each with its own dash and marker too.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A5A00", "#56B4E9", "#000000"]
DASHES = ["", "6 3", "2 3", "8 3 2 3", "4 4", "1 2", "10 4"]
MARKERS = ["circle", "square", "triangle", "diamond", "circle", "square", "triangle"]

WIDTH = 480
LEFT, RIGHT, TOP = 48, 28, 16
PLOT_HEIGHT = 190
LEGEND_ROW = 24


@dataclass
class Series:
    code: str
    label: str
    scores: list[int | None]  # one per date; None where the domain was not scored


@dataclass
class Progress:
    dates: list[date]
    series: list[Series]
    svg: SafeString
    rows: list[dict] = field(default_factory=list)  # the data table: one row per meeting


def _marker(kind: str, x: float, y: float, colour: str, tooltip: str) -> str:
    title = f"<title>{escape(tooltip)}</title>"
    if kind == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}">{title}</rect>'
    if kind == "triangle":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y + 4:.1f} {x - 5:.1f},{y + 4:.1f}"
        return f'<polygon points="{points}" fill="{colour}">{title}</polygon>'
    if kind == "diamond":
        points = f"{x:.1f},{y - 5:.1f} {x + 5:.1f},{y:.1f} {x:.1f},{y + 5:.1f} {x - 5:.1f},{y:.1f}"
        return f'<polygon points="{points}" fill="{colour}">{title}</polygon>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}">{title}</circle>'


def progress_svg(
    *,
    chart_id: str,
    title: str,
    desc: str,
    date_labels: list[str],
    series: list[tuple[str, list[int | None]]],
    y_label: str = "",
    score_label: str = "%(domain)s, %(date)s: %(score)d",
) -> str:
    """An SVG line chart: x = the meetings (evenly spaced, in order), y = score 1 (bottom) to 5 (top).

    ``series`` holds (label, scores per date). All text — title, description, labels — is escaped.
    """
    n = len(date_labels)
    plot_width = WIDTH - LEFT - RIGHT
    height = TOP + PLOT_HEIGHT + 40 + LEGEND_ROW * len(series) + 8

    def x_at(i: int) -> float:
        return LEFT + (plot_width / 2 if n <= 1 else i * plot_width / (n - 1))

    def y_at(score: int) -> float:
        return TOP + PLOT_HEIGHT - (score - 1) * PLOT_HEIGHT / 4

    cid = escape(chart_id)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="progress-chart__svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{cid}-title" aria-describedby="{cid}-desc" focusable="false">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(desc)}</desc>',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_width}" height="{PLOT_HEIGHT}" fill="#ffffff" stroke="#cfd6dc"/>',
    ]
    for score in range(1, 6):
        y = y_at(score)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_width}" y2="{y:.1f}" stroke="#e3e8eb"/>')
        out.append(
            f'<text x="{LEFT - 10}" y="{y + 4:.1f}" text-anchor="end" font-size="14" fill="#1b1b1b">{score}</text>'
        )
    if y_label:
        out.append(
            f'<text x="14" y="{TOP + PLOT_HEIGHT / 2:.1f}" text-anchor="middle" font-size="13" fill="#4d5660" '
            f'transform="rotate(-90 14 {TOP + PLOT_HEIGHT / 2:.1f})">{escape(y_label)}</text>'
        )
    for i, label in enumerate(date_labels):
        x = x_at(i)
        anchor = "middle" if 0 < i < n - 1 or n == 1 else ("start" if i == 0 else "end")
        out.append(
            f'<text x="{x:.1f}" y="{TOP + PLOT_HEIGHT + 20}" text-anchor="{anchor}" font-size="13" '
            f'fill="#1b1b1b">{escape(label)}</text>'
        )
    for s, (label, scores) in enumerate(series):
        colour, dash, marker = COLOURS[s % len(COLOURS)], DASHES[s % len(DASHES)], MARKERS[s % len(MARKERS)]
        points = [(x_at(i), y_at(v), i, v) for i, v in enumerate(scores) if isinstance(v, int) and 1 <= v <= 5]
        out.append('<g class="progress-chart__series">')
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _i, _v in points)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
        for x, y, i, v in points:
            tooltip = score_label % {"domain": label, "date": date_labels[i], "score": v}
            out.append(_marker(marker, x, y, colour, tooltip))
        legend_y = TOP + PLOT_HEIGHT + 44 + s * LEGEND_ROW
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{LEFT}" y1="{legend_y - 4}" x2="{LEFT + 28}" y2="{legend_y - 4}" stroke="{colour}" '
            f'stroke-width="2.5"{dash_attr}/>'
        )
        out.append(_marker(marker, LEFT + 14, legend_y - 4, colour, label))
        out.append(f'<text x="{LEFT + 38}" y="{legend_y}" font-size="14" fill="#1b1b1b">{escape(label)}</text>')
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


def case_progress(case, *, chart_id: str = "progress-chart") -> Progress | None:
    """The case's progress scores across its held meetings, or None when nothing was scored yet."""
    from ketenregie.meetings.enums import MeetingStatus
    from ketenregie.meetings.models import DomainProgress

    scores = list(
        DomainProgress.objects.filter(case=case, meeting__status=MeetingStatus.HELD)
        .select_related("meeting")
        # Only what the chart draws: not the notes and minutes (encrypted, decrypted row by row).
        .only("domain", "score", "meeting__case_id", "meeting__starts_at")
        .order_by("meeting__starts_at")
    )
    if not scores:
        return None
    meetings = list({p.meeting_id: p.meeting for p in scores}.values())
    meetings.sort(key=lambda m: m.starts_at)
    index = {m.pk: i for i, m in enumerate(meetings)}
    labels = {d["code"]: d["label"] for d in case.chain.life_domains}
    order = {d["code"]: i for i, d in enumerate(case.chain.life_domains)}
    codes = sorted({p.domain for p in scores}, key=lambda c: order.get(c, len(order)))
    grid: dict[str, list[int | None]] = {code: [None] * len(meetings) for code in codes}
    for p in scores:
        grid[p.domain][index[p.meeting_id]] = p.score
    dates = [timezone.localtime(m.starts_at).date() for m in meetings]
    date_labels = [date_format(d, "j M Y") for d in dates]
    series = [Series(code=c, label=labels.get(c, c), scores=grid[c]) for c in codes]
    desc = _(
        "Progress score from 1 (no progress) to 5 (goal reached) per life domain at each network meeting: %(summary)s."
    ) % {
        "summary": "; ".join(
            f"{s.label}: " + ", ".join(f"{d} {v}" for d, v in zip(date_labels, s.scores, strict=True) if v)
            for s in series
        )
    }
    svg = progress_svg(
        chart_id=chart_id,
        title=_("Progress per life domain"),
        desc=desc,
        date_labels=date_labels,
        series=[(s.label, s.scores) for s in series],
        y_label=_("Progress (1–5)"),
        score_label=_("%(domain)s, %(date)s: %(score)d"),
    )
    rows = [
        {"date": dates[i], "meeting": meetings[i], "scores": [s.scores[i] for s in series]}
        for i in range(len(meetings))
    ]
    # Every text in the SVG went through escape() above, so the string is safe to place as markup.
    return Progress(dates=dates, series=series, svg=mark_safe(svg), rows=rows)  # noqa: S308
