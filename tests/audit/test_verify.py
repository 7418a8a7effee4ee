"""``verify_audit`` finds an altered or removed entry and names it (SECURITY.md AU5)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from ketenregie.audit.domain import log, verify_chain
from ketenregie.audit.models import AuditEvent


@pytest.fixture
def five_entries(coordinator, chain):
    return [log("chain.changed", actor=coordinator, obj=chain, chain_id=chain.pk, details={"n": n}) for n in range(5)]


def tamper(sql: str, params=()) -> None:
    """Change the log behind the application's back, as someone with database access could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The trigger refuses this; an attacker with enough rights switches it off first.
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_append_only")


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def test_intact_log_passes(five_entries):
    assert "5 entries verified" in verify()


def test_empty_log_passes(db):
    assert "0 entries verified" in verify()


@pytest.mark.parametrize(
    ("column", "value"),
    [("reason", "nothing to see"), ("actor_username", "someone-else"), ("action", "auth.login"), ("details", "{}")],
)
def test_altered_entry_is_named(five_entries, column, value):
    tamper(f"UPDATE audit_auditevent SET {column} = %s WHERE id = 3", [value])  # noqa: S608 — fixed column names

    with pytest.raises(CommandError, match=r"entry 3 was altered \(first bad entry: 3\)"):
        verify()


def test_entry_rewritten_with_a_matching_hash_breaks_the_next_link(five_entries):
    from ketenregie.audit.domain import compute_hash

    forged = AuditEvent.objects.get(id=2)
    forged.reason = "rewritten"
    forged.hash = compute_hash(forged)
    tamper("UPDATE audit_auditevent SET reason = %s, hash = %s WHERE id = 2", [forged.reason, forged.hash])

    with pytest.raises(CommandError, match="entry 3 does not link to its predecessor"):
        verify()


def test_removed_middle_entry_is_named(five_entries):
    tamper("DELETE FROM audit_auditevent WHERE id = 3")

    with pytest.raises(CommandError, match=r"entry 3 is missing \(first bad entry: 3\)"):
        verify()


def test_removed_last_entry_is_detected(five_entries):
    tamper("DELETE FROM audit_auditevent WHERE id = 5")

    with pytest.raises(CommandError, match=r"entries after 4 were removed \(first bad entry: 5\)"):
        verify()


def test_removed_first_entry_is_named(five_entries):
    tamper("DELETE FROM audit_auditevent WHERE id = 1")

    result = verify_chain()
    assert (result.ok, result.first_bad_id) == (False, 1)


def test_verify_checks_across_batches(coordinator):
    for _ in range(7):
        log("audit.verified", actor=coordinator)
    assert verify_chain(batch_size=2).checked == 7

    tamper("UPDATE audit_auditevent SET reason = 'x' WHERE id = 6")

    result = verify_chain(batch_size=2)
    assert (result.ok, result.checked, result.first_bad_id) == (False, 5, 6)
