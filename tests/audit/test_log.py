"""The audit log (SECURITY.md AU1, AU5): every entry links to the one before; unknown codes are refused."""

import hashlib
import json
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ketenregie.audit.actions import ACTIONS, describe
from ketenregie.audit.domain import GENESIS, canonical_parts, compute_hash, log, verify_chain
from ketenregie.audit.models import AuditEvent, AuditHead


def test_entries_form_a_hash_chain(coordinator, chain):
    first = log("chain.changed", actor=coordinator, obj=chain, chain_id=chain.pk, details={"fields": ["name"]})
    second = log("access.denied", actor=None, result="denied", username="someone")
    third = log("audit.verified", actor=coordinator)

    entries = list(AuditEvent.objects.order_by("id"))
    assert [e.id for e in entries] == [first.id, second.id, third.id] == [1, 2, 3]
    assert entries[0].prev_hash == GENESIS
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert all(compute_hash(e) == e.hash for e in entries)
    head = AuditHead.objects.get(id=1)
    assert (head.last_id, head.last_hash, head.count) == (3, third.hash, 3)


def test_entry_records_who_what_and_on_which_object(ot_member, chain, police):
    event = log("chain.changed", actor=ot_member, obj=chain, chain_id=chain.pk, reason="test")

    event.refresh_from_db()
    assert event.actor_id == ot_member.pk
    assert event.actor_username == "ot-politie"
    assert event.actor_roles == "ot_member"
    assert event.actor_organisation == "Politiezone CARMA"
    assert (event.object_type, event.object_id, event.chain_id) == ("chains.chain", str(chain.pk), chain.pk)
    assert event.result == "ok"
    assert event.channel == "system"  # not inside a request
    assert event.occurred_at.utcoffset().total_seconds() == 0


def test_administrator_is_recorded_as_such(admin_user):
    assert log("audit.verified", actor=admin_user).actor_roles == "administrator"


def test_request_origin_is_recorded(client_for, coordinator):
    client = client_for(coordinator)
    client.post(reverse("accounts:logout"), REMOTE_ADDR="192.0.2.44")

    event = AuditEvent.objects.get(action="auth.logout")
    assert (event.origin_ip, event.channel) == ("192.0.2.44", "web")
    assert len(event.request_id) == 32


def test_unknown_action_codes_are_refused(coordinator):
    with pytest.raises(ValueError, match="unknown audit action 'case.teleported'"):
        log("case.teleported", actor=coordinator)

    assert not AuditEvent.objects.exists()
    assert AuditHead.objects.get(id=1).count == 0


def test_every_action_code_has_a_sentence():
    assert all(str(sentence) for sentence in ACTIONS.values())
    assert describe("auth.login") == str(ACTIONS["auth.login"])


def test_log_recreates_its_head_after_a_flush(coordinator):
    """``flush`` (the test runner's, a demo reset) also empties the head row the migration created."""
    AuditHead.objects.all().delete()

    event = log("audit.verified", actor=coordinator)

    assert (event.id, event.prev_hash) == (1, GENESIS)
    assert AuditHead.objects.get(id=1).last_hash == event.hash


def test_audit_table_is_append_only_on_postgresql(coordinator):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only; SQLite relies on the hash chain")
    from django.db import DatabaseError, transaction

    event = log("audit.verified", actor=coordinator)
    for statement in (
        "UPDATE audit_auditevent SET reason = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.id])
    assert AuditEvent.objects.get(id=event.id).reason == ""


HOSTILE_DETAILS = {
    "reason": 'quote " back\\slash \u00e9 \u2028 \U0001f600 \x01',
    "nested": {"b": [1, 2.5, None], "a": True},
}


def test_the_hashed_text_cut_around_number_and_predecessor_joins_back_whole():
    """The database hashes ``canonical_parts`` around the two values it knows: the same text as ``compute_hash``."""
    event = AuditEvent(
        id=4711,
        occurred_at=timezone.now(),
        actor_username="ren\u00e9e",
        action="case.viewed",
        reason='"}, "id": 1',
        details=HOSTILE_DETAILS,
        prev_hash="ab" * 32,
    )
    first, middle, last = canonical_parts(event)

    text = first + str(event.id) + middle + json.dumps(event.prev_hash) + last
    assert hashlib.sha256(text.encode()).hexdigest() == compute_hash(event)


def test_hostile_values_hash_alike_in_the_database_and_in_python(coordinator, chain):
    """On PostgreSQL the database computes the hash while appending; ``verify_audit`` recomputes it in Python."""
    entries = [
        log("chain.changed", actor=coordinator, obj=chain, chain_id=chain.pk, details=HOSTILE_DETAILS),
        log("access.denied", actor=None, result="denied", username="\u00e9\U0001f600'; --", reason="x" * 5000),
        log("case.listed", actor=coordinator, details={}),
    ]

    stored = list(AuditEvent.objects.order_by("id"))
    assert [(e.id, e.prev_hash, e.hash) for e in stored] == [(e.id, e.prev_hash, e.hash) for e in entries]
    assert all(compute_hash(e) == e.hash for e in stored)
    assert verify_chain().ok


def test_a_read_is_recorded_in_one_statement_on_postgresql(coordinator):
    """No BEGIN, head lock, insert, head update and COMMIT apart: one round trip of its own."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite appends in its own transaction, statement by statement")
    with CaptureQueriesContext(connection) as captured:
        log("case.listed", actor=coordinator, details={"count": 1})
    appends = [q["sql"] for q in captured if "audit_auditevent" in q["sql"]]
    assert len(appends) == 1 and appends[0].startswith("WITH head AS")
    assert not [q for q in captured if q["sql"] in ("BEGIN", "COMMIT")]


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_form_one_unbroken_chain(coordinator):
    """Appends from several connections at once: each waits for the head row, none forks the chain."""
    if connection.vendor != "postgresql":
        pytest.skip("the SQLite test database lives in memory: its threads share one connection")
    per_thread, threads, errors = 25, 4, []

    def append_many():
        try:
            for _ in range(per_thread):
                log("case.listed", actor=coordinator, details={"count": 0})
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=append_many) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert AuditEvent.objects.count() == per_thread * threads
    assert AuditHead.objects.get(id=1).count == per_thread * threads
    assert verify_chain().ok
