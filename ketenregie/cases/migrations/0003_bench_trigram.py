"""Trigram indexes for the case search on PostgreSQL (pg_trgm); nothing on other databases.

The case list searches with ``icontains`` (``UPPER(column) LIKE UPPER('%text%')``), which a btree
index cannot answer; a trigram index on the same expression can, for search texts of three letters
or more. SQLite keeps scanning, which is fast enough at its sizes. The model does not declare these
indexes because they exist on PostgreSQL only.
"""

from django.db import DatabaseError, migrations, transaction

INDEXES = {
    "youth_search_trgm": "cases_youth USING gin ((UPPER(search_name::text)) gin_trgm_ops)",
    "case_reference_trgm": "cases_case USING gin ((UPPER(reference::text)) gin_trgm_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:  # pg_trgm is a trusted extension, but a role may still lack the right
        print(f"\n  pg_trgm is not available ({exc}); the case search works without its indexes, more slowly.")
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_bench_indexes")]

    operations = [migrations.RunPython(create, drop)]
