"""A version token per chain that changes whenever something in the chain is written.

Caches of figures derived from a chain's data (its signals, its report aggregates) put the token in
their key, so a write anywhere in the chain makes the next read compute afresh instead of serving a
stale figure. The audit log bumps the token for every write action it records (every write on a
case is audited), after the transaction commits, so no reader caches a value from before the write
under the new token. The token lives in the cache (Redis in production: shared by every app server).
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

T = TypeVar("T")

# Entries computed from a chain's data are never served longer than this, even without a write:
# a safety net for changes that reach the database without the audit log (a migration, a restore).
MAX_AGE_SECONDS = 300


def _key(chain_id: Any) -> str:
    return f"chain-version:{chain_id}"


def current(chain_id: Any) -> str:
    """The chain's token; a new one when the cache holds none (after a restart or an eviction)."""
    return _tokens([_key(chain_id)])[0]


def _case_key(case_id: Any) -> str:
    return f"case-version:{case_id}"


def _chain_wide_key(chain_id: Any) -> str:
    return f"chain-wide-version:{chain_id}"


def bump(chain_id: Any, case_id: Any = None) -> None:
    """New tokens once the current transaction commits (at once outside one): the chain's, and the
    written case's, or, for a write on the chain as a whole (a meeting, a setting), the chain-wide one."""
    keys = [_key(chain_id), _case_key(case_id) if case_id is not None else _chain_wide_key(chain_id)]
    transaction.on_commit(lambda: cache.set_many({key: uuid.uuid4().hex for key in keys}, timeout=None))


def _tokens(keys: list[str]) -> list[str]:
    """The tokens under ``keys`` in one round trip; a new one where the cache holds none."""
    found = cache.get_many(keys)
    tokens = []
    for key in keys:
        token = found.get(key)
        if token is None:
            token = uuid.uuid4().hex
            if not cache.add(key, token, timeout=None):
                token = cache.get(key) or token
        tokens.append(token)
    return tokens


def chain_tokens(chain_ids: Iterable[Any]) -> list[str]:
    """The tokens of ``chain_ids``, in one round trip: what a list over those chains depends on."""
    return _tokens([_key(chain_id) for chain_id in sorted(set(chain_ids), key=str)])


def case_tokens(case_id: Any, chain_id: Any) -> list[str]:
    """What a page of one case depends on: writes on the case, and writes on its chain as a whole.

    Writes on the chain's other cases leave them alike: a case's page shows its own data.
    """
    return _tokens([_case_key(case_id), _chain_wide_key(chain_id)])


def cache_key(prefix: str, chain_id: Any, *parts: Any) -> str:
    """A cache key that is only valid as long as the chain's data has not changed."""
    return ":".join([prefix, str(chain_id), current(chain_id), *(str(p) for p in parts)])


def cached_query(prefix: str, chain_ids: Iterable[Any], queryset: QuerySet, compute: Callable[[QuerySet], T]) -> T:
    """``compute(queryset)`` from the cache while nothing in ``chain_ids`` was written since.

    ``queryset`` must read the data of those chains only (the access policy's scopes make it so).
    The key holds a digest of its SQL and parameters, so a different scope or filter (another
    user's policy, another day) is another entry, and each chain's token, read before the data is:
    a write that commits meanwhile leaves the result under a stale token. Never for a query with a
    search text in it: a digest of a name does not belong in a cache key either.
    """
    sql, params = queryset.query.sql_with_params()
    digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    return cached(":".join([prefix, digest, *chain_tokens(chain_ids)]), lambda: compute(queryset))


def cached(key: str, compute: Callable[[], T]) -> T:
    """The value under ``key``, or ``compute()`` stored there for at most ``MAX_AGE_SECONDS``."""
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, timeout=MAX_AGE_SECONDS)
    return found
