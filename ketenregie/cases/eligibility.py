"""The chain's registration criteria (aanmeldingscriteria), checked on what is known."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Literal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ketenregie.chains.models import Chain

Status = Literal["passed", "failed", "unknown"]

CRITERIA = ("age", "region", "offence", "multi_problem")


@dataclass(frozen=True)
class Criterion:
    code: str
    status: Status
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def as_dict(self) -> dict:
        return asdict(self)


def age_on(birth_date: date, day: date) -> int:
    """Completed years on ``day``; someone born on 29 February has their birthday on 1 March."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def is_minor(birth_date: date, day: date) -> bool:
    return age_on(birth_date, day) < 18


def check_eligibility(
    *,
    chain: Chain,
    on: date,
    birth_date: date | None = None,
    age: int | None = None,
    postal_code: str = "",
    strong_link: bool = False,
    strong_link_explanation: str = "",
    has_offence: bool | None = None,
    has_multi_problem: bool | None = None,
) -> list[Criterion]:
    """Every criterion of ``chain`` with passed / failed / unknown and a message saying why."""
    return [
        _age(chain, on, birth_date, age),
        _region(chain, postal_code, strong_link, strong_link_explanation),
        _yes_no(
            "offence",
            has_offence,
            _("An offence was committed."),
            _("No offence is known: the chain is for youths who committed offences."),
            _("Not yet known whether an offence was committed."),
        ),
        _yes_no(
            "multi_problem",
            has_multi_problem,
            _("There is complex multi-problem in the youth and/or family."),
            _("No complex multi-problem: a regular service may be a better fit."),
            _("Not yet known whether there is complex multi-problem."),
        ),
    ]


def all_passed(criteria: list[Criterion]) -> bool:
    return all(c.passed for c in criteria)


def failed(criteria: list[Criterion]) -> list[Criterion]:
    return [c for c in criteria if not c.passed]


def _age(chain: Chain, on: date, birth_date: date | None, age: int | None) -> Criterion:
    if birth_date is not None:
        age = age_on(birth_date, on)
    if age is None:
        return Criterion(
            "age",
            "unknown",
            _("Age not yet known (the chain takes %(min)d to %(max)d years).")
            % {"min": chain.age_min, "max": chain.age_max},
        )
    params = {"age": age, "min": chain.age_min, "max": chain.age_max, "date": date_format(on, "j F Y")}
    if chain.age_min <= age <= chain.age_max:
        return Criterion("age", "passed", _("%(age)d years on %(date)s: within %(min)d–%(max)d.") % params)
    return Criterion("age", "failed", _("%(age)d years on %(date)s: outside the age range %(min)d–%(max)d.") % params)


def _region(chain: Chain, postal_code: str, strong_link: bool, explanation: str) -> Criterion:
    region = ", ".join(chain.postal_codes) or chain.municipality
    if postal_code and postal_code in (chain.postal_codes or []):
        return Criterion("region", "passed", _("Lives in the region (%(code)s).") % {"code": postal_code})
    if strong_link and explanation.strip():
        return Criterion("region", "passed", _("Lives outside the region but has a strong link with it."))
    if strong_link:
        return Criterion("region", "failed", _("A strong link with the region needs an explanation."))
    if not postal_code:
        return Criterion(
            "region", "unknown", _("Place of residence not yet known (region: %(region)s).") % {"region": region}
        )
    return Criterion(
        "region",
        "failed",
        _("Lives outside the region (%(code)s; region: %(region)s) and no strong link is recorded.")
        % {"code": postal_code, "region": region},
    )


def _yes_no(code: str, value: bool | None, yes: str, no: str, unknown: str) -> Criterion:
    if value is None:
        return Criterion(code, "unknown", unknown)
    return Criterion(code, "passed", yes) if value else Criterion(code, "failed", no)
