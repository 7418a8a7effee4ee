"""Canary scans (SECURITY.md DP1, AU4, L9): sensitive texts carrying a unique canary are written
through the domain (tests/security/canary_seed.py), then looked for where they must not be.

- The raw bytes of a real SQLite file (main file, WAL and shared memory; written by a child process
  with its own DATABASE_URL, since the test database lives in memory) and of the backup
  ``ketenregie backup`` makes of it.
- On PostgreSQL: a plain ``pg_dump`` of the test database, and the backup turned back into SQL by
  ``pg_restore``.
- Audit rows, log output and sent e-mails: neither the canary nor the youth's name; nor in any URL
  the application hands out (links, redirects).

Each scan also finds its positive control (the ``enc1:`` prefix of encrypted values), so a scan of
an empty or unreadable file cannot pass.

The SQLite-file scan runs in the SQLite run only (in the PostgreSQL run it would repeat the same
child process); the pg_dump scan runs in the PostgreSQL run only.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import asdict
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command, get_commands
from django.db import connection
from django.test import Client
from django.urls import reverse

from ketenregie.accounts.models import User
from ketenregie.audit.models import AuditEvent
from ketenregie.common.fields import PREFIX
from tests.security.canary_seed import PLACES, Seeded, seed
from tests.security.htmlforms import main_form

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _canary() -> str:
    return "KRCANARY" + secrets.token_hex(6).upper()


def _count(data: bytes, needle: str) -> int:
    return data.lower().count(needle.lower().encode())


def _scan(files: list[Path], needle: str) -> dict[str, int]:
    return {file.name: _count(file.read_bytes(), needle) for file in files}


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.mark.skipif(ON_POSTGRES, reason="this run's database is PostgreSQL; the SQLite run scans the SQLite file")
def test_no_plaintext_canary_in_the_sqlite_file_or_its_backup(tmp_path, record_property):
    canary = _canary()
    database, backup = tmp_path / "ketenregie.sqlite3", tmp_path / "backup"
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "ketenregie.settings",
        "KETENREGIE_TESTING": "true",
        "DATABASE_URL": f"sqlite:///{database}",
        "KETENREGIE_DATA_DIR": str(tmp_path / "data"),
        "KETENREGIE_MEDIA_ROOT": str(tmp_path / "media"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.security.canary_seed", canary, str(backup)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seeded = Seeded(**json.loads(result.stdout.strip().splitlines()[-1]))
    assert len(seeded.read_back) == len(PLACES) and all(canary in value for value in seeded.read_back)

    database_files = sorted(tmp_path.glob("ketenregie.sqlite3*"))  # the file, and -wal/-shm if left
    hits = _scan(database_files, canary)
    assert sum(_scan(database_files, PREFIX).values()) >= len(PLACES), "the scan reads the encrypted rows"
    backup_files = _files(backup) if backup.exists() else []
    if backup_files:
        hits |= {f"backup/{name}": n for name, n in _scan(backup_files, canary).items()}
        assert sum(_scan(backup_files, PREFIX).values()) >= len(PLACES), "the backup holds the encrypted rows"
    figure = f"canary: {sum(hits.values())} plaintext hits in {len(hits)} files"
    record_property("figure", figure)
    print(figure)
    assert hits and sum(hits.values()) == 0, hits
    if "backup" not in get_commands():
        pytest.skip("`ketenregie backup` does not exist yet: only the database file was scanned")
    assert backup_files, "`ketenregie backup` wrote nothing"


def _pg_env() -> dict[str, str]:
    conf = connection.settings_dict
    return {
        **os.environ,
        "PGHOST": conf.get("HOST") or "",
        "PGPORT": str(conf.get("PORT") or ""),
        "PGUSER": conf.get("USER") or "",
        "PGPASSWORD": conf.get("PASSWORD") or "",
        "PGDATABASE": conf["NAME"],
    }


@pytest.mark.skipif(
    not ON_POSTGRES, reason="needs PostgreSQL (DATABASE_URL=postgres://...): the SQLite run scans the SQLite file"
)
def test_no_plaintext_canary_in_a_pg_dump_or_the_backup(transactional_db, tmp_path, record_property):
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump/pg_restore not installed: apt-get install -y postgresql-client")
    canary = _canary()
    seeded = seed(canary)  # committed: transactional_db, so pg_dump sees it
    assert all(canary in value for value in seeded.read_back)

    dump = subprocess.run(
        ["pg_dump", "--format=plain", "--data-only", "--no-owner"], env=_pg_env(), capture_output=True, check=True
    ).stdout
    hits = {"pg_dump": _count(dump, canary)}
    assert _count(dump, PREFIX) >= len(PLACES), "the dump holds the encrypted rows"
    if "backup" in get_commands():
        folder = tmp_path / "backup"
        call_command("backup", str(folder), stdout=StringIO())
        restored = subprocess.run(
            ["pg_restore", "--data-only", "-f", "-", str(folder / "database.pgdump")], capture_output=True, check=True
        ).stdout
        hits["backup (pg_restore)"] = _count(restored, canary)
        hits |= {f"backup/{n}": c for n, c in _scan(_files(folder), canary).items() if n != "database.pgdump"}
        assert _count(restored, PREFIX) >= len(PLACES)
    figure = f"canary: {sum(hits.values())} plaintext hits in {hits}"
    record_property("figure", figure)
    print(figure)
    assert sum(hits.values()) == 0, hits


# --- Audit rows, logs, e-mail and URLs --------------------------------------------------------------


# Every attribute that holds a URL the browser may request or keep in its history.
URL_ATTRIBUTES = {"href", "action", "formaction", "src", "hx-get", "hx-post", "hx-put", "hx-delete", "hx-push-url"}


class _Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in URL_ATTRIBUTES and value]


def handed_out_urls(response) -> list[str]:
    """The redirect and every URL in an HTML answer: paths, and relative ones such as ``?page=2``."""
    found = [response["Location"]] if response.has_header("Location") else []
    if response.get("Content-Type", "").startswith("text/html"):
        parser = _Urls()
        parser.feed(response.content.decode(errors="replace"))
        found += parser.urls
    return found


def _exercise(client: Client, seeded: Seeded) -> list[str]:
    """Open the pages and API answers that show the seeded texts, and post a contact through its
    form; returns every URL handed out on the way."""
    case, intake_case = seeded.case_id, seeded.intake_case_id
    urls = []
    for url in (
        reverse("cases:case_list"),
        reverse("cases:case_detail", kwargs={"case_id": case}),
        reverse("cases:intake", kwargs={"case_id": intake_case}),
        reverse("cases:case_detail", kwargs={"case_id": intake_case}),
        f"/api/v1/cases/{case}",
        f"/api/v1/cases/{intake_case}/intake",
        reverse("followup:signals"),
        reverse("followup:notifications"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        urls += handed_out_urls(response)
    # Searching by name: the list is posted to and redirects to a token; the API takes the term in the body.
    name = f"{seeded.youth_first_name} {seeded.youth_last_name}"
    response = client.post(reverse("cases:case_list"), {"q": name}, follow=True)
    assert case in [str(c.pk) for c in response.context["cases"]], "the search found the youth"
    urls += [location for location, _status in response.redirect_chain] + handed_out_urls(response)
    response = client.post("/api/v1/cases/search", {"q": seeded.youth_last_name}, content_type="application/json")
    assert case in [item["id"] for item in response.json()["items"]], response.content
    contacts = reverse("followup:contacts", kwargs={"case_id": case})
    form = main_form(client.get(contacts).content.decode(), contacts)
    response = client.post(contacts, form.filled({"note": f"note: {seeded.canary}"}), follow=True)
    urls += [location for location, _status in response.redirect_chain] + handed_out_urls(response)
    return urls


def test_no_case_content_or_name_in_audit_rows_logs_mail_or_urls(
    db, caplog, mailoutbox, django_capture_on_commit_callbacks, record_property
):
    caplog.set_level(logging.INFO)  # production logs WARNING and up; INFO catches more
    for name in ("django.request", "axes"):  # they do not propagate to the root logger
        logging.getLogger(name).addHandler(caplog.handler)
    canary = _canary()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            seeded = seed(canary)
            client = Client()
            client.force_login(User.objects.get(username="coordinator"))
            urls = _exercise(client, seeded)
            call_command("send_digests", stdout=StringIO())
            Client().post(reverse("accounts:password_reset"), {"email": "sofie.claes@genk.example"})
    finally:
        for name in ("django.request", "axes"):
            logging.getLogger(name).removeHandler(caplog.handler)

    audit = json.dumps(list(AuditEvent.objects.values()), default=str)
    logs = caplog.text + json.dumps([[r.getMessage(), repr(r.args)] for r in caplog.records], default=str)
    mails = json.dumps(
        [[m.subject, m.body, m.to, m.extra_headers, getattr(m, "alternatives", []), m.attachments] for m in mailoutbox],
        default=str,
    )
    places = {"audit rows": audit, "logs": logs, "e-mails": mails, "URLs": json.dumps(urls)}
    needles = {"canary": canary, "first name": seeded.youth_first_name, "last name": seeded.youth_last_name}
    hits = {
        f"{what} in {where}": text.lower().count(needle.lower())
        for where, text in places.items()
        for what, needle in needles.items()
    }
    found = {key: n for key, n in hits.items() if n}
    figure = (
        f"canary: {sum(found.values())} hits in {AuditEvent.objects.count()} audit rows, {len(caplog.records)} log "
        f"records, {len(mailoutbox)} e-mails, {len(urls)} URLs"
    )
    record_property("figure", figure)
    print(figure)
    assert AuditEvent.objects.filter(case_id=seeded.case_id).exists(), "the reads were audited"
    assert mailoutbox, "the scan should see at least the password-reset e-mail"
    assert found == {}, (found, asdict(seeded))
