"""The chain's registration criteria (cases/eligibility.py). Pure functions: no database needed."""

from __future__ import annotations

from datetime import date

import pytest

from ketenregie.cases.eligibility import CRITERIA, age_on, all_passed, check_eligibility, failed, is_minor
from ketenregie.chains.models import Chain

ON = date(2025, 3, 12)


@pytest.fixture
def fix():
    return Chain(name="FIX Genk", slug="fix-genk", municipality="Genk", age_min=12, age_max=25, postal_codes=["3600"])


def criterion(chain, code, **known):
    known.setdefault("on", ON)
    return next(c for c in check_eligibility(chain=chain, **known) if c.code == code)


# --- Age on the registration date -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_date", "status", "message"),
    [
        pytest.param(date(2013, 3, 12), "passed", "12 years on 12 March 2025: within 12–25.", id="12th-birthday-today"),
        pytest.param(
            date(2013, 3, 13),
            "failed",
            "11 years on 12 March 2025: outside the age range 12–25.",
            id="day-before-12th-birthday",
        ),
        pytest.param(date(2000, 3, 12), "passed", "25 years on 12 March 2025: within 12–25.", id="25th-birthday-today"),
        pytest.param(
            date(1999, 3, 13), "passed", "25 years on 12 March 2025: within 12–25.", id="day-before-26th-birthday"
        ),
        pytest.param(
            date(1999, 3, 12),
            "failed",
            "26 years on 12 March 2025: outside the age range 12–25.",
            id="26th-birthday-today",
        ),
    ],
)
def test_age_is_counted_on_the_registration_date_at_the_boundaries(fix, birth_date, status, message):
    age = criterion(fix, "age", birth_date=birth_date)

    assert (age.status, age.message) == (status, message)
    assert age.passed is (status == "passed")


def test_the_age_range_is_the_chain_s(fix):
    kompas = Chain(name="KOMPAS+", slug="kompas", municipality="Antwerpen", age_min=12, age_max=18, postal_codes=[])

    assert criterion(fix, "age", birth_date=date(2004, 1, 1)).passed
    assert criterion(kompas, "age", birth_date=date(2004, 1, 1)).message == (
        "21 years on 12 March 2025: outside the age range 12–18."
    )


@pytest.mark.parametrize(
    ("day", "age"),
    [
        pytest.param(date(2026, 2, 28), 17, id="28-feb-non-leap-year-not-yet"),
        pytest.param(date(2026, 3, 1), 18, id="1-march-non-leap-year"),
        pytest.param(date(2028, 2, 28), 19, id="28-feb-leap-year-not-yet"),
        pytest.param(date(2028, 2, 29), 20, id="29-feb-leap-year"),
        pytest.param(date(2008, 2, 29), 0, id="day-of-birth"),
    ],
)
def test_someone_born_on_29_february_ages_on_1_march_in_a_non_leap_year(day, age):
    assert age_on(date(2008, 2, 29), day) == age


def test_a_29_february_youth_is_a_minor_until_1_march():
    assert is_minor(date(2008, 2, 29), date(2026, 2, 28))
    assert not is_minor(date(2008, 2, 29), date(2026, 3, 1))


def test_a_29_february_birthday_at_the_upper_boundary():
    chain = Chain(name="K", slug="k", municipality="Genk", age_min=12, age_max=17, postal_codes=["3600"])

    assert criterion(chain, "age", on=date(2026, 2, 28), birth_date=date(2008, 2, 29)).passed
    assert criterion(chain, "age", on=date(2026, 3, 1), birth_date=date(2008, 2, 29)).message == (
        "18 years on 1 March 2026: outside the age range 12–17."
    )


def test_an_unknown_age_is_unknown_and_names_the_range(fix):
    age = criterion(fix, "age")

    assert (age.status, age.message) == ("unknown", "Age not yet known (the chain takes 12 to 25 years).")


def test_an_age_given_without_birth_date_is_checked_too(fix):
    assert criterion(fix, "age", age=30).message == "30 years on 12 March 2025: outside the age range 12–25."
    assert criterion(fix, "age", age=16).passed


def test_the_birth_date_wins_over_a_stated_age(fix):
    assert criterion(fix, "age", age=16, birth_date=date(1990, 1, 1)).status == "failed"


# --- Region -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("known", "status", "message"),
    [
        pytest.param({"postal_code": "3600"}, "passed", "Lives in the region (3600).", id="lives-in-the-region"),
        pytest.param(
            {"postal_code": "3500"},
            "failed",
            "Lives outside the region (3500; region: 3600) and no strong link is recorded.",
            id="outside-without-link",
        ),
        pytest.param(
            {"postal_code": "3500", "strong_link": True, "strong_link_explanation": "Gaat in Genk naar school."},
            "passed",
            "Lives outside the region but has a strong link with it.",
            id="strong-link-explained",
        ),
        pytest.param(
            {"postal_code": "3500", "strong_link": True, "strong_link_explanation": "   "},
            "failed",
            "A strong link with the region needs an explanation.",
            id="strong-link-without-explanation",
        ),
        pytest.param({}, "unknown", "Place of residence not yet known (region: 3600).", id="unknown"),
    ],
)
def test_region_by_postal_code_or_strong_link(fix, known, status, message):
    region = criterion(fix, "region", **known)

    assert (region.status, region.message) == (status, message)


def test_a_strong_link_is_not_needed_when_the_youth_lives_in_the_region(fix):
    assert criterion(fix, "region", postal_code="3600", strong_link=True).passed


def test_a_chain_without_postal_codes_names_its_municipality():
    chain = Chain(name="K", slug="k", municipality="Mechelen", age_min=12, age_max=25, postal_codes=[])

    assert criterion(chain, "region").message == "Place of residence not yet known (region: Mechelen)."
    assert criterion(chain, "region", postal_code="2800").message == (
        "Lives outside the region (2800; region: Mechelen) and no strong link is recorded."
    )


# --- Offence and multi-problem ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status", "message"),
    [
        (True, "passed", "An offence was committed."),
        (False, "failed", "No offence is known: the chain is for youths who committed offences."),
        (None, "unknown", "Not yet known whether an offence was committed."),
    ],
)
def test_offence_known_or_unknown(fix, value, status, message):
    offence = criterion(fix, "offence", has_offence=value)

    assert (offence.status, offence.message) == (status, message)


@pytest.mark.parametrize(
    ("value", "status", "message"),
    [
        (True, "passed", "There is complex multi-problem in the youth and/or family."),
        (False, "failed", "No complex multi-problem: a regular service may be a better fit."),
        (None, "unknown", "Not yet known whether there is complex multi-problem."),
    ],
)
def test_multi_problem_known_or_unknown(fix, value, status, message):
    multi = criterion(fix, "multi_problem", has_multi_problem=value)

    assert (multi.status, multi.message) == (status, message)


# --- The whole check -------------------------------------------------------------------------------


def test_every_criterion_is_reported_in_order(fix):
    criteria = check_eligibility(chain=fix, on=ON)

    assert tuple(c.code for c in criteria) == CRITERIA
    assert {c.status for c in criteria} == {"unknown"}


def test_all_passed_only_when_every_criterion_passed(fix):
    ok = check_eligibility(
        chain=fix, on=ON, birth_date=date(2009, 5, 1), postal_code="3600", has_offence=True, has_multi_problem=True
    )
    unknown = check_eligibility(chain=fix, on=ON, birth_date=date(2009, 5, 1), postal_code="3600", has_offence=True)

    assert all_passed(ok) and failed(ok) == []
    assert not all_passed(unknown)
    assert [c.code for c in failed(unknown)] == ["multi_problem"]  # "unknown" is not passed either


def test_a_criterion_is_stored_as_a_plain_dict(fix):
    age = criterion(fix, "age", birth_date=date(2013, 3, 12))

    assert age.as_dict() == {"code": "age", "status": "passed", "message": "12 years on 12 March 2025: within 12–25."}
