"""Small numbers are protected: "<N" for every youth count under the threshold, zero included, and for
everything derived from such a count; secondary suppression where a hidden cell could be worked out."""

from __future__ import annotations

import pytest

from ketenregie.reports.charts import chart_for
from ketenregie.reports.models import ChainReportSettings
from ketenregie.reports.tables import COUNT, LABEL, MEAN, PERCENT, YOUTHS, Chart, Column, Table, present, thresholds_for


def table(rows, *, additive=True) -> Table:
    return Table(
        name="t",
        title="T",
        description="",
        columns=[
            Column("label", "Label", LABEL),
            Column("n", "Youths", YOUTHS, additive=additive),
            Column("goals", "Goals", COUNT, base="n"),
            Column("mean", "Mean", MEAN, base="n"),
            Column("share", "Share", PERCENT, base="n"),
        ],
        rows=rows,
        chart=Chart("bars", ("n",)),
    )


def texts(shown) -> list[list[str]]:
    return [[c.text for c in row] for row in shown.rows]


def test_without_a_threshold_every_number_is_shown():
    shown = present(table([{"label": "a", "n": 3, "goals": 7, "mean": 2.333, "share": 42.4}]), None)
    assert texts(shown) == [["a", "3", "7", "2.3", "42%"]]
    assert shown.suppressed == 0


def test_counts_under_the_threshold_and_what_is_based_on_them_are_hidden():
    shown = present(
        table(
            [
                {"label": "a", "n": 12, "goals": 30, "mean": 2.5, "share": 60.0},
                {"label": "b", "n": 4, "goals": 9, "mean": 2.25, "share": 40.0},
                {"label": "c", "n": 0, "goals": 0, "mean": None, "share": None},
                {"label": "d", "n": 20, "goals": 1, "mean": None, "share": None},
            ],
            additive=False,
        ),
        5,
    )
    assert texts(shown) == [
        ["a", "12", "30", "2.5", "60%"],
        ["b", "<5", "<5", "<5", "<5"],
        ["c", "<5", "<5", "", ""],  # nothing to hide where there is no value
        ["d", "20", "1", "", ""],  # a small count of goals of many youths is no risk
    ]
    assert shown.cell(1, "n").suppressed and shown.cell(1, "n").export == "<5"
    assert shown.cell(0, "mean").export == 2.5


def test_one_hidden_cell_in_a_column_that_adds_up_is_not_left_alone():
    rows = [
        {"label": k, "n": n, "goals": 0, "mean": None, "share": None}
        for k, n in (("a", 30), ("b", 3), ("c", 9), ("d", 12))
    ]
    shown = present(table(rows), 5)
    assert [r[1].text for r in shown.rows] == ["30", "<5", "<5", "12"]  # c, the next smallest, goes too


def test_a_chain_may_raise_the_threshold_but_not_lower_it(chain, other_chain, settings):
    settings.KETENREGIE_REPORT_MIN_CELL = 5
    ChainReportSettings.objects.create(chain=chain, min_cell_size=10)
    ChainReportSettings.objects.create(chain=other_chain, min_cell_size=2)
    assert thresholds_for([chain, other_chain]) == {chain.pk: 10, other_chain.pk: 5}
    settings.KETENREGIE_REPORT_MIN_CELL = 3
    assert thresholds_for([other_chain]) == {other_chain.pk: 3}


@pytest.mark.parametrize("protected", [False, True])
def test_a_chart_never_draws_a_hidden_number(protected):
    shown = present(
        table([{"label": "<b>x</b>", "n": 3, "goals": 1, "mean": 1.0, "share": 1.0}], additive=False),
        5 if protected else None,
    )
    svg = chart_for(shown, chart_id="c")
    assert svg.startswith("<svg") and 'role="img"' in svg and "<desc" in svg
    assert "<b>" not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg  # labels are escaped
    if protected:
        assert "&lt;5" in svg and "stroke-dasharray" in svg and ">3<" not in svg
    else:
        assert ">3<" in svg


def test_an_administrator_sets_a_chains_threshold_in_the_admin(client_for, admin_user, chain):
    from django.urls import reverse

    from ketenregie.audit.models import AuditEvent

    client = client_for(admin_user)
    assert client.get(reverse("admin:reports_chainreportsettings_changelist")).status_code == 200
    response = client.post(reverse("admin:reports_chainreportsettings_add"), {"chain": chain.pk, "min_cell_size": 10})
    assert response.status_code == 302
    assert thresholds_for([chain]) == {chain.pk: 10}
    assert AuditEvent.objects.filter(action="chain.changed", object_type="reports.chainreportsettings").exists()
