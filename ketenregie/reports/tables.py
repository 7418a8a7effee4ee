"""Report tables and the small-number protection every table passes before it leaves the chain.

A ``Table`` holds the exact figures of one chain for one period. ``present(table, threshold)``
turns it into what is shown: with a threshold, every cell counting fewer youths than it reads
"<N" — zero included, so an empty cell cannot be told from a small one — and every value derived
from such a cell (a mean, a share, a count of goals) goes with it. Columns whose rows add up to a
total published elsewhere (``additive``) get secondary suppression: when exactly one of their cells
is hidden, the next smallest is hidden too, so the hidden one cannot be worked out by subtraction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.formats import number_format

LABEL = "label"  # text: the category, the month, the measure
YOUTHS = "youths"  # a number of youths (cases); the unit of protection
COUNT = "count"  # a number of other things (contacts, goals, meetings) counted for the row's youths
MEAN = "mean"  # an average over the row's youths
PERCENT = "percent"  # a share in percent
DAYS = "days"  # a number of days (an average duration)
SCORE = "score"  # an average progress score 1–5

NUMERIC = {YOUTHS, COUNT, MEAN, PERCENT, DAYS, SCORE}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = YOUTHS
    base: str | None = None  # the youths column of the same row this value is based on
    additive: bool = False  # the rows of this column add up to a total shown elsewhere


@dataclass(frozen=True)
class Chart:
    """How the table is drawn: ``bars`` (horizontal, one group per row), ``columns`` (vertical,
    one group per row, for months) or ``stacked`` (vertical, the series stacked)."""

    kind: str
    series: tuple[str, ...]
    scale_max: float | None = None  # e.g. 5 for progress scores, 100 for shares


@dataclass
class Table:
    name: str
    title: str
    description: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: Chart | None = None
    note: str = ""
    section: str = ""

    @property
    def label_key(self) -> str:
        return next(c.key for c in self.columns if c.kind == LABEL)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def is_empty(self) -> bool:
        """No youth counted anywhere in the table (an empty period)."""
        youths = [c.key for c in self.columns if c.kind == YOUTHS]
        return not any((row.get(k) or 0) > 0 for row in self.rows for k in youths)


@dataclass(frozen=True)
class Cell:
    raw: Any  # the exact value; None when suppressed or not applicable
    text: str  # as shown on a page
    kind: str = LABEL
    suppressed: bool = False

    @property
    def export(self) -> Any:
        """The value for CSV and XLSX: a plain number, the "<N" text, or an empty string."""
        if self.suppressed:
            return self.text
        if self.raw is None:
            return ""
        if self.kind in (MEAN, SCORE, PERCENT):
            return round(float(self.raw), 1)
        if self.kind == DAYS:
            return round(float(self.raw))
        return self.raw


@dataclass
class Shown:
    """A table as it is shown or exported: cells with their text, protected or not."""

    table: Table
    rows: list[list[Cell]]
    threshold: int | None
    suppressed: int = 0  # how many cells are hidden
    columns: list[Column] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.table.name

    @property
    def title(self) -> str:
        return self.table.title

    @property
    def protected(self) -> bool:
        return self.threshold is not None

    def cell(self, row: int, key: str) -> Cell:
        return self.rows[row][[c.key for c in self.columns].index(key)]

    def series_values(self, key: str) -> list[Cell]:
        index = [c.key for c in self.columns].index(key)
        return [r[index] for r in self.rows]


def thresholds_for(chains: Iterable[Any]) -> dict[Any, int]:
    """The smallest number each chain's tables may show: the platform's setting, or the chain's own
    when it is higher (a chain may be stricter, never looser). One query for all chains."""
    from ketenregie.reports.models import ChainReportSettings

    chains = list(chains)
    platform = int(settings.KETENREGIE_REPORT_MIN_CELL)
    own = dict(
        ChainReportSettings.objects.with_scope(chain=[c.pk for c in chains])
        .filter(min_cell_size__isnull=False)
        .values_list("chain_id", "min_cell_size")
    )
    return {c.pk: max(platform, own.get(c.pk) or 0) for c in chains}


def _text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == LABEL:
        return str(value)
    if kind in (YOUTHS, COUNT):
        return number_format(int(value))
    if kind == PERCENT:
        return f"{number_format(round(float(value)), 0)}%"
    if kind == DAYS:
        return number_format(round(float(value)), 0)
    return number_format(float(value), 1)


def present(table: Table, threshold: int | None) -> Shown:
    """The table with its cells as text; with ``threshold``, small numbers are hidden (see module doc)."""
    columns = table.columns
    hidden: set[tuple[int, str]] = set()
    if threshold is not None:
        for i, row in enumerate(table.rows):
            for col in columns:
                if col.kind == YOUTHS and row.get(col.key) is not None and row[col.key] < threshold:
                    hidden.add((i, col.key))
        for col in columns:
            if not col.additive:
                continue
            in_column = [i for i, row in enumerate(table.rows) if row.get(col.key) is not None]
            hidden_here = [i for i in in_column if (i, col.key) in hidden]
            visible = [i for i in in_column if (i, col.key) not in hidden]
            if len(hidden_here) == 1 and visible:
                smallest = min(visible, key=lambda i: table.rows[i][col.key])
                hidden.add((smallest, col.key))
        for i, row in enumerate(table.rows):
            for col in columns:
                if col.kind in NUMERIC and col.kind != YOUTHS and col.base and row.get(col.key) is not None:
                    base = row.get(col.base)
                    if (i, col.base) in hidden or base is None or base < threshold:
                        hidden.add((i, col.key))
    marker = f"<{threshold}" if threshold is not None else ""
    rows = []
    for i, row in enumerate(table.rows):
        cells = []
        for col in columns:
            value = row.get(col.key)
            if (i, col.key) in hidden:
                cells.append(Cell(None, marker, col.kind, True))
            else:
                cells.append(Cell(value, _text(value, col.kind), col.kind))
        rows.append(cells)
    return Shown(table=table, rows=rows, threshold=threshold, suppressed=len(hidden), columns=list(columns))
