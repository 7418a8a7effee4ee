"""The network map (netwerkkaart) as one self-contained SVG, drawn on the server without JavaScript.

The youth sits in the centre. The informal network (family, friends, the coach) is the inner ring,
the professionals the outer ring. The circle is cut into one sector per life domain of the chain
plus one neutral sector: someone who works on exactly one life domain stands in that domain's
sector, someone with several or none in the neutral one. Support figures get a thick border and a
star, the trusted person a heart; a legend under the map says so.

Safe by construction: every piece of text that reaches the SVG (names, roles, organisations, the
chain's life-domain labels, even our own translations) passes through ``_t()``, which XML-escapes
it; every attribute value is a number or a constant of this module. That is what allows the views
to render the result inline with ``mark_safe``.

Only presentation attributes (``fill``, ``stroke``, ``font-size`` ...), never ``style`` attributes or
a ``<style>`` element: the CSP forbids inline styles, and the downloaded file must look the same
without our stylesheet. The ``viewBox`` lets it scale to any width, on screen and on paper.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _

from ketenregie.network.enums import MemberKind

INNER, OUTER = 0, 1

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', Arial, sans-serif"
INK, MUTED, LINE = "#1b1b1b", "#4d5660", "#9aa5ad"
INFORMAL_FILL, INFORMAL_STROKE = "#fbeee5", "#b3501b"
FORMAL_FILL, FORMAL_STROKE = "#e3eff4", "#0b5c74"
SECTOR_FILLS = ("#eef4f7", "#ffffff")
NEUTRAL_FILL = "#e1e4e7"
SECTOR_LINE = "#aab5bd"
STAR, HEART = "\u2605", "\u2665"

NAME_SIZE, ROLE_SIZE, LABEL_SIZE = 13.0, 11.5, 13.0
BOX_H = 42.0
BOX_GAP = 10.0
MAX_NAME, MAX_ROLE, MAX_LABEL_LINE = 24, 28, 18
MIN_WIDTH = 780.0
PAD = 20.0

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _t(value: Any) -> str:
    """XML-escape text for the SVG (and drop control characters, which XML does not allow)."""
    return str(escape(_CONTROL.sub("", str(value))))


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _width(text: str, size: float, bold: bool = False) -> float:
    """A generous estimate of the rendered width (DejaVu Sans is among the widest fallbacks)."""
    total = 0.0
    for ch in text:
        if ch in "iljtfI.,;:'|!() ":
            total += 0.34
        elif ch in "mwMW@":
            total += 0.9
        elif ch.isupper() or ch.isdigit():
            total += 0.7
        elif ch in (STAR, HEART, "\u2026"):
            total += 0.85
        else:
            total += 0.6
    return total * size * (1.08 if bold else 1.0)


def _shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _wrap(text: str, limit: int) -> list[str]:
    """At most two lines, broken at a space or slash near the middle."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return [text]
    breaks = [i for i, ch in enumerate(text) if ch in " /"]
    if not breaks:
        return [_shorten(text, limit)]
    cut = min(breaks, key=lambda i: abs(i - len(text) / 2))
    first, second = text[: cut + (1 if text[cut] == "/" else 0)].strip(), text[cut + 1 :].strip()
    return [_shorten(first, limit + 4), _shorten(second, limit + 4)]


# --- Which ring and sector ----------------------------------------------------------------------


def ring_of(member: Any) -> int:
    return INNER if member.kind == MemberKind.INFORMAL else OUTER


def sector_of(member: Any, domain_codes: Sequence[str]) -> int:
    """The index of the member's life-domain sector; ``len(domain_codes)`` is the neutral sector."""
    codes = [c for c in dict.fromkeys(member.life_domains or []) if c in domain_codes]
    if len(codes) == 1:
        return list(domain_codes).index(codes[0])
    return len(domain_codes)


@dataclass
class MapRow:
    """One line of "the network as a table": the same facts the map shows."""

    member: Any
    ring: str
    sector: str
    domains: list[str]


def network_map_rows(members: Iterable[Any], life_domains: Sequence[dict]) -> list[MapRow]:
    codes = [d["code"] for d in life_domains]
    labels = {d["code"]: d["label"] for d in life_domains}
    rows = []
    for m in sorted(members, key=lambda m: (ring_of(m), sector_of(m, codes), m.name.lower())):
        s = sector_of(m, codes)
        rows.append(
            MapRow(
                member=m,
                ring=_("Inner ring (informal)") if ring_of(m) == INNER else _("Outer ring (formal)"),
                sector=labels[codes[s]] if s < len(codes) else _("Several or no life domains"),
                domains=[labels.get(c, c) for c in m.life_domains or []],
            )
        )
    return rows


# --- Layout -------------------------------------------------------------------------------------


@dataclass
class _Box:
    member: Any
    ring: int
    sector: int
    name_line: str
    role_line: str
    w: float
    h: float = BOX_H
    x: float = 0.0  # centre
    y: float = 0.0

    def rect(self) -> tuple[float, float, float, float]:
        return (self.x - self.w / 2, self.y - self.h / 2, self.x + self.w / 2, self.y + self.h / 2)


@dataclass
class _Label:
    lines: list[str]
    w: float
    h: float
    x: float = 0.0  # anchor point
    y: float = 0.0
    anchor: str = "middle"

    def rect(self) -> tuple[float, float, float, float]:
        left = {"start": self.x, "end": self.x - self.w, "middle": self.x - self.w / 2}[self.anchor]
        return (left, self.y, left + self.w, self.y + self.h)


@dataclass
class _Layout:
    r_youth: float
    r_in: float
    r_out: float
    r_wedge: float
    bounds: list[float] = field(default_factory=list)  # sector start angles, plus 2*pi at the end
    boxes: list[_Box] = field(default_factory=list)
    labels: list[_Label] = field(default_factory=list)


def _point(radius: float, angle: float) -> tuple[float, float]:
    """Angles run clockwise from the top, as on a clock face."""
    return radius * math.sin(angle), -radius * math.cos(angle)


def _footprint(w: float, h: float, angle: float) -> float:
    """How much of the ring a w×h box at ``angle`` covers along the ring's direction."""
    return w * abs(math.cos(angle)) + h * abs(math.sin(angle)) + BOX_GAP


def _overlaps(a: tuple, b: tuple, margin: float = 3.0) -> bool:
    return a[0] < b[2] + margin and b[0] < a[2] + margin and a[1] < b[3] + margin and b[1] < a[3] + margin


def _place(boxes: list[_Box], labels: list[_Label], r_youth: float, r_in: float, r_out: float) -> _Layout:
    n = len(labels)
    r_wedge = r_out + BOX_H / 2 + 14
    per_sector = [[[b for b in boxes if b.sector == s and b.ring == ring] for ring in (INNER, OUTER)] for s in range(n)]

    def needs(mids: list[float]) -> list[float]:
        result = []
        for s in range(n):
            mid = mids[s]
            inner, outer = per_sector[s]
            lab = labels[s]
            r_lab = r_wedge + 10
            result.append(
                max(
                    sum(_footprint(b.w, b.h, mid) for b in inner) / r_in,
                    sum(_footprint(b.w, b.h, mid) for b in outer) / r_out,
                    _footprint(lab.w, lab.h, mid) / r_lab,
                    0.3,
                )
            )
        return result

    # A few passes: a sector's room depends on where it ends up (wide boxes need more room at the top
    # and bottom of the circle than at its sides).
    mids = [2 * math.pi * (s + 0.5) / n for s in range(n)]
    widths: list[float] = []
    for _pass in range(3):
        need = needs(mids)
        slack = max(0.0, 2 * math.pi - sum(need)) / n
        widths = [x + slack for x in need]
        scale = 2 * math.pi / sum(widths)  # when it does not fit, the caller sees overlaps and grows
        widths = [x * scale for x in widths]
        start, mids = 0.0, []
        for x in widths:
            mids.append(start + x / 2)
            start += x

    layout = _Layout(r_youth=r_youth, r_in=r_in, r_out=r_out, r_wedge=r_wedge)
    start = 0.0
    for s in range(n):
        layout.bounds.append(start)
        for ring, radius in ((INNER, r_in), (OUTER, r_out)):
            # Each box gets its own footprint plus an equal share of the spare room, so that a box
            # stays inside its sector instead of straddling the boundary with the next one.
            group = per_sector[s][ring]
            mid = start + widths[s] / 2
            feet = [_footprint(b.w, b.h, mid) / radius for b in group]
            spare = max(0.0, widths[s] - sum(feet)) / max(len(group), 1)
            angle = start
            for box, foot in zip(group, feet, strict=True):
                box.x, box.y = _point(radius, angle + spare / 2 + foot / 2)
                angle += foot + spare
                layout.boxes.append(box)
        start += widths[s]
    layout.bounds.append(2 * math.pi)
    for s, lab in enumerate(labels):
        mid = (layout.bounds[s] + layout.bounds[s + 1]) / 2
        px, py = _point(_label_radius(layout, mid, widths[s] / 2), mid)
        sin, cos = math.sin(mid), math.cos(mid)
        lab.anchor = "start" if sin > 0.3 else "end" if sin < -0.3 else "middle"
        lab.x = px
        lab.y = py - lab.h if cos > 0.3 else py if cos < -0.3 else py - lab.h / 2
        layout.labels.append(lab)
    return layout


def _label_radius(layout: _Layout, mid: float, half: float) -> float:
    """Just outside the sector's edge and outside every outer box near the sector's middle."""
    ux, uy = math.sin(mid), -math.cos(mid)
    radius = layout.r_wedge + 8
    for box in layout.boxes:
        angle = math.atan2(box.x, -box.y) % (2 * math.pi)
        distance = min(abs(angle - mid), 2 * math.pi - abs(angle - mid))
        if box.ring == OUTER and distance < half + 0.25:
            x0, y0, x1, y1 = box.rect()
            radius = max(radius, max(x * ux + y * uy for x in (x0, x1) for y in (y0, y1)) + 10)
    return radius


def _clashes(layout: _Layout) -> bool:
    rects = [b.rect() for b in layout.boxes] + [lab.rect() for lab in layout.labels]
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            if _overlaps(a, b):
                return True
    centre = (-layout.r_youth, -layout.r_youth, layout.r_youth, layout.r_youth)
    return any(_overlaps(b.rect(), centre, 6) for b in layout.boxes)


def _layout(boxes: list[_Box], labels: list[_Label], r_youth: float) -> _Layout:
    w_in = max((b.w for b in boxes if b.ring == INNER), default=120.0)
    w_out = max((b.w for b in boxes if b.ring == OUTER), default=120.0)
    r_in = max(r_youth + w_in / 2 + 24, 175.0)
    gap = max((w_in + w_out) / 2 + 16, 150.0)  # at the sides of the circle the boxes lie side by side
    layout = _place(boxes, labels, r_youth, r_in, r_in + gap)
    for _attempt in range(40):
        if not _clashes(layout):
            break
        r_in *= 1.07
        layout = _place(boxes, labels, r_youth, r_in, r_in + gap)
    return layout


# --- Drawing ------------------------------------------------------------------------------------


def _wedge(r0: float, r1: float, a0: float, a1: float) -> str:
    if a1 - a0 >= 2 * math.pi - 1e-9:  # a chain without life domains: one sector, the whole ring
        return (
            f"M0 {_n(-r1)} A{_n(r1)} {_n(r1)} 0 1 1 0 {_n(r1)} A{_n(r1)} {_n(r1)} 0 1 1 0 {_n(-r1)} Z "
            f"M0 {_n(-r0)} A{_n(r0)} {_n(r0)} 0 1 0 0 {_n(r0)} A{_n(r0)} {_n(r0)} 0 1 0 0 {_n(-r0)} Z"
        )
    large = 1 if a1 - a0 > math.pi else 0
    (x0, y0), (x1, y1) = _point(r1, a0), _point(r1, a1)
    (x2, y2), (x3, y3) = _point(r0, a1), _point(r0, a0)
    return (
        f"M{_n(x0)} {_n(y0)} A{_n(r1)} {_n(r1)} 0 {large} 1 {_n(x1)} {_n(y1)} "
        f"L{_n(x2)} {_n(y2)} A{_n(r0)} {_n(r0)} 0 {large} 0 {_n(x3)} {_n(y3)} Z"
    )


def _text(
    x: float, y: float, content: str, *, size: float, anchor: str = "middle", bold: bool = False, fill: str = INK
) -> str:
    weight = ' font-weight="700"' if bold else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" fill="{fill}"{weight}>'
        f"{_t(content)}</text>"
    )


def _member_title(member: Any, labels: dict[str, str]) -> str:
    parts = [member.name, member.role]
    organisation = getattr(member, "organisation", None)
    if organisation is not None:
        parts.append(str(organisation))
    domains = [labels.get(c, c) for c in member.life_domains or []]
    if domains:
        parts.append(", ".join(domains))
    if member.is_support_figure:
        parts.append(_("support figure"))
    if member.is_trusted_person:
        parts.append(_("trusted person"))
    return " \u2014 ".join(str(p) for p in parts)


def _names(members: Sequence[Any]) -> str:
    return ", ".join(f"{m.name} ({m.role})" for m in members) or _("nobody")


def _legend_items() -> list[tuple]:
    """(column, row, fill, stroke, stroke width, mark, text) of each legend entry."""
    return [
        (
            0,
            0,
            INFORMAL_FILL,
            INFORMAL_STROKE,
            1.5,
            "",
            _("Inner ring: informal network (family, friends, coach, ...)"),
        ),
        (0, 1, FORMAL_FILL, FORMAL_STROKE, 1.5, "", _("Outer ring: formal network (professionals)")),
        (0, 2, NEUTRAL_FILL, SECTOR_LINE, 1, "", _("Grey sector: several or no life domains")),
        (1, 0, "#ffffff", INK, 4, STAR, _("Support figure (thick border)")),
        (1, 1, "#ffffff", INK, 1.5, HEART, _("Trusted person (vertrouwenspersoon)")),
    ]


def network_map_svg(
    youth_label: str, members: Iterable[Any], life_domains: Sequence[dict], *, as_of: date | None = None
) -> str:
    """The network map as an SVG document string; all text in it is escaped (see the module docstring).

    ``members`` are network members (or anything with ``name``, ``role``, ``kind``, ``life_domains``,
    ``is_support_figure`` and ``is_trusted_person``); ``life_domains`` is the chain's list of
    ``{"code", "label"}``.
    """
    members = list(members)
    codes = [d["code"] for d in life_domains]
    domain_labels = {d["code"]: d["label"] for d in life_domains}
    sector_names = [d["label"] for d in life_domains] + [_("Several or no life domains")]

    boxes = []
    for m in sorted(members, key=lambda m: (not m.is_trusted_person, not m.is_support_figure, m.name.lower())):
        marks = (HEART + " " if m.is_trusted_person else "") + (STAR + " " if m.is_support_figure else "")
        name_line = marks + _shorten(m.name, MAX_NAME)
        role_line = _shorten(m.role, MAX_ROLE)
        w = max(_width(name_line, NAME_SIZE, bold=True), _width(role_line, ROLE_SIZE)) + 22
        boxes.append(_Box(m, ring_of(m), sector_of(m, codes), name_line, role_line, max(w, 70.0)))
    labels = []
    for name in sector_names:
        lines = _wrap(name, MAX_LABEL_LINE)
        labels.append(
            _Label(
                lines, max(_width(line, LABEL_SIZE, bold=True) for line in lines) + 4, len(lines) * (LABEL_SIZE + 3) + 2
            )
        )

    youth_lines = _wrap(youth_label, 14)
    r_youth = max(56.0, max(_width(line, 15, bold=True) for line in youth_lines) / 2 + 14)
    layout = _layout(boxes, labels, r_youth)

    # The drawing's extent, then the title above it and the legend below it.
    rects = [b.rect() for b in layout.boxes] + [lab.rect() for lab in layout.labels]
    rects.append((-layout.r_wedge, -layout.r_wedge, layout.r_wedge, layout.r_wedge))
    left, top = min(r[0] for r in rects) - PAD, min(r[1] for r in rects) - PAD
    right, bottom = max(r[2] for r in rects) + PAD, max(r[3] for r in rects) + PAD
    if right - left < MIN_WIDTH:
        extra = (MIN_WIDTH - (right - left)) / 2
        left, right = left - extra, right + extra
    width = right - left
    header = 58.0
    legend = _legend_items()
    col0 = max(_width(text, 12.5) for column, *_rest, text in legend if column == 0) + 44 + 36
    col1 = max(_width(text, 12.5) for column, *_rest, text in legend if column == 1) + 44
    two_columns = col0 + col1 <= width - 2 * PAD
    if not two_columns:  # one column: the right-hand items go under the left-hand ones
        legend = [(0, row + (3 if column else 0), *rest) for column, row, *rest in legend]
    legend_h = (max(row for _c, row, *_rest in legend) + 1) * 26 + 44
    top -= header
    height = bottom - top + legend_h

    informal = [m for m in members if ring_of(m) == INNER]
    formal = [m for m in members if ring_of(m) == OUTER]
    support = [m for m in members if m.is_support_figure]
    trusted = [m for m in members if m.is_trusted_person]
    title = _("Network map of %(youth)s") % {"youth": youth_label}
    desc = " ".join(
        [
            _("%(youth)s is in the centre.") % {"youth": youth_label},
            _("Inner ring, the informal network: %(names)s.") % {"names": _names(informal)},
            _("Outer ring, the formal network: %(names)s.") % {"names": _names(formal)},
            _("Support figures: %(names)s.") % {"names": ", ".join(m.name for m in support) or _("nobody")},
            _("Trusted person: %(names)s.") % {"names": ", ".join(m.name for m in trusted) or _("nobody")},
            _(
                "The circle is divided into one sector per life domain; someone who works on several or no life "
                "domains stands in the grey sector."
            ),
        ]
    )

    out: list[str] = []
    add = out.append
    add(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{_n(left)} {_n(top)} {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="img" '
        f'aria-labelledby="netwerkkaart-titel netwerkkaart-beschrijving" font-family="{FONT}">'
    )
    add(f'<title id="netwerkkaart-titel">{_t(title)}</title>')
    add(f'<desc id="netwerkkaart-beschrijving">{_t(desc)}</desc>')
    add(f'<rect x="{_n(left)}" y="{_n(top)}" width="{_n(width)}" height="{_n(height)}" fill="#ffffff"/>')
    add(_text(left + PAD, top + 30, title, size=20, anchor="start", bold=True))
    if as_of is not None:
        add(
            _text(
                left + PAD,
                top + 50,
                _("Situation on %(day)s") % {"day": date_format(as_of, "j F Y")},
                size=12.5,
                anchor="start",
                fill=MUTED,
            )
        )

    # Sectors, boundaries and rings.
    r0, r1 = layout.r_youth + 8, layout.r_wedge
    n = len(layout.labels)
    for s in range(n):
        a0, a1 = layout.bounds[s], layout.bounds[s + 1]
        fill = NEUTRAL_FILL if s == n - 1 else SECTOR_FILLS[s % 2]
        add(f'<path d="{_wedge(r0, r1, a0, a1)}" fill="{fill}" stroke="{SECTOR_LINE}" stroke-width="1"/>')
    for radius in (layout.r_in, layout.r_out):
        add(
            f'<circle cx="0" cy="0" r="{_n(radius)}" fill="none" stroke="{LINE}" stroke-width="1.5" '
            f'stroke-dasharray="6 5"/>'
        )

    for lab in layout.labels:
        for i, line in enumerate(lab.lines):
            add(
                _text(
                    lab.x,
                    lab.y + (i + 1) * (LABEL_SIZE + 3) - 2,
                    line,
                    size=LABEL_SIZE,
                    anchor=lab.anchor,
                    bold=True,
                    fill="#33414a",
                )
            )

    # The youth.
    add(f'<circle cx="0" cy="0" r="{_n(layout.r_youth)}" fill="{FORMAL_STROKE}" stroke="#08475a" stroke-width="2"/>')
    first_y = -(len(youth_lines) - 1) * 9 + 5
    for i, line in enumerate(youth_lines):
        add(_text(0, first_y + i * 18, line, size=15, bold=True, fill="#ffffff"))

    # The people.
    for box in layout.boxes:
        m = box.member
        fill, stroke = (INFORMAL_FILL, INFORMAL_STROKE) if box.ring == INNER else (FORMAL_FILL, FORMAL_STROKE)
        thick = m.is_support_figure
        x0, y0, _x1, _y1 = box.rect()
        add("<g>")
        add(f"<title>{_t(_member_title(m, domain_labels))}</title>")
        add(
            f'<rect x="{_n(x0)}" y="{_n(y0)}" width="{_n(box.w)}" height="{_n(box.h)}" rx="8" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{4 if thick else 1.5}"/>'
        )
        add(_text(box.x, box.y - 3, box.name_line, size=NAME_SIZE, bold=True))
        add(_text(box.x, box.y + 13, box.role_line, size=ROLE_SIZE, fill=MUTED))
        add("</g>")

    # The legend.
    ly = bottom + 14
    add(f'<line x1="{_n(left + PAD)}" y1="{_n(ly)}" x2="{_n(right - PAD)}" y2="{_n(ly)}" stroke="#c7d0d6"/>')
    add(_text(left + PAD, ly + 22, _("Legend"), size=13, anchor="start", bold=True))
    for column, row, fill, stroke, stroke_w, mark, text in legend:
        x = left + PAD + column * col0
        y = ly + 34 + row * 26
        add(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="34" height="18" rx="4" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{_n(stroke_w)}"/>'
        )
        if mark:
            add(_text(x + 17, y + 14, mark, size=13, bold=True))
        add(_text(x + 44, y + 14, text, size=12.5, anchor="start"))
    add("</svg>")
    return "".join(out)
