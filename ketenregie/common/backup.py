"""Online backup and restore of the database and the uploaded documents (SECURITY.md R5).

A backup is a folder, written under a temporary name and renamed when complete:

- ``database.sqlite3`` — SQLite: a consistent copy made with SQLite's online backup API while the
  application keeps running; or ``database.pgdump`` — PostgreSQL: ``pg_dump --format=custom``, taken
  in the same snapshot as the row counts in the manifest;
- ``media/`` — a copy of MEDIA_ROOT (the signed consent documents);
- ``manifest.json`` — format, engine, time, the applied migrations, the row count of every table and
  the size and SHA-256 of every file;
- ``SHA256SUMS`` — the same checksums for ``sha256sum -c`` (manifest.json included).

Restore verifies every checksum first and refuses a damaged or altered backup. It goes into an
empty database only (``force=True`` replaces what is there), in one transaction on PostgreSQL, then
copies the documents back, checks that every table holds exactly the rows of the manifest and
recomputes the audit log's hash chain.

The encryption keys (``KETENREGIE_FIELD_KEYS``) are not part of a backup: keep them apart, and keep
an old key as long as backups made under it are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connections

FORMAT = "ketenregie-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
MEDIA = "media"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_CHUNK = 1024 * 1024

# libpq connection parameters and the environment variables pg_dump, pg_restore and psql read them from.
_LIBPQ_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "dbname": "PGDATABASE",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass
class RestoreResult:
    manifest: dict
    tables: int
    rows: int
    documents: int
    removed_documents: int = 0
    audit_entries: int | None = None
    pending_migrations: list[str] = field(default_factory=list)


# --- Files and checksums ----------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_file(source: Path, target: Path, *, keep_mode: bool = True) -> tuple[int, str]:
    """Copy ``source`` to ``target``, flushed to disk; return its size and SHA-256.

    A restored document gets the usual mode of a new file (the umask), not the backup's 0600.
    """
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as src, open(target, "wb") as dst:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    if keep_mode:
        shutil.copystat(source, target)
    else:
        stat = source.stat()
        os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return size, digest.hexdigest()


def _private(path: Path) -> None:
    """Backups hold personal data: only their owner may read them."""
    os.chmod(path, 0o700 if path.is_dir() else 0o600)


def _entry(root: Path, relative: str) -> dict:
    path = root / relative
    return {"path": relative, "size": path.stat().st_size, "sha256": sha256_of(path)}


def _media_files(media_root: Path) -> Iterator[Path]:
    if not media_root.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(media_root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if path.is_file() and not path.is_symlink():
                yield path


def _safe_relative(path: str) -> PurePosixPath:
    """A manifest path may only name a file inside the backup folder (no absolute paths, no ``..``)."""
    pure = PurePosixPath(path)
    if pure.is_absolute() or not pure.parts or any(part in ("", ".", "..") for part in pure.parts):
        raise BackupError(f"The manifest names an unsafe path {path!r}: the backup was altered. Refusing to use it.")
    return pure


# --- The database connection ---------------------------------------------------------------------------


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _sqlite_path(using: str) -> Path:
    name = str(connections[using].settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name or name.startswith("file:"):
        raise BackupError(f"The SQLite database {name!r} is not a file: there is nothing to back up or restore.")
    return Path(name).resolve()


def libpq_params(using: str = "default") -> dict[str, str]:
    """The connection parameters of a PostgreSQL database in libpq's names."""
    sd = connections[using].settings_dict
    params = {
        "dbname": sd.get("NAME") or "",
        "user": sd.get("USER") or "",
        "password": sd.get("PASSWORD") or "",
        "host": sd.get("HOST") or "",
        "port": str(sd.get("PORT") or ""),
    }
    for key, value in (sd.get("OPTIONS") or {}).items():
        if key in _LIBPQ_ENV and value not in (None, ""):
            params[key] = str(value)
    return {key: value for key, value in params.items() if value}


def _pg_env(params: dict[str, str]) -> dict[str, str]:
    """The environment for pg_dump, pg_restore and psql: the password travels here, never on the command line."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env.update({_LIBPQ_ENV[key]: value for key, value in params.items()})
    return env


def _pg_connect(params: dict[str, str]):
    import psycopg
    from psycopg.conninfo import make_conninfo

    try:
        return psycopg.connect(make_conninfo(**params), autocommit=True)
    except psycopg.Error as exc:
        raise BackupError(
            f"Cannot connect to PostgreSQL database {params.get('dbname')!r}: {exc}. (A restore needs the database "
            "to exist: create it empty, owned by the application's role, e.g. `createdb --owner=ketenregie ketenregie`.)"
        ) from exc


def pg_tool(name: str) -> str:
    """The path of pg_dump, pg_restore or psql: from KETENREGIE_PG_BIN (a folder) if set, else from PATH.

    pg_dump must be at least as new as the server, e.g. KETENREGIE_PG_BIN=/usr/lib/postgresql/16/bin.
    """
    folder = os.environ.get("KETENREGIE_PG_BIN", "")
    found = str(Path(folder) / name) if folder else shutil.which(name)
    if not found or not os.access(found, os.X_OK):
        raise BackupError(
            f"{name} was not found{' in ' + folder if folder else ''}: install the PostgreSQL client of the "
            "server's version (e.g. `apt-get install postgresql-client-15`) or set KETENREGIE_PG_BIN."
        )
    return found


def _run_tool(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()}")


def _pg_tables(conn) -> list[str]:
    rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1").fetchall()
    return [row[0] for row in rows]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _counts(cursor, tables: list[str]) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 — a quoted table name
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _migrations(cursor) -> list[list[str]]:
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [[app, name] for app, name in cursor.fetchall()]


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return [row[0] for row in rows]


def _sqlite_check(conn: sqlite3.Connection, what: str) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{what} fails SQLite's integrity check: {result}")


# PostgreSQL objects in the schema that a restore with --force drops: relations and functions,
# except those that belong to an extension.
_PG_OBJECTS = """
SELECT CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'TABLE' WHEN 'v' THEN 'VIEW'
                      WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' END,
       format('%I.%I', n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT 'FUNCTION', format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = current_schema()
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
"""
_PG_DROP_ORDER = ["MATERIALIZED VIEW", "VIEW", "TABLE", "SEQUENCE", "FUNCTION"]


def _pg_objects(conn) -> list[tuple[str, str]]:
    rows = conn.execute(_PG_OBJECTS).fetchall()
    return sorted(rows, key=lambda row: (_PG_DROP_ORDER.index(row[0]), row[1]))


# --- Backup ------------------------------------------------------------------------------------


def _prepare_target(target: Path) -> Path:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists and is not an empty folder: give a new path for each backup.")
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))


def _backup_sqlite(using: str, work: Path) -> dict:
    source_path = _sqlite_path(using)
    if not source_path.exists():
        raise BackupError(f"The SQLite database {source_path} does not exist.")
    copy_path = work / DATABASE_FILES["sqlite"]
    source = sqlite3.connect(source_path)
    copy = sqlite3.connect(copy_path)
    try:
        # One step: a consistent snapshot; in WAL mode the application keeps writing meanwhile.
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        _sqlite_check(copy, "The copy of the database")
        tables = _sqlite_tables(copy)
        cursor = copy.cursor()
        counts = _counts(cursor, tables)
        migrations = _migrations(cursor) if "django_migrations" in tables else []
    finally:
        copy.close()
        source.close()
    with open(copy_path, "rb+") as fh:
        os.fsync(fh.fileno())
    return {"tables": counts, "migrations": migrations}


def _backup_postgresql(using: str, work: Path) -> dict:
    params = libpq_params(using)
    dump_path = work / DATABASE_FILES["postgresql"]
    conn = _pg_connect(params)
    try:
        # Counts and dump see the same snapshot: the exporting transaction stays open until pg_dump ends.
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        cursor = conn.cursor()
        tables = _pg_tables(conn)
        counts = _counts(cursor, tables)
        migrations = _migrations(cursor) if "django_migrations" in tables else []
        _run_tool(
            [pg_tool("pg_dump"), "--format=custom", f"--snapshot={snapshot}", "--no-password", f"--file={dump_path}"],
            _pg_env(params),
            "pg_dump",
        )
        conn.execute("COMMIT")
    finally:
        conn.close()
    return {"tables": counts, "migrations": migrations}


def _app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ketenregie")
    except PackageNotFoundError:
        return "unknown"


def make_backup(target: Path | str, *, using: str = "default", log: Callable[[str], None] | None = None) -> dict:
    """Back up the database and MEDIA_ROOT into the new folder ``target``; return the manifest."""
    say = log or (lambda message: None)
    target = Path(target).resolve()
    vendor = _vendor(using)
    work = _prepare_target(target)
    try:
        os.chmod(work, 0o700)
        say(f"Backing up the {ENGINE_NAMES[vendor]} database …")
        database = _backup_sqlite(using, work) if vendor == "sqlite" else _backup_postgresql(using, work)
        files = [_entry(work, DATABASE_FILES[vendor])]
        media_root = Path(settings.MEDIA_ROOT)
        say(f"Copying the uploaded documents from {media_root} …")
        for source in _media_files(media_root):
            relative = PurePosixPath(MEDIA, *source.relative_to(media_root).parts).as_posix()
            size, digest = _copy_file(source, work / relative)
            files.append({"path": relative, "size": size, "sha256": digest})
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "ketenregie_version": _app_version(),
            "engine": vendor,
            "database_file": DATABASE_FILES[vendor],
            "migrations": database["migrations"],
            "tables": database["tables"],
            "files": files,
        }
        manifest_path = work / MANIFEST
        manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        sums = [f"{entry['sha256']}  {entry['path']}" for entry in files]
        sums.append(f"{sha256_of(manifest_path)}  {MANIFEST}")
        (work / SUMS).write_text("\n".join(sums) + "\n", encoding="utf-8")
        for name in (MANIFEST, SUMS):
            with open(work / name, "rb+") as fh:
                os.fsync(fh.fileno())
        for path in work.rglob("*"):
            _private(path)
        if target.exists():
            target.rmdir()  # an empty folder made for us
        os.rename(work, target)
        _fsync_dir(target.parent)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


# --- Verify -----------------------------------------------------------------------------------


def read_manifest(source: Path | str) -> dict:
    source = Path(source)
    path = source / MANIFEST
    if not path.is_file():
        raise BackupError(f"{source} is not a Ketenregie backup: it has no {MANIFEST}.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{path} is damaged ({exc}). Refusing to use this backup.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not a Ketenregie backup ({MANIFEST} has another format).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"This backup has format version {manifest.get('format_version')}; this version of Ketenregie "
            f"reads version {FORMAT_VERSION}."
        )
    if manifest.get("engine") not in DATABASE_FILES or manifest.get("database_file") != DATABASE_FILES.get(
        manifest.get("engine", "")
    ):
        raise BackupError(f"{MANIFEST} names no known database engine: the backup was altered.")
    return manifest


def verify_backup(source: Path | str) -> dict:
    """Check every file of the backup against the manifest; raise BackupError naming each problem."""
    source = Path(source).resolve()
    manifest = read_manifest(source)
    sums = source / SUMS
    listed_sums = {}
    if sums.is_file():
        for line in sums.read_text(encoding="utf-8", errors="replace").splitlines():
            digest, _, name = line.partition("  ")
            listed_sums[name] = digest
    if listed_sums.get(MANIFEST) != sha256_of(source / MANIFEST):
        raise BackupError(
            f"{MANIFEST} does not match {SUMS} in {source}: the manifest was changed after the backup, or "
            f"{SUMS} is missing. Refusing to use this backup."
        )
    problems = []
    listed = set()
    entries = manifest.get("files")
    if not isinstance(entries, list) or not entries:
        raise BackupError(f"{MANIFEST} lists no files: the backup was altered. Refusing to use it.")
    for entry in entries:
        relative = _safe_relative(str(entry.get("path", "")))
        if relative.parts[0] != MEDIA and relative.as_posix() != manifest["database_file"]:
            raise BackupError(f"The manifest names an unexpected file {relative}: the backup was altered.")
        listed.add(relative.as_posix())
        path = source / relative
        if not path.is_file():
            problems.append(f"{relative}: missing")
        elif path.stat().st_size != entry.get("size"):
            problems.append(f"{relative}: size {path.stat().st_size} instead of {entry.get('size')}")
        elif sha256_of(path) != entry.get("sha256"):
            problems.append(f"{relative}: checksum mismatch")
    if manifest["database_file"] not in listed:
        problems.append(f"{manifest['database_file']}: not listed in the manifest")
    for path in sorted(source.rglob("*")):
        inside = path.relative_to(source).as_posix()
        if path.is_file() and inside not in listed and inside not in (MANIFEST, SUMS):
            problems.append(f"{inside}: not listed in the manifest")
    if problems:
        raise BackupError(
            f"The backup {source} is damaged or was altered, refusing to restore it:\n- " + "\n- ".join(problems)
        )
    return manifest


# --- Restore ------------------------------------------------------------------------------------


def _known_migrations() -> set[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def _sqlite_existing_tables(path: Path) -> list[str]:
    if not path.exists() or path.stat().st_size == 0:
        return []
    conn = sqlite3.connect(path)
    try:
        return _sqlite_tables(conn)
    finally:
        conn.close()


def _restore_sqlite(using: str, source: Path, manifest: dict) -> dict[str, int]:
    target = _sqlite_path(using)
    target.parent.mkdir(parents=True, exist_ok=True)
    backup_copy = sqlite3.connect(f"file:{source / manifest['database_file']}?mode=ro", uri=True)
    restored = sqlite3.connect(target, timeout=30)
    try:
        # The backup API writes through SQLite's own locking and journal, so a stale WAL can never
        # be replayed over the restored pages.
        backup_copy.backup(restored)
        restored.execute("PRAGMA journal_mode=WAL")
        _sqlite_check(restored, "The restored database")
        return _counts(restored.cursor(), _sqlite_tables(restored))
    finally:
        restored.close()
        backup_copy.close()


def _restore_postgresql(using: str, source: Path, manifest: dict, drops: list[tuple[str, str]]) -> dict[str, int]:
    params = libpq_params(using)
    env = _pg_env(params)
    dump = source / manifest["database_file"]
    # One transaction: BEGIN, the drops (--force), the whole dump as SQL, and COMMIT only when
    # pg_restore produced all of it. An error stops psql (ON_ERROR_STOP) and, like a missing
    # COMMIT, rolls everything back: the database is either restored or unchanged.
    with tempfile.TemporaryFile() as restore_log, tempfile.TemporaryFile() as psql_log:
        psql_path, pg_restore_path = pg_tool("psql"), pg_tool("pg_restore")
        psql = subprocess.Popen(  # noqa: S603
            [psql_path, "--no-psqlrc", "--quiet", "--no-password", "-v", "ON_ERROR_STOP=1", "--output=/dev/null"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_log,
        )
        pg_restore = subprocess.Popen(  # noqa: S603
            [pg_restore_path, "--no-owner", "--no-acl", "--file=-", str(dump)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=restore_log,
        )
        assert psql.stdin is not None and pg_restore.stdout is not None
        complete = False
        try:
            psql.stdin.write(b"BEGIN;\nSET LOCAL client_min_messages = warning;\n")
            for kind, name in drops:
                psql.stdin.write(f"DROP {kind} IF EXISTS {name} CASCADE;\n".encode())
            shutil.copyfileobj(pg_restore.stdout, psql.stdin, _CHUNK)
            complete = pg_restore.wait() == 0
            if complete:
                psql.stdin.write(b"COMMIT;\n")
        except BrokenPipeError:
            pass  # psql stopped at an error; its log says which
        finally:
            if pg_restore.poll() is None:
                pg_restore.kill()
            restore_rc = pg_restore.wait()
            try:
                psql.stdin.close()
            except BrokenPipeError:
                pass
            rc = psql.wait()
        restore_log.seek(0)
        psql_log.seek(0)
        restore_errors = restore_log.read().decode(errors="replace").strip()
        psql_errors = psql_log.read().decode(errors="replace").strip()
    if rc != 0:
        raise BackupError(f"Restoring into PostgreSQL failed (psql exit {rc}): {psql_errors} Nothing was changed.")
    if restore_rc != 0 or not complete:
        raise BackupError(f"pg_restore failed (exit {restore_rc}): {restore_errors} Nothing was changed.")
    conn = _pg_connect(params)
    try:
        return _counts(conn.cursor(), _pg_tables(conn))
    finally:
        conn.close()


def _restore_media(source: Path, manifest: dict, *, replace: bool) -> tuple[int, int]:
    media_root = Path(settings.MEDIA_ROOT)
    wanted = {}
    for entry in manifest["files"]:
        relative = _safe_relative(entry["path"])
        if relative.parts[0] == MEDIA:
            wanted[PurePosixPath(*relative.parts[1:]).as_posix()] = relative
    removed = 0
    if replace:
        for path in list(_media_files(media_root)):
            if path.relative_to(media_root).as_posix() not in wanted:
                path.unlink()
                removed += 1
    for inside, relative in wanted.items():
        target = media_root / inside
        partial = target.with_name(target.name + ".restoring")
        _copy_file(source / relative, partial, keep_mode=False)
        os.replace(partial, target)
    return len(wanted), removed


def restore_backup(
    source: Path | str, *, using: str = "default", force: bool = False, log: Callable[[str], None] | None = None
) -> RestoreResult:
    """Restore ``source`` into the (empty, unless ``force``) database and MEDIA_ROOT, then prove it is whole."""
    say = log or (lambda message: None)
    source = Path(source).resolve()
    say(f"Verifying the checksums of {source} …")
    manifest = verify_backup(source)
    vendor = _vendor(using)
    if manifest["engine"] != vendor:
        raise BackupError(
            f"This is a backup of a {ENGINE_NAMES[manifest['engine']]} database; the configured database "
            f"(DATABASE_URL) is {ENGINE_NAMES[vendor]}. Restore it into a database of the same kind."
        )
    in_backup = {(app, name) for app, name in manifest["migrations"]}
    known = _known_migrations()
    unknown = sorted(in_backup - known)
    if unknown:
        raise BackupError(
            "This backup was made by a newer version of Ketenregie (it has migrations this version does not know: "
            + ", ".join(f"{app}.{name}" for app, name in unknown[:5])
            + "). Install that version, or a newer one, and restore again."
        )
    pending = sorted(f"{app}.{name}" for app, name in known - in_backup)

    connections[using].close()
    media_root = Path(settings.MEDIA_ROOT)
    drops: list[tuple[str, str]] = []
    if vendor == "sqlite":
        target = _sqlite_path(using)
        existing = _sqlite_existing_tables(target)
        where = str(target)
    else:
        conn = _pg_connect(libpq_params(using))
        try:
            drops = _pg_objects(conn)
        finally:
            conn.close()
        existing = [name for _kind, name in drops]
        where = f"PostgreSQL database {libpq_params(using).get('dbname')!r}"
    media_present = next(iter(_media_files(media_root)), None) is not None
    if not force and (existing or media_present):
        what = []
        if existing:
            what.append(f"the database ({where}) already holds {len(existing)} tables or other objects")
        if media_present:
            what.append(f"the media folder {media_root} already holds files")
        raise BackupError(
            "Refusing to restore: "
            + " and ".join(what)
            + ". Restore into an empty database and an empty media folder, or pass --force to replace "
            "everything in them with the backup (make a backup of them first)."
        )

    say(f"Restoring the {ENGINE_NAMES[vendor]} database into {where} …")
    if vendor == "sqlite":
        counts = _restore_sqlite(using, source, manifest)
    else:
        counts = _restore_postgresql(using, source, manifest, drops if force else [])
    connections[using].close()

    say(f"Restoring the uploaded documents into {media_root} …")
    documents, removed = _restore_media(source, manifest, replace=force)

    expected = manifest["tables"]
    wrong = [
        f"{table}: {counts.get(table, 'missing')} rows instead of {rows}"
        for table, rows in sorted(expected.items())
        if counts.get(table) != rows
    ]
    if wrong:
        raise BackupError("The restored database does not match the backup's manifest:\n- " + "\n- ".join(wrong))
    result = RestoreResult(
        manifest=manifest,
        tables=len(expected),
        rows=sum(expected.values()),
        documents=documents,
        removed_documents=removed,
        pending_migrations=pending,
    )
    if not pending:
        from ketenregie.audit.domain import verify_chain

        verified = verify_chain()
        if not verified.ok:
            raise BackupError(
                f"The data is restored, but its audit log does not verify: {verified.problem} "
                f"(first bad entry: {verified.first_bad_id})."
            )
        result.audit_entries = verified.checked
    return result
