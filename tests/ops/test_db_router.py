"""The replica router: report reads go to the streaming replica, everything else to the primary."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.db import connections

from ketenregie.common import db_router
from ketenregie.common.db_router import DEFAULT, REPLICA, ReplicaRouter, reading_from_replica
from tests.ops.helpers import ROOT


def model(app_label: str):
    return SimpleNamespace(_meta=SimpleNamespace(app_label=app_label))


def instance(db: str | None):
    return SimpleNamespace(_state=SimpleNamespace(db=db))


@pytest.fixture
def router(monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    return ReplicaRouter()


def test_report_reads_go_to_the_replica(router):
    assert router.db_for_read(model("reports")) == REPLICA


def test_other_reads_stay_on_the_primary(router):
    for label in ("cases", "consent", "audit", "accounts", "sessions"):
        assert router.db_for_read(model(label)) == DEFAULT


def test_every_write_goes_to_the_primary_even_of_an_object_read_from_the_replica(router):
    assert router.db_for_write(model("reports"), instance=instance(REPLICA)) == DEFAULT
    assert router.db_for_write(model("cases")) == DEFAULT


def test_reads_inside_a_transaction_on_the_primary_see_its_own_writes(router, monkeypatch):
    monkeypatch.setattr(connections[DEFAULT], "in_atomic_block", True)
    assert router.db_for_read(model("reports")) == DEFAULT


def test_a_block_of_report_queries_can_read_everything_from_the_replica(router):
    with reading_from_replica():
        assert router.db_for_read(model("cases")) == REPLICA
        assert router.db_for_write(model("cases")) == DEFAULT
    assert router.db_for_read(model("cases")) == DEFAULT


def test_nothing_is_migrated_on_the_replica(router):
    assert router.allow_migrate(REPLICA, "reports") is False
    assert router.allow_migrate(REPLICA, "cases") is False
    assert router.allow_migrate(DEFAULT, "reports") is None


def test_objects_of_primary_and_replica_may_be_related(router):
    assert router.allow_relation(instance(DEFAULT), instance(REPLICA)) is True
    assert router.allow_relation(instance(DEFAULT), instance("elsewhere")) is None


def test_without_a_replica_the_router_decides_nothing(monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: False)
    router = ReplicaRouter()
    assert router.db_for_read(model("reports")) is None
    with reading_from_replica():
        assert router.db_for_read(model("cases")) is None


SHOW = (
    "from django.conf import settings; "
    "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS, settings.DATABASES.get('replica', {}).get('HOST'), "
    "settings.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR'))"
)


@pytest.mark.parametrize(
    ("replica", "expected"),
    [
        ("", "['default'] [] None None"),
        (
            "postgres://reader:secret@replica.internal:5432/ketenregie",
            "['default', 'replica'] ['ketenregie.common.db_router.ReplicaRouter'] replica.internal default",
        ),
    ],
    ids=["without", "with"],
)
def test_database_replica_url_adds_the_replica_and_the_router(tmp_path, replica, expected):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "KETENREGIE_DEMO": "true",
        "KETENREGIE_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "ketenregie.settings",
        "DATABASE_URL": "postgres://app:secret@primary.internal:5432/ketenregie",
    }
    if replica:
        env["DATABASE_REPLICA_URL"] = replica
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {SHOW}"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected
