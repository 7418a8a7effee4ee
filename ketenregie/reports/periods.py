"""The period a report covers: a month, a quarter, a year or any span of days, both ends included."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

MONTH, QUARTER, YEAR, CUSTOM = "month", "quarter", "year", "custom"
KINDS = (MONTH, QUARTER, YEAR, CUSTOM)

# A longer span would make the monthly figures unreadable (and the monthly query long).
MAX_DAYS = 5 * 366


def month_end(day: date) -> date:
    first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next - timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in Belgian time, as an aware moment."""
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: str = CUSTOM

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = date(year, month, 1)
        return cls(start, month_end(start), MONTH)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        start = date(year, 3 * (quarter - 1) + 1, 1)
        return cls(start, month_end(add_months(start, 2)), QUARTER)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 31), YEAR)

    @classmethod
    def current_year(cls) -> Period:
        return cls.year(timezone.localdate().year)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def after(self) -> datetime:
        """The first moment after the period (aware), for half-open comparisons of moments."""
        return start_of_day(self.end + timedelta(days=1))

    @property
    def begins(self) -> datetime:
        return start_of_day(self.start)

    def reference_day(self) -> date:
        """The day "now" stands for: the period's last day, or today while the period is still running."""
        return min(self.end, timezone.localdate())

    def months(self) -> list[tuple[date, date]]:
        """Each calendar month touching the period, clipped to it: [(first day, last day)]."""
        out = []
        first = self.start.replace(day=1)
        while first <= self.end:
            out.append((max(first, self.start), min(month_end(first), self.end)))
            first = add_months(first, 1)
        return out

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return date_format(self.start, "F Y")
        if self.kind == QUARTER:
            return _("Q%(quarter)d %(year)d") % {"quarter": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        if self.kind == YEAR:
            return str(self.start.year)
        return _("%(start)s to %(end)s") % {
            "start": date_format(self.start, "j F Y"),
            "end": date_format(self.end, "j F Y"),
        }

    @property
    def slug(self) -> str:
        """For file names: no personal data, only the dates."""
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def as_query(self) -> dict[str, str]:
        """The web form's parameters that give this period back."""
        if self.kind == MONTH:
            return {"periode": MONTH, "maand": f"{self.start:%Y-%m}"}
        if self.kind == QUARTER:
            return {"periode": QUARTER, "kwartaal": f"{self.start.year}-{(self.start.month - 1) // 3 + 1}"}
        if self.kind == YEAR:
            return {"periode": YEAR, "jaar": str(self.start.year)}
        return {"periode": CUSTOM, "van": self.start.isoformat(), "tot": self.end.isoformat()}


def month_label(first: date, *, short: bool = False) -> str:
    return date_format(first, "M Y" if short else "F Y")
