"""The report's queries run with the planner settings made for them, on PostgreSQL, and leave the
connection as they found it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ketenregie.reports.figures import planned_for_reports

pytestmark = pytest.mark.django_db


def _shown() -> dict[str, str]:
    with connection.cursor() as cursor:
        found = {}
        for name in ("jit", "random_page_cost", "work_mem"):
            cursor.execute(f"SHOW {name}")
            found[name] = cursor.fetchone()[0]
        return found


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner settings are PostgreSQL's")
def test_report_queries_are_planned_without_jit_for_solid_state_storage_with_memory_for_sorts(settings):
    settings.KETENREGIE_REPORT_RANDOM_PAGE_COST = 1.5
    settings.KETENREGIE_REPORT_WORK_MEM = "48MB"
    before = _shown()
    with planned_for_reports():
        assert _shown() == {"jit": "off", "random_page_cost": "1.5", "work_mem": "48MB"}
    assert _shown() == before


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the other databases")
def test_on_another_database_nothing_is_set():
    with CaptureQueriesContext(connection) as queries, planned_for_reports():
        pass
    assert len(queries) == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        *(("KETENREGIE_REPORT_WORK_MEM", v) for v in ("32", "32 MB", "32MB; DROP TABLE x", "0MB")),
        *(("KETENREGIE_REPORT_RANDOM_PAGE_COST", v) for v in ("fast", "0", "-1", "nan", "inf")),
    ],
)
def test_a_planner_setting_that_is_not_a_size_or_a_positive_number_stops_the_start(name, value):
    result = subprocess.run(
        [sys.executable, "-c", "import ketenregie.settings"],
        env={name: value, "KETENREGIE_TESTING": "true", "PATH": ""},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and name in result.stderr
