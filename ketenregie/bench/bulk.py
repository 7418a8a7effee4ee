"""Bulk writing of prepared rows, bypassing the ORM's per-row work.

Rows are dicts of field name → value. Values are what the model field holds, with one exception:
encrypted fields receive their stored form (the ``enc1:`` ciphertext), so nothing is encrypted
here. On PostgreSQL rows go in with a binary ``COPY … FROM STDIN``; elsewhere with ``executemany``.
A field left out of a row gets its default; a primary key or a field without a default must be given.

``bulk_load`` is the classic bulk-load recipe on PostgreSQL (the one pg_restore follows): inside the
caller's transaction it drops the constraints and indexes of the tables to be filled and re-creates
them when the load is done, so each index is built once, sorted, and each foreign key is checked
with one join instead of once per row. It takes exclusive locks on those tables: meant for
benchmark and test databases.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

from ketenregie.common.fields import EncryptedJSONField, EncryptedTextField

_REQUIRED = object()
# Django's column types as psycopg knows them by name.
_PG_TYPE_NAMES = {
    "timestamp with time zone": "timestamptz",
    "boolean": "bool",
    "double precision": "float8",
    "serial": "int4",
    "bigserial": "int8",
}


class TableWriter:
    """Buffers the rows of one model (or auto-created through table) and writes them in batches."""

    def __init__(self, model: type[models.Model], batch_size: int = 20_000):
        self.model = model
        self.batch_size = batch_size
        self.table = model._meta.db_table
        self.fields = [
            f
            for f in model._meta.concrete_fields
            if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField | models.SmallAutoField))
        ]
        self.names = [f.attname for f in self.fields]
        self.columns = [f.column for f in self.fields]
        self.defaults = [self._default(f) for f in self.fields]
        self.required = {n for n, d in zip(self.names, self.defaults, strict=True) if d is _REQUIRED}
        self.rows: list[tuple] = []
        self.written = 0
        self.postgres = connection.vendor == "postgresql"

    @staticmethod
    def _default(field: models.Field) -> Any:
        if field.primary_key:
            return _REQUIRED  # a default id would be the same for every row
        if isinstance(field, EncryptedJSONField):
            return ""  # reads back as {} (see EncryptedJSONField.from_db_value)
        if field.has_default():
            return field.get_default()
        if field.null:
            return None
        if field.empty_strings_allowed:
            return ""
        return _REQUIRED

    def add(self, row: dict) -> None:
        if not self.required <= row.keys():
            raise KeyError(f"{self.model._meta.label}: {sorted(self.required - row.keys())} required")
        self.rows.append(tuple(map(row.get, self.names, self.defaults)))
        if len(self.rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        if self.postgres:
            self._copy(rows)
        else:
            self._insert(rows)
        self.written += len(rows)

    def _copy(self, rows: list[tuple]) -> None:
        """Binary COPY: psycopg's C dumpers encode the Python values (JSON as well) without text round trips."""
        columns = ", ".join(f'"{c}"' for c in self.columns)
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f'COPY "{self.table}" ({columns}) FROM STDIN (FORMAT BINARY)') as copy:
                copy.set_types(self._types())
                for row in rows:
                    copy.write_row(row)

    def _types(self) -> list[str]:
        names = []
        for f in self.fields:
            db_type = (f.db_type(connection) or "text").split("(")[0].strip()
            names.append(_PG_TYPE_NAMES.get(db_type, db_type))
        return names

    def _insert(self, rows: list[tuple]) -> None:
        db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy costs a lookup per value
        prepare = [
            (lambda v: v)
            if isinstance(f, EncryptedTextField | EncryptedJSONField)
            else (lambda v, f=f: f.get_db_prep_save(v, db))
            for f in self.fields
        ]
        quote = connection.ops.quote_name
        # Table and column names come from the models; the values are parameters.
        columns = ", ".join(quote(c) for c in self.columns)
        places = ", ".join(["%s"] * len(self.columns))
        sql = f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({places})"  # noqa: S608
        prepared = [tuple(p(v) for p, v in zip(prepare, row, strict=True)) for row in rows]
        with connection.cursor() as cursor:
            cursor.executemany(sql, prepared)


class Sink:
    """Where generated rows go: one TableWriter per model, flushed parents first."""

    def __init__(self, models_in_order: Iterable[type[models.Model]], batch_size: int = 20_000):
        self.writers = {m: TableWriter(m, batch_size) for m in models_in_order}

    def add(self, model: type[models.Model], row: dict) -> None:
        self.writers[model].add(row)

    def adder(self, model: type[models.Model]):
        return self.writers[model].add

    def flush(self) -> None:
        for writer in self.writers.values():
            writer.flush()

    def counts(self) -> dict[str, int]:
        return {m._meta.label: w.written + len(w.rows) for m, w in self.writers.items()}


def _constraints(cursor, table: str, kinds: str = "f") -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = ANY(%s) ORDER BY contype, conname",
        [table, list(kinds)],
    )
    return list(cursor.fetchall())


def _referenced(cursor, table: str) -> bool:
    """Whether a foreign key (of a table not being loaded) still points at ``table``."""
    cursor.execute("SELECT 1 FROM pg_constraint WHERE contype = 'f' AND confrelid = %s::regclass LIMIT 1", [table])
    return cursor.fetchone() is not None


def _plain_indexes(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisunique AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        """,
        [table],
    )
    return list(cursor.fetchall())


@contextmanager
def bulk_load(tables: Iterable[str]) -> Iterator[None]:
    """Drop the constraints and indexes of ``tables`` for the load and re-create them after (PostgreSQL).

    Foreign keys and plain indexes always; primary keys and unique constraints of the tables no
    remaining foreign key points at (building such an index once, sorted, is much cheaper than
    millions of inserts into it). Must run inside a transaction: an error rolls the dropped
    constraints back with the data. Elsewhere (SQLite) it does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = list(tables)
    saved_keys: list[tuple[str, str, str]] = []
    saved_foreign: list[tuple[str, str, str]] = []
    saved_indexes: list[str] = []
    with connection.cursor() as cursor:
        # Check what the transaction deferred so far: a table with pending checks cannot be altered.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute("SET LOCAL synchronous_commit = off")
        for table in tables:
            for name, definition in _constraints(cursor, table, "f"):
                saved_foreign.append((table, name, definition))
                cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for table in tables:
            if not _referenced(cursor, table):
                for name, definition in _constraints(cursor, table, "pu"):
                    saved_keys.append((table, name, definition))
                    cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
            for name, definition in _plain_indexes(cursor, table):
                saved_indexes.append(definition)
                cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        for table, name, definition in saved_keys:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        for definition in saved_indexes:
            cursor.execute(definition)
        for table, name, definition in saved_foreign:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # back to Django's INITIALLY DEFERRED
