"""Send report reads to a PostgreSQL streaming replica when one is configured.

With ``DATABASE_REPLICA_URL`` set, the settings add a ``replica`` database and this router. Reads of
the models of the apps in ``REPLICA_APPS`` (the reports) go to the replica, and so does every read
inside ``reading_from_replica()`` (for report queries over other apps' tables). Everything else,
every write and every read inside a transaction on the primary go to ``default``, so a request
always sees its own writes. Nothing is ever migrated on the replica: it follows the primary.

A replica lags the primary by its replication delay (usually well under a second), so a report may
miss the very latest changes. Without a replica the router is not installed and nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

DEFAULT = "default"
REPLICA = "replica"
REPLICA_APPS = frozenset({"reports"})

_all_reads_to_replica: ContextVar[bool] = ContextVar("ketenregie_reads_to_replica", default=False)


@contextmanager
def reading_from_replica() -> Iterator[None]:
    """Route every read in the block to the replica (read-only report queries only)."""
    token = _all_reads_to_replica.set(True)
    try:
        yield
    finally:
        _all_reads_to_replica.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not replica_configured():
            return None
        if connections[DEFAULT].in_atomic_block:
            return DEFAULT  # read your own writes inside a transaction
        if model._meta.app_label in REPLICA_APPS or _all_reads_to_replica.get():
            return REPLICA
        return DEFAULT

    def db_for_write(self, model, **hints):
        # Explicit: without it Django would write an object back where it was read from (the replica).
        return DEFAULT

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == REPLICA:
            return False
        return None
