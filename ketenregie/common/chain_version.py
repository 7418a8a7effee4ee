"""A version token per chain that changes whenever something in the chain is written.

Caches of figures derived from a chain's data (its signals, its report aggregates) put the token in
their key, so a write anywhere in the chain makes the next read compute afresh instead of serving a
stale figure. The audit log bumps the token for every write action it records (every write on a
case is audited), after the transaction commits, so no reader caches a value from before the write
under the new token. The token lives in the cache (Redis in production: shared by every app server).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache
from django.db import transaction

# Entries computed from a chain's data are never served longer than this, even without a write:
# a safety net for changes that reach the database without the audit log (a migration, a restore).
MAX_AGE_SECONDS = 300


def _key(chain_id: Any) -> str:
    return f"chain-version:{chain_id}"


def current(chain_id: Any) -> str:
    """The chain's token; a new one when the cache holds none (after a restart or an eviction)."""
    token = cache.get(_key(chain_id))
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(_key(chain_id), token, timeout=None):
            token = cache.get(_key(chain_id)) or token
    return token


def bump(chain_id: Any) -> None:
    """Give the chain a new token once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: cache.set(_key(chain_id), uuid.uuid4().hex, timeout=None))


def cache_key(prefix: str, chain_id: Any, *parts: Any) -> str:
    """A cache key that is only valid as long as the chain's data has not changed."""
    return ":".join([prefix, str(chain_id), current(chain_id), *(str(p) for p in parts)])
