"""Appending to the audit log. Call ``log`` inside the transaction of the change it records."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import transaction
from django.utils import timezone

from ketenregie.audit.actions import ACTIONS, chain_data_reads, changes_chain_data
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


def _payload(event: AuditEvent) -> dict:
    payload = {}
    for name in HASHED_FIELDS:
        value = getattr(event, name)
        if name == "occurred_at":
            value = value.astimezone(UTC).isoformat(timespec="microseconds")
        elif value is not None and not isinstance(value, (str, int, dict, list, bool)):
            value = str(value)
        payload[name] = value
    return payload


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def compute_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_dumps(_payload(event)).encode()).hexdigest()


# The two values only the database knows when it appends: the entry's number and its predecessor's hash.
_HOLES = ("id", "prev_hash")


def canonical_parts(event: AuditEvent) -> list[str]:
    """The hashed text of ``event`` cut where the values of ``_HOLES`` go, in that order.

    Joined with ``str(id)`` and the JSON string of ``prev_hash`` in between, the parts give exactly the
    text ``compute_hash`` hashes (the keys sorted, no spaces): so the database can hash an entry while
    appending it, and ``verify_chain`` checks it in Python.
    """
    payload = _payload(event)
    parts = []
    text = "{"
    for i, name in enumerate(sorted(payload)):
        text += ("," if i else "") + _dumps(name) + ":"
        if name in _HOLES:
            parts.append(text)
            text = ""
        else:
            text += _dumps(payload[name])
    parts.append(text + "}")
    return parts


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
    is_write = changes_chain_data(action)
    if chain_id is None and case_id is not None and is_write:
        # A write names its chain too: the caches that follow writes find it by the chain (cases_written).
        from ketenregie.cases.models import Case

        chain_id = Case.objects.with_scopes_disabled().filter(pk=case_id).values_list("chain_id", flat=True).first()
    fields = _actor_fields(actor)
    if username and not fields["actor_username"]:
        fields["actor_username"] = username[:150]
    event = AuditEvent(
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
        **fields,
    )
    _append(event)
    if is_write and chain_id is not None:
        from ketenregie.common import chain_version

        chain_version.bump(chain_id, case_id)
    return event


def _append(event: AuditEvent) -> None:
    """Number the entry, link it to the newest one and store it; the head row moves along.

    Inside the caller's transaction: the entry stands or falls with the change it records.
    """
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        if not _append_in_one_statement(event, connection):
            # `flush` (the test runner, a demo reset) empties every table, the head row included.
            # Recreated empty it only fits an empty log: with entries left the next id collides.
            AuditHead.objects.get_or_create(id=1)
            if not _append_in_one_statement(event, connection):
                raise RuntimeError("the audit head row is missing")
        return
    # No savepoint of its own, and no transaction beyond the caller's.
    with transaction.atomic(savepoint=False):
        # The head row exists from the first migration on; locking it orders concurrent appends.
        head = AuditHead.objects.select_for_update().filter(id=1).first()
        if head is None:
            AuditHead.objects.get_or_create(id=1)
            head = AuditHead.objects.select_for_update().get(id=1)
        event.id = head.last_id + 1
        event.prev_hash = head.last_hash
        event.hash = compute_hash(event)
        event.save(force_insert=True)
        head.last_id, head.last_hash, head.count = event.id, event.hash, head.count + 1
        head.save(update_fields=["last_id", "last_hash", "count"])


_APPEND_SQL: dict[str, tuple[str, list]] = {}


def _append_sql(connection: Any) -> tuple[str, list]:
    """The one statement that appends on PostgreSQL, and the fields whose values it takes in order.

    The head row is locked, the entry numbered, hashed (SHA-256 of ``canonical_parts`` around its
    number and its predecessor's hash, the text ``compute_hash`` hashes), inserted, and the head
    moved: one round trip, atomic by itself, so a read needs no BEGIN and COMMIT of its own.
    """
    if connection.vendor in _APPEND_SQL:
        return _APPEND_SQL[connection.vendor]
    quote = connection.ops.quote_name
    fields = {f.attname: f for f in AuditEvent._meta.concrete_fields}
    given = [f for name, f in fields.items() if name not in (*_HOLES, "hash")]
    columns = ", ".join(quote(f.column) for f in (*given, *(fields[n] for n in _HOLES)))
    # The column's type without its length (varchar, not varchar(150)): a longer value is refused, not cut.
    values = ", ".join(f"%s::{f.cast_db_type(connection)}" for f in given)  # type: ignore[attr-defined]
    head, events = quote(AuditHead._meta.db_table), quote(AuditEvent._meta.db_table)
    sql = (
        f"WITH head AS (SELECT last_id + 1 AS id, last_hash FROM {head} WHERE id = 1 FOR UPDATE), "  # noqa: S608 - names from the models, values as parameters
        f"entry AS (INSERT INTO {events} ({columns}, hash) "
        f"SELECT {values}, head.id, head.last_hash, encode(sha256(convert_to("
        "%s::text || head.id::text || %s::text || to_json(head.last_hash)::text || %s::text, 'UTF8')), 'hex') "
        "FROM head RETURNING id, prev_hash, hash) "
        f"UPDATE {head} SET last_id = entry.id, last_hash = entry.hash, count = count + 1 "
        f"FROM entry WHERE {head}.id = 1 RETURNING entry.id, entry.prev_hash, entry.hash"
    )
    _APPEND_SQL[connection.vendor] = sql, given
    return sql, given


def _append_in_one_statement(event: AuditEvent, connection: Any) -> bool:
    sql, given = _append_sql(connection)
    params = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in given]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *canonical_parts(event)])
        row = cursor.fetchone()
    if row is None:
        return False
    event.id, event.prev_hash, event.hash = row
    event._state.adding = False
    return True


def audit_position() -> int:
    """The number of the newest committed entry."""
    return AuditHead.objects.filter(id=1).values_list("last_id", flat=True).first() or 0


def cases_written(chain_id: Any, *, after: int, upto: int, at_most: int) -> list | None:
    """The cases of ``chain_id`` written by the entries after ``after`` up to ``upto``; None when one of
    those writes names the chain but no case (the chain as a whole changed) or more than ``at_most``
    cases were written. Reads are left out."""
    writes = AuditEvent.objects.filter(chain_id=chain_id, id__gt=after, id__lte=upto).exclude(chain_data_reads())
    found = list(writes.order_by().values_list("case_id", flat=True).distinct()[: at_most + 1])
    if None in found or len(found) > at_most:
        return None
    return found


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
