"""``make bench``: Ketenregie on a large synthetic data set on PostgreSQL, measured.

    python -m ketenregie.bench.run [--cases 100000] [--chains 10] [--contacts-per-case 50] [--seed 1]
                                   [--duration 15] [--samples 40] [--reseed] [--no-throughput]

1. Makes sure PostgreSQL runs and the benchmark database exists (``ketenregie_bench``, or
   ``BENCH_DATABASE_URL``), migrates it, and seeds it with ``seed_synthetic`` — unless a marker on
   the database (a comment) says it already holds this data set, which is then reused.
2. For each main page and API endpoint, logged in as a case director and as the operational
   coordinator of the largest chain: queries per request, and the median and 95th percentile of the
   in-process latency (Django's test client, the whole middleware stack).
3. The signals computation (``signals_for``) for that coordinator, that case director and all
   open cases of all chains, with its number of queries.
4. Throughput under gunicorn (2 sync workers, persistent database connections) with wrk on
   127.0.0.1 (8 connections, ``--duration`` seconds per page), as ratios to two references served by
   the same server in the same run: (a) an authenticated empty page with only the base layout and
   (b) a naive ``ListView`` + ``Paginator`` over the same cases with the same columns.

Prints a table and writes it, with all figures as JSON, to ``bench-results/``. A benchmark, never a
test: nothing here fails on a slow figure; the table marks the targets that were not met.
"""

# The benchmark starts local tools on purpose (pg_ctlcluster, psql, apt-get, gunicorn, wrk), with
# fixed arguments; bandit's subprocess warnings say nothing about that.
# ruff: noqa: S603, S607

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DEFAULT_URL = "postgres://ketenregie_bench:ketenregie-bench@127.0.0.1:5432/ketenregie_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"  # a database number of its own
GENERATOR_VERSION = 2  # bump when the generator changes what it writes: the data set is then seeded again
ROOT = Path.cwd()
RESULTS = ROOT / "bench-results"

# Targets of the benchmark issue.
MAX_QUERIES = 12
MAX_P95_MS = 100.0
MAX_REPORT_P95_MS = 1000.0
MIN_RATIO_EMPTY = 0.5
MIN_RATIO_NAIVE = 1.5
RATIO_EMPTY_PAGES = {"Vandaag", "Case list", "Case page", "Plan page"}


@dataclass
class Page:
    name: str
    user: str  # "director" or "coordinator" (or another role key)
    url: str
    kind: str = "page"  # page, api, reference, report, export
    status: int = 0
    queries: int = 0
    median_ms: float = 0.0
    p95_ms: float = 0.0
    bytes: int = 0
    cold_ms: float | None = None  # the first request after a write on the measured case and one case of every chain
    cold_queries: int | None = None
    rps: float | None = None
    errors: int = 0
    ratio_empty: float | None = None
    ratio_naive: float | None = None
    notes: list[str] = field(default_factory=list)


def now() -> datetime:
    return datetime.now(tz=UTC).astimezone()


def say(message: str = "") -> None:
    print(message, flush=True)


# --- PostgreSQL and the data set -----------------------------------------------------------------


def _can_connect(url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(url.replace("postgres://", "postgresql://", 1), connect_timeout=3).close()
        return True
    except psycopg.OperationalError:
        return False


def ensure_redis(url: str) -> str:
    """Redis on loopback for sessions and the cache; started (or installed) when it is not running."""
    host, port = "127.0.0.1", int(re.search(r":(\d+)(/|$)", url.split("@")[-1]).group(1))

    def reachable() -> bool:
        with socket.socket() as probe:
            probe.settimeout(1)
            return probe.connect_ex((host, port)) == 0

    if not reachable():
        if not shutil.which("redis-server"):
            say("Installing redis-server …")
            subprocess.run(["apt-get", "install", "-y", "-q", "redis-server"], check=True, stdout=subprocess.DEVNULL)
        # A throwaway cache: no snapshots written into the working directory.
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                host,
                "--daemonize",
                "yes",
                "--save",
                "",
                "--dir",
                tempfile.gettempdir(),
            ],
            check=True,
        )
        for _ in range(50):
            if reachable():
                break
            time.sleep(0.1)
        else:
            raise SystemExit(f"Redis did not start on {host}:{port}: start it or set BENCH_REDIS_URL.")
    return url


def ensure_database(url: str) -> None:
    """Start the local cluster and create the role and database of the default URL when needed."""
    if _can_connect(url):
        return
    if url != DEFAULT_URL:
        raise SystemExit(f"Cannot connect to {url.split('@')[-1]}: start that database or fix BENCH_DATABASE_URL.")
    if shutil.which("pg_ctlcluster") and shutil.which("pg_lsclusters"):
        listed = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False).stdout.split()
        version, cluster = (listed[0], listed[1]) if len(listed) >= 2 else ("15", "main")
        say(f"Cannot connect yet: making sure PostgreSQL runs (pg_ctlcluster {version} {cluster} start) …")
        rc = subprocess.run(["pg_ctlcluster", version, cluster, "start"], check=False).returncode
        if rc not in (0, 2):  # 2: it was running already
            say(f"pg_ctlcluster {version} {cluster} start exited with {rc}")
        for _ in range(20):
            if _can_connect(url) or _can_connect(url.rsplit("/", 1)[0] + "/postgres"):
                break
            time.sleep(0.5)
    if _can_connect(url):
        return
    if os.geteuid() != 0 or not shutil.which("runuser"):
        raise SystemExit(
            "The benchmark database does not exist. As the postgres user, run:\n"
            "  CREATE ROLE ketenregie_bench LOGIN CREATEDB PASSWORD 'ketenregie-bench';\n"
            "  CREATE DATABASE ketenregie_bench OWNER ketenregie_bench;\n"
            "or point BENCH_DATABASE_URL at a database of your own."
        )

    def psql(sql: str) -> str:
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", "psql", "-X", "-q", "-tAc", sql],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()

    if psql("SELECT 1 FROM pg_roles WHERE rolname = 'ketenregie_bench'") != "1":
        psql("CREATE ROLE ketenregie_bench LOGIN CREATEDB PASSWORD 'ketenregie-bench'")
    if psql("SELECT 1 FROM pg_database WHERE datname = 'ketenregie_bench'") != "1":
        psql("CREATE DATABASE ketenregie_bench OWNER ketenregie_bench")
    if not _can_connect(url):
        raise SystemExit("Created the benchmark database but cannot connect to it on 127.0.0.1.")


def _marker() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()"
        )
        row = cursor.fetchone()
    try:
        return json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        return {}


def _set_marker(marker: dict) -> None:
    from django.db import connection
    from psycopg import sql

    # A utility statement takes no bound parameters (they are bound on the server): quoted here.
    statement = sql.SQL("COMMENT ON DATABASE {} IS {}").format(
        sql.Identifier(connection.settings_dict["NAME"]), sql.Literal(json.dumps(marker))
    )
    with connection.cursor() as cursor:
        cursor.execute(statement.as_string(connection.connection))


def seed_or_reuse(args) -> dict:
    """The data set: reused when the marker matches, else flushed and seeded (timed)."""
    from django.core.management import call_command
    from django.db import connection

    wanted = {
        "chains": args.chains,
        "cases": args.cases,
        "contacts_per_case": args.contacts_per_case,
        "seed": args.seed,
        "generator": GENERATOR_VERSION,
    }
    marker = _marker()
    if args.reuse and marker:
        say(
            f"Reusing the data set in the database as it is ({marker.get('cases')} cases, seeded {marker.get('seeded_on')})."
        )
        return marker
    if not args.reseed and {k: marker.get(k) for k in wanted} == wanted:
        say(f"Reusing the data set seeded on {marker.get('seeded_on')} ({marker.get('seed_seconds')} s to seed).")
        return marker
    from ketenregie.chains.models import Chain

    if Chain.objects.exists():
        say("Emptying the benchmark database (its data set differs) …")
        call_command("flush", interactive=False, verbosity=0)
    say(f"Seeding {args.cases} cases in {args.chains} chains, {args.contacts_per_case} contacts per case …")
    started = time.monotonic()
    call_command(
        "seed_synthetic",
        chains=args.chains,
        cases=args.cases,
        contacts_per_case=args.contacts_per_case,
        seed=args.seed,
    )
    seed_seconds = round(time.monotonic() - started, 1)
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    vacuum_seconds = round(time.monotonic() - started, 1)
    marker = {
        **wanted,
        "seeded_on": now().isoformat(timespec="seconds"),
        "seed_seconds": seed_seconds,
        "vacuum_seconds": vacuum_seconds,
        "load_during_seed": round(os.getloadavg()[0], 2),
    }
    _set_marker(marker)
    say(f"Seeded in {seed_seconds} s; VACUUM ANALYZE {vacuum_seconds} s.")
    return marker


# --- Who and what is measured --------------------------------------------------------------------


@dataclass
class Cast:
    chain: Any
    coordinator: Any
    director: Any
    strategist: Any
    case: Any
    planned_meeting: Any
    search_name: str
    reference: str


def pick_cast() -> Cast:
    """The largest chain, its coordinator, its busiest case director, and that director's fullest case."""
    from django.db.models import Count, Q
    from django_scopes import scopes_disabled

    from ketenregie.accounts.models import User
    from ketenregie.cases.models import Case, OTMeeting
    from ketenregie.chains.models import Chain

    with scopes_disabled():
        chain = Chain.objects.annotate(n=Count("cases")).order_by("-n").first()
        if chain is None:
            raise SystemExit("The benchmark database holds no chain.")
        coordinator = User.objects.get(username=f"{chain.slug}.coordinator")
        strategist = User.objects.get(username=f"{chain.slug}.strateeg")
        director = (
            User.objects.filter(directed_cases__chain=chain)
            .annotate(n=Count("directed_cases", filter=Q(directed_cases__status="active")))
            .order_by("-n", "username")
            .first()
        )
        case = (
            Case.objects.filter(chain=chain, case_director=director, status="active", plan__isnull=False)
            .annotate(n=Count("contacts"))
            .order_by("-n", "reference")
            .select_related("youth")
            .first()
        )
        meeting = OTMeeting.objects.filter(chain=chain, status="planned").order_by("starts_at").first()
        common = (
            Case.objects.filter(chain=chain)
            .values("youth__last_name")
            .annotate(n=Count("pk"))
            .order_by("-n", "youth__last_name")
            .first()
        )
    return Cast(
        chain=chain,
        coordinator=coordinator,
        director=director,
        strategist=strategist,
        case=case,
        planned_meeting=meeting,
        search_name=(common or {}).get("youth__last_name", "a"),
        reference=case.reference[:-1] if case else "",
    )


def _optional(name: str, **kwargs) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _searched(cast: Cast, user: str, text: str) -> str:
    """The case list of a search: posted once with ``user``'s client, as the search box does; the page
    measured is the list of the token it redirects to, which only that client's session knows."""
    from django.urls import reverse

    response = clients(cast)[user].post(reverse("cases:case_list"), {"q": text})
    if response.status_code != 303:
        return f"/bench-search-failed/{response.status_code}/"  # measured as a 404: shows in the table
    return response["Location"]


def pages(cast: Cast) -> list[Page]:
    from django.urls import reverse

    case, chain = cast.case, cast.chain
    out = [
        Page("Empty page (a)", "director", reverse("bench_empty"), "reference"),
        Page("Naive list (b)", "director", reverse("bench_naive"), "reference"),
        Page("Empty page (a)", "coordinator", reverse("bench_empty"), "reference"),
        Page("Naive list (b)", "coordinator", reverse("bench_naive"), "reference"),
    ]
    case_list = reverse("cases:case_list")
    for user in ("director", "coordinator"):
        out += [
            Page("Vandaag", user, reverse("home")),
            Page("Case list", user, case_list),
            Page("Case list, filtered", user, f"{case_list}?status=active&age=15-17"),
            Page("Case list, search name", user, _searched(cast, user, cast.search_name)),
            Page("Case list, page 40", user, f"{case_list}?page=40"),
        ]
        if case is not None:
            out += [
                Page("Case page", user, reverse("cases:case_detail", args=[case.pk])),
                Page("Case history", user, reverse("cases:case_history", args=[case.pk])),
                Page("Plan page", user, reverse("plans:plan", args=[case.pk])),
                Page("Network page", user, reverse("network:page", args=[case.pk])),
                Page("Contacts", user, reverse("followup:contacts", args=[case.pk])),
            ]
        out += [Page("Signals", user, reverse("followup:signals"))]
    out += [
        Page("Case list, search reference", "coordinator", _searched(cast, "coordinator", cast.reference)),
        Page("Intervision", "coordinator", f"{reverse('followup:intervision')}"),
        Page("OT meetings", "coordinator", reverse("cases:ot_list")),
    ]
    if cast.planned_meeting is not None:
        out.append(Page("OT agenda", "coordinator", reverse("cases:ot_detail", args=[cast.planned_meeting.pk])))
    api = "/api/v1"
    for user in ("director", "coordinator"):
        out += [
            Page("API cases", user, f"{api}/cases", "api"),
            Page("API signals", user, f"{api}/signals", "api"),
        ]
        if case is not None:
            out += [
                Page("API case", user, f"{api}/cases/{case.pk}", "api"),
                Page("API contacts", user, f"{api}/cases/{case.pk}/contacts", "api"),
            ]
    # Reports and exports, when that app is installed in this version.
    report = _optional("reports:report")
    if report:
        for user in ("coordinator", "strategist"):
            out.append(Page("Report (chain, this year)", user, f"{report}?keten={chain.slug}", "report"))
        for name, label in (
            ("reports:records_csv", "Export trajectories CSV"),
            ("reports:report_xlsx", "Export report XLSX"),
        ):
            if url := _optional(name):
                out.append(Page(label, "coordinator", f"{url}?keten={chain.slug}", "report"))
    return out


# --- In-process measurement ----------------------------------------------------------------------


_CLIENTS: dict[int, dict] = {}


def clients(cast: Cast) -> dict:
    """One logged-in client per user of ``cast``, made once: a search page's token is in its session."""
    from django.test import Client

    if id(cast) in _CLIENTS:
        return _CLIENTS[id(cast)]
    out = {}
    for key, user in (("director", cast.director), ("coordinator", cast.coordinator), ("strategist", cast.strategist)):
        client = Client(HTTP_ACCEPT_LANGUAGE="nl")
        client.force_login(user)
        out[key] = client
    _CLIENTS[id(cast)] = out
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _write_in_every_chain(case=None) -> None:
    """A write on one case of every chain, and on ``case``, as the audit log records it: what is
    cached of a chain's data is computed afresh (a report, the main part of a page) or renewed for
    that case (a chain's signals)."""
    from django_scopes import scopes_disabled

    from ketenregie.audit.domain import log
    from ketenregie.cases.models import Case

    with scopes_disabled():
        written = [(case.chain_id, case.pk)] if case is not None else []
        for chain_id in Case.objects.order_by().values_list("chain_id", flat=True).distinct():
            first = Case.objects.filter(chain_id=chain_id).order_by("pk").values_list("pk", flat=True).first()
            written.append((chain_id, first))
        for chain_id, case_id in written:
            log("case.changed", actor=None, chain_id=chain_id, case_id=case_id, details={"step": "bench"})


def measure_in_process(page: Page, client, samples: int, written_case=None) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(page.url)  # warms caches, templates, the session
    page.status = response.status_code
    if page.status != 200:
        page.notes.append(f"HTTP {page.status}")
        return
    _write_in_every_chain(written_case)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(page.url)
        if response.streaming:
            for _chunk in response.streaming_content:
                pass
        page.cold_ms = round((time.perf_counter() - started) * 1000, 1)
    page.cold_queries = len(captured)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.url)
    page.queries = len(captured)
    page.bytes = (
        sum(len(chunk) for chunk in response.streaming_content) if response.streaming else len(response.content)
    )
    times = []
    deadline = time.monotonic() + 60
    for _ in range(samples):
        started = time.perf_counter()
        response = client.get(page.url)
        if response.streaming:
            for _chunk in response.streaming_content:
                pass
        times.append((time.perf_counter() - started) * 1000)
        if time.monotonic() > deadline and len(times) >= 5:
            page.notes.append(f"{len(times)} samples (time limit)")
            break
    page.median_ms = round(statistics.median(times), 1)
    page.p95_ms = round(percentile(times, 0.95), 1)


def signal_figures(cast: Cast, samples: int = 5) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scopes_disabled

    from ketenregie.cases.models import Case
    from ketenregie.followup.queries import signal_cases
    from ketenregie.followup.signal_rules import signals_for

    out = []
    with scopes_disabled():
        for label, cases in (
            (f"coordinator of {cast.chain.name}", lambda: signal_cases(cast.coordinator)),
            ("case director", lambda: signal_cases(cast.director)),
            ("all open cases, all chains", lambda: Case.objects.with_scopes_disabled().all()),
        ):
            with CaptureQueriesContext(connection) as captured:
                signals = signals_for(cases())
            times = []
            for _ in range(samples):
                started = time.perf_counter()
                signals_for(cases())
                times.append((time.perf_counter() - started) * 1000)
            n_cases = cases().exclude(status__in=["closed", "withdrawn"]).count()
            out.append(
                {
                    "for": label,
                    "open_cases": n_cases,
                    "signals": len(signals),
                    "queries": len(captured),
                    "median_ms": round(statistics.median(times), 1),
                    "max_ms": round(max(times), 1),
                }
            )
    return out


# --- Throughput ------------------------------------------------------------------------------------


def find_wrk() -> str | None:
    wrk = shutil.which("wrk")
    if wrk or not shutil.which("apt-get") or os.geteuid() != 0:
        return wrk
    say("wrk is not installed: installing it with apt-get …")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, env=env, capture_output=True, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, check=False)
        subprocess.run(install, env=env, capture_output=True, check=False)
    return shutil.which("wrk")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with the bench settings: 2 sync workers, persistent database connections."""

    def __init__(self, workers: int = 2):
        self.port = _free_port()
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "ketenregie.bench.settings"}
        self.process = subprocess.Popen(
            [
                gunicorn,
                "ketenregie.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
                "--no-control-socket",
                "--log-level",
                "warning",
            ],
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as response:  # noqa: S310 — loopback
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise SystemExit("gunicorn did not answer /healthz within 30 s")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, url: str, cookie: str) -> int:
        request = urllib.request.Request(self.base + url, headers={"Cookie": cookie, "Accept-Language": "nl"})  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 — loopback only
                response.read()
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def run_wrk(wrk: str, url: str, cookie: str, duration: int, connections: int = 8) -> tuple[float, int]:
    result = subprocess.run(
        [
            wrk,
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-H",
            f"Cookie: {cookie}",
            "-H",
            "Accept-Language: nl",
            url,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    rps = re.search(r"Requests/sec:\s+([\d.]+)", result.stdout)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", result.stdout)
    errors = re.search(r"Socket errors:.*?timeout (\d+)", result.stdout)
    return (
        float(rps.group(1)) if rps else 0.0,
        (int(bad.group(1)) if bad else 0) + (int(errors.group(1)) if errors else 0),
    )


def measure_throughput(all_pages: list[Page], cookies: dict, duration: int) -> str | None:
    wrk = find_wrk()
    if wrk is None:
        return "wrk is not installed (apt-get install wrk): throughput not measured."
    server = Server()
    try:
        for page in all_pages:
            if page.status != 200:
                continue
            cookie = cookies[page.user]
            for _ in range(4):  # both workers: templates, connections, caches
                server.get(page.url, cookie)
            page.rps, page.errors = run_wrk(wrk, server.base + page.url, cookie, duration)
            if page.errors:
                page.notes.append(f"{page.errors} non-2xx or timed out under load")
            say(f"  {page.name:<32} {page.user:<12} {page.rps:>8.1f} req/s")
    finally:
        server.stop()
    refs: dict[tuple[str, str], float] = {
        (p.name, p.user): p.rps or 0.0 for p in all_pages if p.kind == "reference" and p.rps
    }
    for page in all_pages:
        if page.rps is None or page.kind == "reference":
            continue
        empty = refs.get(("Empty page (a)", page.user)) or refs.get(("Empty page (a)", "coordinator"))
        naive = refs.get(("Naive list (b)", page.user)) or refs.get(("Naive list (b)", "coordinator"))
        page.ratio_empty = round(page.rps / empty, 3) if empty else None
        page.ratio_naive = round(page.rps / naive, 2) if naive else None
    return None


# --- Output ------------------------------------------------------------------------------------------


def target_misses(page: Page) -> list[str]:
    misses = []
    if page.kind == "reference" or page.status != 200:
        return misses
    if page.queries > MAX_QUERIES:
        misses.append(f"queries > {MAX_QUERIES}")
    limit = MAX_REPORT_P95_MS if page.kind == "report" else MAX_P95_MS
    if page.p95_ms > limit:
        misses.append(f"p95 > {limit:.0f} ms")
    if page.name in RATIO_EMPTY_PAGES and page.ratio_empty is not None and page.ratio_empty < MIN_RATIO_EMPTY:
        misses.append(f"< {MIN_RATIO_EMPTY:.0%} of (a)")
    if page.name == "Case list" and page.ratio_naive is not None and page.ratio_naive < MIN_RATIO_NAIVE:
        misses.append(f"< {MIN_RATIO_NAIVE}× (b)")
    return misses


def table(all_pages: list[Page], signals: list[dict]) -> str:
    def fmt(value, spec: str) -> str:
        return "–" if value is None else format(value, spec)

    lines = [
        "| page | as | queries | median ms | p95 ms | after a write ms | req/s | × empty (a) | × naive (b) | targets |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for p in all_pages:
        if p.status != 200:
            lines.append(f"| {p.name} | {p.user} | – | – | – | – | – | – | – | HTTP {p.status} |")
            continue
        misses = target_misses(p)
        lines.append(
            f"| {p.name} | {p.user} | {p.queries} | {p.median_ms:.1f} | {p.p95_ms:.1f} | {fmt(p.cold_ms, '.1f')} | "
            f"{fmt(p.rps, '.0f')} | "
            f"{fmt(p.ratio_empty, '.2f')} | {fmt(p.ratio_naive, '.2f')} | "
            f"{'MISSED: ' + ', '.join(misses) if misses else ('ok' if p.kind != 'reference' else 'reference')} |"
        )
    lines += [
        "",
        "| signals_for | open cases | signals | queries | median ms | max ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for s in signals:
        lines.append(
            f"| {s['for']} | {s['open_cases']} | {s['signals']} | {s['queries']} | {s['median_ms']:.1f} | "
            f"{s['max_ms']:.1f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--chains", type=int, default=10)
    parser.add_argument("--contacts-per-case", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=int, default=15, help="seconds of wrk load per page (default 15)")
    parser.add_argument("--samples", type=int, default=40, help="in-process requests per page (default 40)")
    parser.add_argument("--reseed", action="store_true", help="seed again even when the marker matches")
    parser.add_argument("--reuse", action="store_true", help="use the data set the database holds, whatever it is")
    parser.add_argument("--no-throughput", action="store_true", help="skip gunicorn and wrk")
    parser.add_argument("--only", default="", help="measure only pages whose name contains this text")
    args = parser.parse_args(argv)

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    os.environ.update(
        {
            "DATABASE_URL": url,
            "KETENREGIE_DEMO": "true",
            "DJANGO_SETTINGS_MODULE": "ketenregie.bench.settings",
            "KETENREGIE_DATA_DIR": str(RESULTS / "data"),
        }
    )
    # Sessions and the cache in Redis, as in production (docs/deploy.md): shared by both workers.
    os.environ["REDIS_URL"] = ensure_redis(os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL))
    import django

    django.setup()
    from django.core.management import call_command

    load_start = os.getloadavg()
    say("Migrating the benchmark database …")
    call_command("migrate", verbosity=0)
    marker = seed_or_reuse(args)
    from django.core.cache import cache

    cache.clear()  # the bench's own Redis database: nothing cached from an earlier data set or run
    cast = pick_cast()
    say(
        f"Measuring as {cast.director.username} (case director) and {cast.coordinator.username} (coordinator) "
        f"of {cast.chain.name}; case {cast.case.reference if cast.case else '–'}"
    )
    all_pages = [p for p in pages(cast) if args.only.lower() in p.name.lower() or p.kind == "reference"]
    by_user = clients(cast)
    from ketenregie.common import runtime

    runtime.settle()  # as ketenregie.wsgi does in every server process
    for page in all_pages:
        measure_in_process(page, by_user[page.user], args.samples, cast.case)
        say(
            f"  {page.name:<32} {page.user:<12} {page.queries:>3} queries  p50 {page.median_ms:>7.1f}  p95 {page.p95_ms:>7.1f} ms"
            f"  (cold: {page.cold_queries} queries, {page.cold_ms} ms)"
        )
    say("Signals …")
    signals = signal_figures(cast)
    throughput_note = None
    if not args.no_throughput:
        say(f"Throughput (gunicorn, 2 workers; wrk, 8 connections, {args.duration} s per page) …")
        cookies = {key: f"ketenregie_session={c.cookies['ketenregie_session'].value}" for key, c in by_user.items()}
        throughput_note = measure_throughput(all_pages, cookies, args.duration)
    text = table(all_pages, signals)
    load_end = os.getloadavg()
    stamp = now().strftime("%Y%m%d-%H%M%S")
    RESULTS.mkdir(exist_ok=True)
    header = (
        f"Ketenregie benchmark {now():%Y-%m-%d %H:%M} on {platform.platform(terse=True)}, "
        f"{os.cpu_count()} CPUs, load {load_start[0]:.1f} → {load_end[0]:.1f}\n"
        f"Data set: {marker.get('cases')} cases, {marker.get('chains')} chains, {marker.get('contacts_per_case')} "
        f"contacts per case (seed {marker.get('seed')}), seeded in {marker.get('seed_seconds')} s "
        f"(+ VACUUM ANALYZE {marker.get('vacuum_seconds')} s)\n"
        f"Largest chain: {cast.chain.name}; case director {cast.director.username}; case "
        f"{cast.case.reference if cast.case else '–'}\n"
    )
    if throughput_note:
        header += throughput_note + "\n"
    say("")
    say(header)
    say(text)
    (RESULTS / f"bench-{stamp}.md").write_text(header + "\n" + text + "\n")
    result = {
        "date": now().isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "load": [load_start, load_end]},
        "dataset": marker,
        "cast": {
            "chain": cast.chain.name,
            "coordinator": cast.coordinator.username,
            "director": cast.director.username,
            "case": cast.case.reference if cast.case else None,
        },
        "settings": {"duration": args.duration, "samples": args.samples, "wrk_connections": 8, "workers": 2},
        "pages": [asdict(p) | {"misses": target_misses(p)} for p in all_pages],
        "signals": signals,
        "throughput_note": throughput_note,
    }
    (RESULTS / f"bench-{stamp}.json").write_text(json.dumps(result, indent=2, default=str))
    (RESULTS / "latest.json").write_text(json.dumps(result, indent=2, default=str))
    say(f"\nWritten to {RESULTS.relative_to(ROOT)}/bench-{stamp}.md and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
