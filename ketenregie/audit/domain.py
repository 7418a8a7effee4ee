"""Appending to the audit log. Call ``log`` inside the transaction of the change it records."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketenregie.audit.actions import ACTIONS, changes_chain_data
from ketenregie.audit.models import AuditEvent, AuditHead
from ketenregie.common import request_context

GENESIS = "0" * 64

# Fields covered by the hash, in a fixed order. Changing this list invalidates old chains.
HASHED_FIELDS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_roles",
    "actor_organisation",
    "action",
    "result",
    "object_type",
    "object_id",
    "chain_id",
    "case_id",
    "request_id",
    "origin_ip",
    "channel",
    "reason",
    "details",
    "prev_hash",
)


def compute_hash(event: AuditEvent) -> str:
    payload = {}
    for name in HASHED_FIELDS:
        value = getattr(event, name)
        if name == "occurred_at":
            value = value.astimezone(UTC).isoformat(timespec="microseconds")
        elif value is not None and not isinstance(value, (str, int, dict, list, bool)):
            value = str(value)
        payload[name] = value
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _actor_fields(actor: Any) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_username": "", "actor_roles": "", "actor_organisation": ""}
    from ketenregie.accounts.queries import memberships_of

    memberships = memberships_of(actor)
    roles = sorted({m.role for m in memberships} | ({"administrator"} if actor.is_staff else set()))
    organisations = sorted({m.organisation.name for m in memberships if m.organisation_id})
    return {
        "actor_id": actor.pk,
        "actor_username": actor.get_username(),
        "actor_roles": ",".join(roles)[:300],
        "actor_organisation": ", ".join(organisations)[:150],
    }


def log(
    action: str,
    *,
    actor: Any,
    obj: Any = None,
    object_type: str = "",
    object_id: str = "",
    chain_id: Any = None,
    case_id: Any = None,
    result: str = "ok",
    reason: str = "",
    details: dict | None = None,
    username: str = "",
) -> AuditEvent:
    """Append one entry. ``details`` must hold identifiers and codes only, never case content."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to audit/actions.py")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    ctx = request_context.current.get()
    fields = _actor_fields(actor)
    if username and not fields["actor_username"]:
        fields["actor_username"] = username[:150]
    # Inside the caller's transaction no savepoint of its own: the entry stands or falls with the
    # change it records (and costs two statements less).
    with transaction.atomic(savepoint=False):
        # The head row exists from the first migration on; locking it orders concurrent appends.
        head = AuditHead.objects.select_for_update().filter(id=1).first()
        if head is None:
            # `flush` (the test runner, a demo reset) empties every table, the head row included.
            # Recreated empty it only fits an empty log: with entries left the next id collides.
            AuditHead.objects.get_or_create(id=1)
            head = AuditHead.objects.select_for_update().get(id=1)
        event = AuditEvent(
            id=head.last_id + 1,
            occurred_at=timezone.now(),
            action=action,
            result=result,
            object_type=object_type,
            object_id=str(object_id or ""),
            chain_id=chain_id,
            case_id=case_id,
            request_id=ctx.request_id,
            origin_ip=ctx.origin_ip,
            channel=ctx.channel,
            reason=reason,
            details=json.loads(json.dumps(details or {}, default=str)),
            prev_hash=head.last_hash,
            **fields,
        )
        event.hash = compute_hash(event)
        head.last_id = event.id
        head.last_hash = event.hash
        head.count = head.count + 1
        _append(event, head)
    if changes_chain_data(action) and (chain_id is not None or case_id is not None):
        _bump_chain_version(chain_id, case_id)
    return event


def _append(event: AuditEvent, head: AuditHead) -> None:
    """Insert the entry and move the head. On PostgreSQL in one statement (a data-modifying WITH)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        event.save(force_insert=True)
        head.save(update_fields=["last_id", "last_hash", "count"])
        return
    from django.db.models.sql import InsertQuery

    query = InsertQuery(AuditEvent)
    query.insert_values(AuditEvent._meta.concrete_fields, [event])
    ((insert_sql, insert_params),) = query.get_compiler(connection=connection).as_sql()
    table = connection.ops.quote_name(AuditHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH appended AS ({insert_sql}) "  # noqa: S608 - table name and compiled INSERT, values as parameters
            f"UPDATE {table} SET last_id = %s, last_hash = %s, count = %s WHERE id = %s",
            [*insert_params, head.last_id, head.last_hash, head.count, head.pk],
        )
    event._state.adding = False


def _bump_chain_version(chain_id: Any, case_id: Any) -> None:
    from ketenregie.common import chain_version

    if chain_id is None:
        from ketenregie.cases.models import Case

        chain_id = Case.objects.with_scopes_disabled().filter(pk=case_id).values_list("chain_id", flat=True).first()
    if chain_id is not None:
        chain_version.bump(chain_id)


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    problem: str = ""


def verify_chain(batch_size: int = 2000) -> VerifyResult:
    """Recompute every hash and link; report the first entry that was altered or removed."""
    head = AuditHead.objects.filter(id=1).first()
    previous_hash = GENESIS
    expected_id = 1
    checked = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for event in batch:
            if event.id != expected_id:
                return VerifyResult(False, checked, expected_id, f"entry {expected_id} is missing")
            if event.prev_hash != previous_hash:
                return VerifyResult(False, checked, event.id, f"entry {event.id} does not link to its predecessor")
            if compute_hash(event) != event.hash:
                return VerifyResult(False, checked, event.id, f"entry {event.id} was altered")
            previous_hash = event.hash
            expected_id += 1
            checked += 1
            last_id = event.id
    if head is not None and (head.last_id != last_id or head.last_hash != previous_hash):
        return VerifyResult(False, checked, last_id + 1, f"entries after {last_id} were removed")
    return VerifyResult(True, checked)
