"""Backup and restore (SECURITY.md R5): the restore drill, on SQLite and (when available) PostgreSQL.

Seed, back up, destroy, restore, and prove that every case, consent (with its signed document), plan
version and audit entry is back and the audit log verifies. A non-empty database is refused unless
``--force``; a damaged or altered backup is refused before anything is touched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from django.db import connections
from django.test import override_settings

from ketenregie.common.backup import BackupError, make_backup, restore_backup, verify_backup
from tests.ops.conftest import snapshot
from tests.ops.helpers import app_env, ketenregie


def destroy(site, postgres) -> None:
    """The database and the uploaded documents are gone: an empty database is all that is left."""
    shutil.rmtree(site.media)
    if site.engine == "sqlite":
        for path in site.data_dir.glob("ketenregie.sqlite3*"):
            path.unlink()
    else:
        name = site.database_url.rsplit("/", 1)[1]
        postgres.drop(name)
        postgres.create(name)


def change(site) -> None:
    """Someone worked on after the backup: a case changed and a stray document appeared."""
    (site.media / "private" / "consents" / "written-after-the-backup").write_bytes(b"%PDF-1.4 later")
    sql = "UPDATE cases_case SET version = version + 100"
    if site.engine == "sqlite":
        with sqlite3.connect(site.sqlite_path) as conn:
            conn.execute(sql)
    else:
        import psycopg

        with psycopg.connect(site.database_url, autocommit=True) as conn:
            conn.execute(sql)


@pytest.fixture
def postgres_or_none(request, site):
    return request.getfixturevalue("postgres") if site.engine == "postgresql" else None


def test_restore_drill_brings_back_every_case_consent_plan_version_and_audit_entry(site, postgres_or_none, tmp_path):
    before = site.seeded  # the snapshot taken right after seeding (the site is a copy)
    assert before["cases"] and before["plan_versions"] and before["audit"] and before["audit_ok"]
    assert any(consent[4] for consent in before["consents"]), "the seed has a consent with a signed document"
    backup = tmp_path / "backup"

    made = ketenregie(site.env, "backup", str(backup))
    assert "Backup written to" in made.stdout
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["engine"] == site.engine
    assert {entry["path"] for entry in manifest["files"]} >= {
        manifest["database_file"],
        *(f"media/{path}" for path in before["media"]),
    }
    assert manifest["tables"]["cases_case"] == len(before["cases"])
    assert manifest["tables"]["audit_auditevent"] == len(before["audit"])
    assert oct(backup.stat().st_mode & 0o777) == "0o700"  # backups hold personal data

    destroy(site, postgres_or_none)
    restored = ketenregie(site.env, "restore", str(backup))

    assert "every count matches the manifest" in restored.stdout
    assert f"Audit log intact: {len(before['audit'])} entries verified." in restored.stdout
    after = snapshot(site, verify=True)  # runs `verify_audit` too: it raises when the chain is broken
    assert after == before


def test_restore_refuses_a_non_empty_database_unless_forced(site, tmp_path):
    backup = tmp_path / "backup"
    ketenregie(site.env, "backup", str(backup))
    before = site.seeded
    change(site)

    refused = ketenregie(site.env, "restore", str(backup), check=False)

    assert refused.returncode != 0
    assert "Refusing to restore: the database" in refused.stderr
    assert "already holds" in refused.stderr and "pass --force" in refused.stderr
    assert (site.media / "private" / "consents" / "written-after-the-backup").exists()  # nothing touched

    forced = ketenregie(site.env, "restore", "--force", str(backup))
    assert "Removed 1 documents that were not in the backup." in forced.stdout
    assert snapshot(site) == before


# --- Damaged or altered backups (in this process: verification needs no database) ------------


@contextlib.contextmanager
def plain_sqlite(database: Path, media: Path):
    """A database alias ``plain`` for a SQLite file, and MEDIA_ROOT at ``media``, in this process."""
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(database)}
    with override_settings(MEDIA_ROOT=str(media)):
        both = connections.configure_settings({"default": dict(connections.settings["default"]), "plain": sqlite})
        connections.settings["plain"] = both["plain"]
        try:
            yield "plain"
        finally:
            connections["plain"].close()
            del connections["plain"]
            del connections.settings["plain"]


@pytest.fixture(scope="module")
def good_backup(tmp_path_factory) -> Path:
    """A small but real backup of a SQLite database with two documents."""
    root = tmp_path_factory.mktemp("backup-source")
    database = root / "db.sqlite3"
    with sqlite3.connect(database) as conn:
        conn.execute("CREATE TABLE django_migrations (id INTEGER PRIMARY KEY, app TEXT, name TEXT, applied TEXT)")
        conn.execute("CREATE TABLE cases_case (id INTEGER PRIMARY KEY, reference TEXT)")
        conn.executemany("INSERT INTO cases_case (reference) VALUES (?)", [("2026-001",), ("2026-002",)])
    media = root / "media"
    (media / "private" / "consents").mkdir(parents=True)
    (media / "private" / "consents" / "a").write_bytes(b"%PDF-1.4 one")
    (media / "private" / "consents" / "b").write_bytes(b"%PDF-1.4 two")
    target = tmp_path_factory.mktemp("backups") / "good"
    with plain_sqlite(database, media) as alias:
        make_backup(target, using=alias)
    return target


def test_restore_into_an_empty_sqlite_file_then_refuse_then_force(good_backup, tmp_path):
    database, media = tmp_path / "restored.sqlite3", tmp_path / "media"
    with plain_sqlite(database, media) as alias:
        result = restore_backup(good_backup, using=alias)

        assert (result.tables, result.rows, result.documents) == (2, 2, 2)
        assert result.audit_entries is None and result.pending_migrations  # the backup predates the schema
        with sqlite3.connect(database) as conn:
            assert conn.execute("SELECT reference FROM cases_case ORDER BY id").fetchall() == [
                ("2026-001",),
                ("2026-002",),
            ]
        assert (media / "private" / "consents" / "a").read_bytes() == b"%PDF-1.4 one"

        with pytest.raises(BackupError, match="Refusing to restore: the database .* already holds 2 tables"):
            restore_backup(good_backup, using=alias)

        (media / "private" / "consents" / "stray").write_bytes(b"later")
        with sqlite3.connect(database) as conn:
            conn.execute("DELETE FROM cases_case")
        forced = restore_backup(good_backup, using=alias, force=True)
        assert forced.removed_documents == 1 and not (media / "private" / "consents" / "stray").exists()
        with sqlite3.connect(database) as conn:
            assert conn.execute("SELECT COUNT(*) FROM cases_case").fetchone() == (2,)


def test_a_backup_of_another_engine_is_refused(copy, tmp_path):
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["engine"], manifest["database_file"] = "postgresql", "database.pgdump"
    manifest["files"][0]["path"] = "database.pgdump"
    (copy / "database.sqlite3").rename(copy / "database.pgdump")
    (copy / "manifest.json").write_text(json.dumps(manifest))
    digest = hashlib.sha256((copy / "manifest.json").read_bytes()).hexdigest()
    (copy / "SHA256SUMS").write_text(f"{digest}  manifest.json\n")

    with plain_sqlite(tmp_path / "x.sqlite3", tmp_path / "media") as alias:
        with pytest.raises(BackupError, match="backup of a PostgreSQL database; the configured database"):
            restore_backup(copy, using=alias)


@pytest.fixture
def copy(good_backup, tmp_path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(good_backup, target)
    return target


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_an_intact_backup_verifies(good_backup):
    manifest = verify_backup(good_backup)
    assert manifest["tables"] == {"cases_case": 2, "django_migrations": 0}
    assert sorted(entry["path"] for entry in manifest["files"]) == [
        "database.sqlite3",
        "media/private/consents/a",
        "media/private/consents/b",
    ]
    # The same checksums in `sha256sum -c` form.
    sums = dict(line.split("  ", 1)[::-1] for line in (good_backup / "SHA256SUMS").read_text().splitlines())
    for entry in manifest["files"]:
        assert sums[entry["path"]] == hashlib.sha256((good_backup / entry["path"]).read_bytes()).hexdigest()
    assert sums["manifest.json"] == hashlib.sha256((good_backup / "manifest.json").read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("alter", "problem"),
    [
        (lambda b: flip_a_byte(b / "database.sqlite3"), "database.sqlite3: checksum mismatch"),
        (lambda b: flip_a_byte(b / "media/private/consents/a"), "media/private/consents/a: checksum mismatch"),
        (lambda b: (b / "media/private/consents/b").write_bytes(b"short"), "media/private/consents/b: size 5 instead"),
        (lambda b: (b / "media/private/consents/b").unlink(), "media/private/consents/b: missing"),
        (lambda b: (b / "media/private/consents/c").write_bytes(b"x"), "media/private/consents/c: not listed"),
    ],
    ids=["database", "document", "truncated", "missing", "smuggled-in"],
)
def test_a_damaged_or_altered_backup_is_refused_naming_the_file(copy, alter, problem):
    alter(copy)

    with pytest.raises(BackupError) as refused:
        verify_backup(copy)

    assert "is damaged or was altered, refusing to restore it" in str(refused.value)
    assert problem in str(refused.value)
    with pytest.raises(BackupError, match="damaged or was altered"):
        restore_backup(copy)  # refused before the database is looked at


def test_a_manifest_changed_after_the_backup_is_refused(copy):
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["tables"]["cases_case"] = 3
    (copy / "manifest.json").write_text(json.dumps(manifest))

    with pytest.raises(BackupError, match=r"manifest.json does not match SHA256SUMS"):
        verify_backup(copy)


def test_a_manifest_pointing_outside_the_backup_is_refused(copy):
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"].append({"path": "media/../../etc/passwd", "size": 1, "sha256": "0" * 64})
    (copy / "manifest.json").write_text(json.dumps(manifest))
    # A consistent forgery: SHA256SUMS rewritten to match.
    forged = hashlib.sha256((copy / "manifest.json").read_bytes()).hexdigest()
    (copy / "SHA256SUMS").write_text(f"{forged}  manifest.json\n")

    with pytest.raises(BackupError, match="unsafe path"):
        verify_backup(copy)


def test_a_folder_without_manifest_is_no_backup(tmp_path):
    with pytest.raises(BackupError, match="is not a Ketenregie backup: it has no manifest.json"):
        verify_backup(tmp_path)


def test_verify_only_reports_through_the_command(copy, tmp_path):
    env_dir = tmp_path / "data"
    env_dir.mkdir()

    ok = ketenregie(app_env(env_dir), "restore", "--verify-only", str(copy))
    assert "Backup intact: 3 files match their checksums" in ok.stdout

    flip_a_byte(copy / "media/private/consents/a")
    refused = ketenregie(app_env(env_dir), "restore", "--verify-only", str(copy), check=False)
    assert refused.returncode == 1
    assert "media/private/consents/a: checksum mismatch" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_a_backup_never_overwrites_an_existing_folder(good_backup):
    with pytest.raises(BackupError, match="already exists and is not an empty folder"):
        make_backup(good_backup)


def test_the_in_memory_test_database_cannot_be_backed_up(tmp_path, db):
    if connections["default"].vendor != "sqlite":
        pytest.skip("SQLite only: the PostgreSQL test database is a real database")
    with pytest.raises(BackupError):
        make_backup(tmp_path / "never")
    assert not (tmp_path / "never").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".never")]  # no partial folder left
