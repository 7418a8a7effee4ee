"""Sites for the operations tests: a seeded data folder on SQLite, and on PostgreSQL and Redis when present.

A site is what an operator runs: a data folder (database file or database name, media folder) and
the environment for ``ketenregie`` and gunicorn. The demo data is seeded once per test session into a
template (a folder for SQLite, a template database for PostgreSQL) and copied for each test.

PostgreSQL tests run when DATABASE_URL names a PostgreSQL database whose role may create databases
(the PostgreSQL run of CI); they create and drop their own databases next to it. Redis tests start a
private ``redis-server`` on a free loopback port (or use KETENREGIE_TEST_REDIS_URL, or a Redis that
answers on 127.0.0.1:6379 when redis-server is not installed here). Without them, they skip and say why.
The SQLite sites run in the SQLite run only (the PostgreSQL run of CI would repeat them).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.ops.helpers import app_env, django_json, free_port

TEST_LIMIT_SECONDS = 90  # a hard stop against a hung server; each test is designed to take well under 30 s

# What the restore drill compares: every case, consent, plan version and audit entry, and the documents.
SNAPSHOT = """
import hashlib, json
from pathlib import Path
from django.conf import settings
from django.core.management import call_command
from ketenregie.audit.domain import verify_chain
from ketenregie.audit.models import AuditEvent
from ketenregie.cases.models import Case
from ketenregie.consent.models import Consent
from ketenregie.plans.models import PlanVersion

def digest(value):
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()

def document(consent):
    if not consent.document:
        return ""
    with consent.document.open("rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()

media = Path(settings.MEDIA_ROOT)
if VERIFY:
    call_command("verify_audit")
result = {
    "cases": sorted([str(c.pk), c.reference, c.status, c.version, digest([c.concerns, c.multi_problem])] for c in Case.objects.all()),
    "consents": sorted([str(c.pk), str(c.case_id), c.kind, c.document.name, document(c)] for c in Consent.objects.all()),
    "plan_versions": sorted([str(v.plan_id), v.number, digest(v.snapshot)] for v in PlanVersion.objects.all()),
    "audit": [[e.id, e.hash] for e in AuditEvent.objects.order_by("id")],
    "audit_ok": verify_chain().ok,
    "media": sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()),
}
"""


# Seeds the demo data, one consent with a signed document (so MEDIA_ROOT holds a file) and an API token.
SEED = (
    """
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from ketenregie.accounts.domain import create_token
from ketenregie.accounts.models import User
from ketenregie.cases.enums import OPEN_STATUSES
from ketenregie.cases.models import Case
from ketenregie.consent.domain import ConsentData, record_consent
call_command("migrate", interactive=False, verbosity=0)
try:  # a few trajectories of report history are enough here, and much faster than a year's worth
    import ketenregie.reports.demo as report_demo
    report_demo.SIZES = {slug: min(size, 3) for slug, size in report_demo.SIZES.items()}
except (ImportError, AttributeError):
    pass
call_command("seed_demo", verbosity=0)
coordinator = User.objects.get(username="coordinator")
case = Case.objects.filter(chain__slug="fix-genk", status__in=OPEN_STATUSES).order_by("reference").first()
pdf = SimpleUploadedFile("toestemming.pdf", b"%PDF-1.4\\n% signed consent\\n", content_type="application/pdf")
data = ConsentData("ot_discussion", "youth", case.youth.full_name, timezone.localdate())
record_consent(actor=coordinator, case=case, data=data, document=pdf)
_token, plaintext = create_token(actor=coordinator, name="operations tests", valid_days=30)
VERIFY = False
"""
    + SNAPSHOT
    + """
result = {"token": plaintext, "snapshot": result}
"""
)


@pytest.fixture(autouse=True)
def _time_limit():
    """Fail instead of hanging when a server stops answering."""

    def expired(signum, frame):
        raise TimeoutError(f"test exceeded {TEST_LIMIT_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(TEST_LIMIT_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@dataclass
class Site:
    data_dir: Path
    database_url: str
    token: str
    engine: str
    seeded: dict  # the snapshot of the seeded data (see SNAPSHOT)

    @property
    def env(self) -> dict[str, str]:
        return app_env(self.data_dir, self.database_url)

    @property
    def media(self) -> Path:
        return self.data_dir / "media"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "ketenregie.sqlite3"


# --- SQLite ----------------------------------------------------------------------------------------


def _postgres_run() -> bool:
    return urllib.parse.urlsplit(os.environ.get("DATABASE_URL", "")).scheme in ("postgres", "postgresql", "pgsql")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Site:
    if _postgres_run():
        pytest.skip("SQLite: covered by the SQLite run (this run has DATABASE_URL=postgres://...)")
    data_dir = tmp_path_factory.mktemp("sqlite-template")
    seeded = django_json(app_env(data_dir), SEED, timeout=120)
    return Site(data_dir, "", seeded["token"], "sqlite", seeded["snapshot"])


@pytest.fixture
def sqlite_site(tmp_path, sqlite_template) -> Site:
    """A copy of the seeded template. The database file is ``<data dir>/ketenregie.sqlite3``, without
    DATABASE_URL, so each request opens it anew (no persistent connection)."""
    data_dir = tmp_path / "site"
    shutil.copytree(sqlite_template.data_dir, data_dir)
    return Site(data_dir, "", sqlite_template.token, "sqlite", sqlite_template.seeded)


# --- PostgreSQL ------------------------------------------------------------------------------------


@dataclass
class Postgres:
    url: urllib.parse.SplitResult

    def url_for(self, name: str, **query: str) -> str:
        return urllib.parse.urlunsplit(self.url._replace(path="/" + name, query=urllib.parse.urlencode(query)))

    @property
    def host(self) -> str:
        return self.url.hostname or "127.0.0.1"

    @property
    def port(self) -> int:
        return self.url.port or 5432

    def connect(self):
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=urllib.parse.unquote(self.url.username or ""),
            password=urllib.parse.unquote(self.url.password or ""),
            dbname=self.url.path.lstrip("/") or "postgres",
            autocommit=True,
            connect_timeout=5,
        )

    def create(self, name: str, template: str | None = None) -> None:
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))

    def drop(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres() -> Postgres:
    url = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", ""))
    if not _postgres_run():
        pytest.skip("PostgreSQL: DATABASE_URL names no PostgreSQL database (the PostgreSQL run of CI sets it)")
    pg = Postgres(url)
    try:
        with pg.connect() as conn:
            can_create = conn.execute("SELECT rolcreatedb FROM pg_roles WHERE rolname = current_user").fetchone()
    except Exception as exc:  # noqa: BLE001 — any failure means: not reachable
        pytest.skip(f"PostgreSQL at {pg.host}:{pg.port} is not reachable: {exc}")
    if not can_create or not can_create[0]:
        pytest.skip("PostgreSQL: the role of DATABASE_URL may not create databases (CREATEDB)")
    for tool in ("pg_dump", "pg_restore", "psql"):
        if shutil.which(tool) is None:
            pytest.skip(f"PostgreSQL: {tool} is not installed")
    return pg


@pytest.fixture(scope="session")
def pg_template(postgres, tmp_path_factory):
    name = f"ketenregie_ops_tpl_{uuid.uuid4().hex[:10]}"
    postgres.create(name)
    try:
        data_dir = tmp_path_factory.mktemp("pg-template")
        # Asynchronous commit only to seed faster; the sites made from it commit synchronously.
        fast = postgres.url_for(name, options="-c synchronous_commit=off")
        seeded = django_json(app_env(data_dir, fast), SEED, timeout=180)
        yield name, data_dir, seeded
    finally:
        postgres.drop(name)


@pytest.fixture
def pg_site(tmp_path, postgres, pg_template) -> Site:
    template, template_dir, seeded = pg_template
    name = f"ketenregie_ops_{uuid.uuid4().hex[:10]}"
    postgres.create(name, template=template)
    data_dir = tmp_path / "site"
    shutil.copytree(template_dir, data_dir)
    try:
        yield Site(data_dir, postgres.url_for(name), seeded["token"], "postgresql", seeded["snapshot"])
    finally:
        postgres.drop(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request) -> Site:
    """The same test on SQLite and (when available) on PostgreSQL."""
    return request.getfixturevalue("sqlite_site" if request.param == "sqlite" else "pg_site")


# --- Redis -----------------------------------------------------------------------------------------


LOCAL_REDIS = "redis://127.0.0.1:6379/15"


def _redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    given = os.environ.get("KETENREGIE_TEST_REDIS_URL", "")
    if given:
        if not _redis_answers(given):
            pytest.skip(f"Redis at KETENREGIE_TEST_REDIS_URL ({given}) does not answer")
        yield given
        return
    server = shutil.which("redis-server")
    if server is None:
        if _redis_answers(LOCAL_REDIS):
            yield LOCAL_REDIS
            return
        pytest.skip(
            "Redis: redis-server is not installed (apt-get install -y redis-server) and nothing answers at "
            f"{LOCAL_REDIS} (or set KETENREGIE_TEST_REDIS_URL)"
        )
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(  # noqa: S603
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while not _redis_answers(url):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.skip(f"Redis: redis-server did not start on 127.0.0.1:{port}")
            time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        if process.poll() is None:
            process.kill()


def snapshot(site, *, verify: bool = False) -> dict:
    """Every case, consent (with its document's checksum), plan version and audit entry of a site."""
    return django_json(site.env, f"VERIFY = {verify}\n" + SNAPSHOT)
