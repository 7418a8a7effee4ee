"""Durability (SECURITY.md R2, R6, R7), against gunicorn in its own process on SQLite and PostgreSQL.

- SIGKILL during a burst of concurrent writes: every acknowledged write is there after the restart,
  no case is half-written, the database and the audit log are intact (≥ 20 kills per run).
- Two concurrent saves of one plan from the same version: one wins, the other gets StaleVersion.
- Database unavailable: /healthz answers 503, pages a friendly 503 page, the API a problem; when the
  database is back the same server processes answer again, without a restart.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import secrets
import shutil
import threading
import time
import uuid
from datetime import timedelta

from django.utils import timezone

from tests.ops.helpers import Browser, CuttableProxy, Server, django_json, random_name, request

SERVER_KILLS = 2  # the whole process group, mid-burst
WORKER_KILLS_PER_ROUND = 9  # single workers, mid-request
WRITERS = 6
MARK = "Kill"  # last names of the youths the burst registers start with this


def registration(key: str) -> dict:
    today = timezone.localdate()
    born = today.replace(year=today.year - 20) - timedelta(days=40)  # an adult: no guardians needed
    return {
        "chain": "fix-genk",
        "youth": {
            "first_name": random_name(),
            "last_name": MARK + random_name(),
            "birth_date": born.isoformat(),
            "gender": "x",
            "postal_code": "3600",
            "municipality": "Genk",
        },
        "referrer_kind": "parent",
        "referrer_name": "Moeder",
        "referrer_contact": "0470 00 00 00",
        "registered_on": today.isoformat(),
        "youth_informed_on": today.isoformat(),
        "concerns": "Spijbelt, zit veel op straat.",
        "multi_problem": "Schooluitval, conflicten thuis.",
        "framework": "voluntary",
        "offences": [{"offence_type": "diefstal", "committed_on": (today - timedelta(days=9)).isoformat()}],
        "guardians": [],
        "confirm_not_duplicate": True,
        "submission_key": key,
    }


class Burst:
    """Writers that register cases until stopped; they record which writes were acknowledged."""

    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged: dict[str, str] = {}  # case id -> submission key
        self.attempted: list[str] = []
        self.unexpected: list[str] = []
        self.threads = [threading.Thread(target=self._write, daemon=True) for _ in range(WRITERS)]

    def _write(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Accept-Language": "en"}
        while not self.stop.is_set():
            key = str(uuid.uuid4())
            with self.lock:
                self.attempted.append(key)
            try:
                response = request(self.port, "POST", "/api/v1/cases", body=registration(key), headers=headers)
            except (OSError, http.client.HTTPException):
                time.sleep(0.02)  # killed mid-request: not acknowledged, the outcome is unknown
                continue
            with self.lock:
                if response.status == 201:
                    self.acknowledged[response.json()["id"]] = key
                else:
                    self.unexpected.append(f"{response.status}: {response.text[:300]}")

    def wait_for_progress(self, timeout: float = 1.5) -> None:
        """Until one more write is acknowledged (at most ``timeout``): kills then land mid-burst,
        however fast this machine is, and the burst always has acknowledged writes to check."""
        with self.lock:
            seen = len(self.acknowledged)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.acknowledged) > seen:
                    break
            time.sleep(0.02)
        time.sleep(secrets.randbelow(100) / 1000)  # and a little later: somewhere inside the next writes

    def __enter__(self) -> Burst:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=15)


INTEGRITY = """
from django.db import connection
from ketenregie.audit.domain import verify_chain
from ketenregie.audit.models import AuditEvent
from ketenregie.cases.models import Case, CaseTransition, Offence, Youth
keys = set(KEYS)
cases = {str(pk): str(key) for pk, key in Case.objects.filter(submission_key__isnull=False).values_list("pk", "submission_key") if str(key) in keys}
ids = list(cases)
transitions = {str(c) for c in CaseTransition.objects.filter(case_id__in=ids).values_list("case_id", flat=True)}
offences = {str(c) for c in Offence.objects.filter(case_id__in=ids).values_list("case_id", flat=True)}
audited = set(AuditEvent.objects.filter(action="case.registered", object_id__in=ids).values_list("object_id", flat=True))
youths = Youth.objects.filter(last_name__startswith=MARK)
orphans = [str(y.pk) for y in youths if not y.cases.exists()]
if connection.vendor == "sqlite":
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        integrity = cursor.fetchone()[0]
        cursor.execute("PRAGMA foreign_key_check")
        integrity += "" if not cursor.fetchall() else " (foreign keys broken)"
else:
    integrity = "ok"
audit = verify_chain()
result = {
    "cases": cases,
    "half_written": sorted(set(ids) - (transitions & offences & audited)),
    "orphan_youths": orphans,
    "youths": youths.count(),
    "integrity": integrity,
    "audit_ok": audit.ok,
    "audit_problem": audit.problem,
}
"""


def test_sigkill_during_concurrent_writes_loses_no_acknowledged_write(site, tmp_path):
    server = Server(site.env, tmp_path)
    acknowledged: dict[str, str] = {}
    attempted: list[str] = []
    unexpected: list[str] = []
    kills = 0
    for _round in range(SERVER_KILLS):
        server.start()
        with Burst(server.port, site.token) as burst:
            for _ in range(WORKER_KILLS_PER_ROUND):
                burst.wait_for_progress()
                if server.kill_worker() is not None:
                    kills += 1
            burst.wait_for_progress()
            server.kill()
            kills += 1
        acknowledged.update(burst.acknowledged)
        attempted += burst.attempted
        unexpected += burst.unexpected

    assert unexpected == [], "answers other than 201 (a refused or failed write):\n" + "\n".join(unexpected[:5])
    assert kills >= 20
    assert len(acknowledged) >= 10, "too few writes got through to prove anything"

    # Restarted, the server serves them (a sample through the API; the database check below has all).
    server.start()
    try:
        headers = {"Authorization": f"Bearer {site.token}"}
        sample = random.sample(sorted(acknowledged), 10)
        missing = [
            case_id
            for case_id in sample
            if request(server.port, "GET", f"/api/v1/cases/{case_id}", headers=headers).status != 200
        ]
    finally:
        server.stop()
    assert missing == []

    state = django_json(site.env, f"KEYS = {json.dumps(attempted)}\nMARK = {MARK!r}\n" + INTEGRITY)
    for case_id, key in acknowledged.items():
        assert state["cases"].get(case_id) == key
    # Unacknowledged writes may or may not have committed; each one that did is whole.
    assert state["half_written"] == []
    assert state["orphan_youths"] == []
    assert state["youths"] == len(state["cases"])
    assert state["integrity"] == "ok"
    assert state["audit_ok"], state["audit_problem"]


# --- Two editors, one plan -------------------------------------------------------------------------

CONCURRENT_SAVES = """
import threading
from django.db import connections
from ketenregie.cases.enums import CaseStatus
from ketenregie.common.errors import StaleVersion
from ketenregie.plans.domain import DomainInput, save_plan
from ketenregie.plans.models import Plan, PlanVersion

plan = Plan.objects.filter(case__status=CaseStatus.ACTIVE).select_related("case__chain", "case__case_director").first()
case = plan.case
actor = case.case_director
domain_code = case.chain.life_domains[0]["code"]
rounds = []
for attempt in range(ROUNDS):
    version = Plan.objects.get(pk=plan.pk).version
    versions_before = PlanVersion.objects.filter(plan=plan).count()
    barrier = threading.Barrier(2)
    outcomes = []

    def edit(text):
        try:
            with scopes_disabled():
                barrier.wait(timeout=10)  # both editors opened version `version`; both save now
                domains = [DomainInput(domain=domain_code, situation=text)]
                save_plan(actor=actor, case=case, version=version, domains=domains)
            outcomes.append(("saved", text))
        except StaleVersion as exc:
            outcomes.append(("stale", str(exc)))
        except Exception as exc:
            outcomes.append(("error", repr(exc)))
        finally:
            connections.close_all()

    editors = [threading.Thread(target=edit, args=(f"Editor {who}, round {attempt}",)) for who in "AB"]
    for editor in editors:
        editor.start()
    for editor in editors:
        editor.join(timeout=30)
    fresh = Plan.objects.get(pk=plan.pk)
    kept = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
    rounds.append({
        "outcomes": sorted(kind for kind, _ in outcomes),
        "errors": [text for kind, text in outcomes if kind == "error"],
        "winner": [text for kind, text in outcomes if kind == "saved"],
        "stale_message": [text for kind, text in outcomes if kind == "stale"],
        "version_before": version,
        "version_after": fresh.version,
        "new_versions": PlanVersion.objects.filter(plan=plan).count() - versions_before,
        "kept_situation": [d["situation"] for d in kept.snapshot["domains"] if d["domain"] == domain_code],
    })
result = rounds
"""


def test_two_concurrent_saves_of_one_plan_one_wins_the_other_is_stale(site):
    rounds = django_json(site.env, "ROUNDS = 5\n" + CONCURRENT_SAVES)

    for outcome in rounds:
        assert outcome["outcomes"] == ["saved", "stale"], outcome
        assert outcome["version_after"] == outcome["version_before"] + 1
        assert outcome["new_versions"] == 1
        assert outcome["kept_situation"] == outcome["winner"]  # the winner's text, not a mix
        # "Someone else saved this plan in the meantime (version N) ..." (in the default language, Dutch)
        assert re.search(rf"\(versi(e|on) {outcome['version_after']}\)", outcome["stale_message"][0]), outcome


# --- Database unavailable ------------------------------------------------------------------------


def _assert_unavailable(server: Server, browser: Browser, token: str) -> None:
    health = request(server.port, "GET", "/healthz")
    assert health.status == 503
    assert health.json() == {"status": "error", "database": "unavailable", "cache": "ok"}

    page = browser.go("GET", "/")
    assert page.status == 503
    assert page.headers["content-type"].startswith("text/html")
    assert "Ketenregie is even niet beschikbaar" in page.text
    assert page.headers.get("retry-after") == "30"
    for leak in ("Traceback", "OperationalError", "sqlite", "psycopg", "site-packages", 'File "'):
        assert leak not in page.text

    api = request(server.port, "GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status == 503
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["title"] == "Service Unavailable"


def _assert_recovers(server: Server, browser: Browser, token: str, workers: list[int]) -> None:
    deadline = time.monotonic() + 15
    while request(server.port, "GET", "/healthz").status != 200:
        assert time.monotonic() < deadline, "the server did not recover when the database came back"
        time.sleep(0.2)
    # Every worker has to find the database again, not only the one that answered first.
    for _ in range(3 * len(workers)):
        assert request(server.port, "GET", "/healthz").status == 200
    assert browser.go("GET", "/").status == 200  # the same session: nothing was lost
    me = request(server.port, "GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status == 200 and me.json()["username"] == "coordinator"
    assert server.worker_pids() == workers  # recovered by itself: no worker restarted


def test_sqlite_unavailable_gives_503_and_recovers_without_restart(sqlite_site, tmp_path):
    server = Server(sqlite_site.env, tmp_path).start()
    try:
        browser = Browser(server.port)
        assert browser.login("coordinator", "demo").status == 302
        assert browser.go("GET", "/").status == 200
        workers = server.worker_pids()

        # The disk holding the database is gone: the file cannot be opened.
        database = sqlite_site.sqlite_path
        away = tmp_path / "away"
        away.mkdir()
        moved = [p for p in database.parent.glob(database.name + "*") if p.is_file()]
        for path in moved:
            shutil.move(path, away / path.name)
        database.mkdir()  # a folder where the file was: SQLite cannot open it, nor create a new one
        try:
            _assert_unavailable(server, browser, sqlite_site.token)
        finally:
            database.rmdir()
            for path in moved:
                shutil.move(away / path.name, path)

        _assert_recovers(server, browser, sqlite_site.token, workers)
    finally:
        server.stop()


def test_postgresql_unavailable_gives_503_and_recovers_without_restart(pg_site, postgres, tmp_path):
    proxy = CuttableProxy(postgres.host, postgres.port)
    proxy.open()
    via_proxy = pg_site.database_url.replace(f":{postgres.port}/", f":{proxy.port}/", 1)
    assert via_proxy != pg_site.database_url
    env = {**pg_site.env, "DATABASE_URL": via_proxy + "?connect_timeout=2"}
    server = Server(env, tmp_path).start()
    try:
        browser = Browser(server.port)
        assert browser.login("coordinator", "demo").status == 302
        assert browser.go("GET", "/").status == 200
        workers = server.worker_pids()

        proxy.cut()  # the database server goes away, with every open connection
        try:
            _assert_unavailable(server, browser, pg_site.token)
        finally:
            proxy.open()

        _assert_recovers(server, browser, pg_site.token, workers)
    finally:
        server.stop()
        proxy.cut()


def test_helpers_start_from_a_clean_environment(sqlite_site):
    # The application processes must not inherit the test run's settings (KETENREGIE_TESTING ...).
    env = sqlite_site.env
    assert "KETENREGIE_TESTING" not in env and env["KETENREGIE_DEMO"] == "true"
    assert env["KETENREGIE_DATA_DIR"] == str(sqlite_site.data_dir)
    assert "DATABASE_URL" not in env or env["DATABASE_URL"] == sqlite_site.database_url
    assert os.environ.get("KETENREGIE_TESTING") == "true"
