"""The report forms: which period (and which chains), and the steering group's text.

The period form is a GET form, so a report is a link that can be bookmarked or sent on. Its field
names are the query parameters (``periode``, ``maand``, ``kwartaal``, ``jaar``, ``van``, ``tot``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ketenregie.cases.views.base import DateInput
from ketenregie.reports import periods
from ketenregie.reports.periods import CUSTOM, MONTH, QUARTER, YEAR, Period

EARLIEST_YEAR = 2000
FIRST_YEAR_SHOWN = 2019  # the decree on youth delinquency (2019) predates every chain on the platform


class MonthInput(forms.TextInput):
    input_type = "month"


def _quarter_choices(today: date) -> list[tuple[str, str]]:
    out = []
    year, quarter = today.year, (today.month - 1) // 3 + 1
    for _i in range(4 * (today.year - FIRST_YEAR_SHOWN + 1)):
        out.append((f"{year}-{quarter}", _("Q%(quarter)d %(year)d") % {"quarter": quarter, "year": year}))
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
    return out


def _year_choices(today: date) -> list[tuple[str, str]]:
    return [(str(y), str(y)) for y in range(today.year, FIRST_YEAR_SHOWN - 1, -1)]


class PeriodForm(forms.Form):
    periode = forms.ChoiceField(
        label=_("Period"),
        choices=[(MONTH, _("A month")), (QUARTER, _("A quarter")), (YEAR, _("A year")), (CUSTOM, _("From … to …"))],
        initial=YEAR,
    )
    maand = forms.CharField(label=_("Month"), required=False, widget=MonthInput(), help_text=_("For example 2026-03."))
    kwartaal = forms.ChoiceField(label=_("Quarter"), required=False)
    jaar = forms.ChoiceField(label=_("Year"), required=False)
    van = forms.DateField(label=_("From"), required=False, widget=DateInput())
    tot = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        cast(forms.ChoiceField, self.fields["kwartaal"]).choices = _quarter_choices(today)
        cast(forms.ChoiceField, self.fields["jaar"]).choices = _year_choices(today)
        if not self.is_bound:
            self.initial.update(
                {
                    "periode": YEAR,
                    "maand": f"{today:%Y-%m}",
                    "kwartaal": f"{today.year}-{(today.month - 1) // 3 + 1}",
                    "jaar": str(today.year),
                    "van": today.replace(month=1, day=1),
                    "tot": today,
                }
            )

    @classmethod
    def from_period(cls, period: Period) -> PeriodForm:
        """An unbound form showing ``period`` (the other fields keep their defaults)."""
        form = cls()
        query = period.as_query()
        form.initial.update(query)
        if period.kind == CUSTOM:
            form.initial.update({"van": period.start, "tot": period.end})
        return form

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        kind = data.get("periode")
        period = None
        if kind == MONTH:
            raw = (data.get("maand") or "").strip()
            match = re.fullmatch(r"(\d{4})-(\d{2})", raw)
            if not match or not (1 <= int(match.group(2)) <= 12) or int(match.group(1)) < EARLIEST_YEAR:
                self.add_error("maand", _("Give the month as year and month, for example 2026-03."))
            else:
                period = Period.month(int(match.group(1)), int(match.group(2)))
        elif kind == QUARTER:
            raw = data.get("kwartaal") or ""
            if not raw:
                self.add_error("kwartaal", _("Choose a quarter."))
            else:
                year, quarter = raw.split("-")
                period = Period.quarter(int(year), int(quarter))
        elif kind == YEAR:
            raw = data.get("jaar") or ""
            if not raw:
                self.add_error("jaar", _("Choose a year."))
            else:
                period = Period.year(int(raw))
        elif kind == CUSTOM:
            start, end = data.get("van"), data.get("tot")
            if start is None and "van" not in self.errors:
                self.add_error("van", _("Give the first day of the period."))
            if end is None and "tot" not in self.errors:
                self.add_error("tot", _("Give the last day of the period."))
            if start and start.year < EARLIEST_YEAR:
                self.add_error("van", _("Give a day in %(year)d or later.") % {"year": EARLIEST_YEAR})
            elif start and end:
                if end < start:
                    self.add_error("tot", _("The end of the period lies before its start."))
                elif (end - start).days + 1 > periods.MAX_DAYS:
                    self.add_error("tot", _("Choose a period of at most five years."))
                else:
                    period = Period(start, end, CUSTOM)
        data["period"] = period
        return data

    @property
    def period(self) -> Period | None:
        return self.cleaned_data.get("period") if self.is_valid() else None


class SteeringTextForm(forms.Form):
    text = forms.CharField(
        label=_("Your text for the steering group"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Your reading of the figures, what went well, what needs the steering group's attention. It is printed "
            "in the report as you write it. Do not write about individual youths."
        ),
    )
