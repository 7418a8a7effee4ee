"""The figures count what the case data says: per status, per youth, per step, for a period.

Cases are built by the domain; the assertions read the exact tables (no protection) of
``reports.figures.compute``, then a few through ``present`` with the threshold.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ketenregie.cases import domain as cases_domain
from ketenregie.cases.enums import CaseStatus, ClosureReason, Framework
from ketenregie.reports import figures
from ketenregie.reports.periods import CUSTOM, Period
from tests.cases.conftest import years_before

pytestmark = pytest.mark.django_db
S = CaseStatus


def rows(report, name: str, key: str = "n") -> dict:
    return {r["label"]: r[key] for r in report.tables[name].rows}


def by_code(report, name: str, key: str = "n") -> dict:
    return {r["code"]: r[key] for r in report.tables[name].rows}


def headline(report) -> dict:
    return {h.key: h.value for h in report.headline}


def test_every_figure_has_a_table_with_its_name(chain, period):
    report = figures.compute_one(chain, period)
    assert list(report.tables) == list(figures.NAMES)
    for name, table in report.tables.items():
        assert table.name == name and table.title and table.description and table.section
        assert table.chart is not None
        assert all(key in {c.key for c in table.columns} for key in table.chart.series)


def test_cases_in_every_status_are_counted_where_they_belong(youth_case, period, chain):
    youth_case(S.REGISTERED, gender="f")
    youth_case(S.AWAITING_OT, gender="m")
    youth_case(S.ACTIVE, gender="m", framework=Framework.IMPOSED)
    youth_case(S.CLOSED, gender="f")
    youth_case(S.NOT_INCLUDED, gender="x")
    youth_case(S.WITHDRAWN)

    report = figures.compute_one(chain, period)

    assert headline(report) == {
        "consults": 0,
        "registrations": 6,
        "included": 2,
        "in_trajectory": 2,
        "closed": 1,
        "ot_meetings": 0,
    }
    assert by_code(report, "gender") == {"f": 2, "m": 2, "x": 1, "u": 1}
    assert by_code(report, "framework") == {"voluntary": 5, "imposed": 1}
    assert by_code(report, "referrers")["organisation"] == 6
    funnel = rows(report, "funnel")
    assert [funnel[k] for k in ("Registrations", "Intake started", "Put to the OT", "Included by the OT")] == [
        6,
        3,
        3,
        2,
    ]
    assert funnel["Trajectory started"] == 2
    assert by_code(report, "closures") == {r.value: int(r == ClosureReason.GOALS_REACHED) for r in ClosureReason}
    reasons = rows(report, "not_included")
    assert reasons["Not included before the OT"] == 1 and reasons["The youth declined or withdrew"] == 1
    assert rows(report, "not_included", "advice")["Not included before the OT"] == 1
    assert by_code(report, "ot_decisions")["include"] == 2
    # Minors: the builder's youths are 15 at registration.
    assert rows(report, "minors")["Minor at registration"] == 6
    assert by_code(report, "age_bands")["14_15"] == 6
    assert by_code(report, "offences")["diefstal"] == 6
    # At the end of the running month: three before the OT's decision, two active.
    last = report.tables["status_over_time"].rows[-1]
    assert (last["preparing"], last["included"], last["active"]) == (2, 0, 1)
    month = report.tables["cases_per_month"].rows[-1]
    assert month["closed"] == 1 and month["active"] == 2


def test_an_empty_period_counts_nothing(youth_case, chain):
    youth_case(S.ACTIVE)
    empty = Period(date(2010, 1, 1), date(2010, 12, 31), CUSTOM)

    report = figures.compute_one(chain, empty)

    assert report.is_empty
    assert all(table.is_empty for table in report.tables.values())
    assert len(report.tables["cases_per_month"].rows) == 12


def test_age_bands_count_the_age_on_the_day_of_registration(youth_case, chain, period):
    today = timezone.localdate()
    registered = today - timedelta(days=40)
    # Turns 18 the day after registration: a minor at registration who turned 18 in the trajectory.
    youth_case(S.ACTIVE, registered_on=registered, birth_date=years_before(registered, 18) + timedelta(days=1))
    youth_case(S.REGISTERED, registered_on=registered, birth_date=years_before(registered, 18))
    youth_case(S.REGISTERED, registered_on=registered, birth_date=years_before(registered, 12))

    report = figures.compute_one(chain, period)

    bands = by_code(report, "age_bands")
    assert (bands["16_17"], bands["18_20"], bands["12_13"]) == (1, 1, 1)
    minors = rows(report, "minors")
    assert minors == {"Minor at registration": 2, "Adult at registration": 1, "Turned 18 during the trajectory": 1}


def test_network_plans_progress_and_follow_up_of_the_cases_in_trajectory(youth_case, enrich, chain, period):
    enrich(youth_case(S.ACTIVE))
    enrich(youth_case(S.ACTIVE))
    youth_case(S.ACTIVE)  # no network, no plan, never reached

    report = figures.compute_one(chain, period)

    network = {r["label"]: r for r in report.tables["network"].rows}
    formal = network["Formal network members (professionals)"]
    assert (formal["cases"], formal["total"], formal["none"]) == (3, 4, 1)
    assert formal["mean"] == pytest.approx(4 / 3)
    organisations = network["Organisations in the network"]
    assert (organisations["total"], organisations["none"]) == (4, 1)  # two per case, counted once per case
    assert network["Support figures"]["total"] == 2

    plans = {r["code"]: r for r in report.tables["plans"].rows}
    assert (plans["werk_onderwijs"]["cases"], plans["werk_onderwijs"]["actions"], plans["werk_onderwijs"]["done"]) == (
        2,
        4,
        2,
    )
    assert plans["werk_onderwijs"]["share_done"] == 50
    assert plans["vrije_tijd"]["goals"] == 2 and plans["huisvesting"]["cases"] == 0

    progress = {r["code"]: r for r in report.tables["progress"].rows}
    work = progress["werk_onderwijs"]
    assert (work["cases"], work["first"], work["last"], work["better"], work["same"], work["worse"]) == (
        2,
        2.0,
        4.0,
        2,
        0,
        0,
    )
    assert progress["vrije_tijd"]["same"] == 2

    contacts = sum(r["contacts"] for r in report.tables["follow_up"].rows)
    assert contacts == 4
    views = rows(report, "out_of_view")
    assert views["8 to 14 days ago"] == 2 and views["Not reached yet"] == 1


def test_closure_figures_and_registration_again(youth_case, builder, coordinator, chain, period, enrich):
    closed = youth_case(S.CLOSED)
    again = cases_domain.register_case(
        actor=coordinator,
        chain=chain,
        data=builder.registration_data(
            registered_on=timezone.localdate(),
            birth_date=closed.youth.birth_date,
            first_name=closed.youth.first_name,
            last_name=closed.youth.last_name,
        ),
        previous_case=closed,
        confirm_not_duplicate=True,
    )
    assert again.youth_id == closed.youth_id

    report = figures.compute_one(chain, period)

    rereg = rows(report, "reregistration")
    assert rereg["Closed in the period"] == 1 and rereg["Registered again within 12 months"] == 1
    assert rereg["Closed at least 12 months ago"] == 0
    assert rows(report, "duration_bands")["Less than 3 months"] == 1
    duration = rows(report, "duration", "days")
    assert duration["From registration to closure"] == pytest.approx(30)
    support = rows(report, "support_at_closure")
    assert support == {"With a support figure": 0, "Without a support figure": 1}


def test_several_chains_are_counted_apart_in_the_same_queries(youth_case, chain, other_chain, period):
    youth_case(S.ACTIVE)

    reports = figures.compute([chain, other_chain], period)

    assert headline(reports[chain.pk])["registrations"] == 1
    assert headline(reports[other_chain.pk])["registrations"] == 0
