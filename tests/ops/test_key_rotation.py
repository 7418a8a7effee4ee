"""``ketenregie rotate_field_keys``: every encrypted value ends up under the newest key, nothing is lost."""

from __future__ import annotations

import base64
import hashlib
import json
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection

from ketenregie.audit.models import AuditEvent
from ketenregie.cases.models import Case, Intake
from ketenregie.common import key_rotation
from ketenregie.common.fields import PREFIX
from ketenregie.plans.models import PlanVersion
from tests.plans.fixtures import *  # noqa: F403 - the active case and its cast, made by the domain


def derived_key() -> str:
    """The key demo and test mode derive from SECRET_KEY when KETENREGIE_FIELD_KEYS is empty (fields.py)."""
    return base64.urlsafe_b64encode(
        hashlib.sha256(("field-key:" + django_settings.SECRET_KEY).encode()).digest()
    ).decode()


def raw(model, pk, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(model._meta.db_table)} "
            f"WHERE {connection.ops.quote_name(model._meta.pk.column)} = %s",
            [model._meta.pk.get_db_prep_value(pk, connection)],
        )
        return cursor.fetchone()[0]


def run(*args: str) -> str:
    out = StringIO()
    call_command("rotate_field_keys", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def new_key() -> str:
    return Fernet.generate_key().decode()


def test_rotation_moves_every_value_to_the_newest_key(case, settings, new_key):
    concerns, multi_problem = case.concerns, case.multi_problem
    intake_words = Intake.objects.get(case=case).youth_words
    versions = {v.pk: v.snapshot for v in PlanVersion.objects.all()}
    settings.KETENREGIE_FIELD_KEYS = [new_key, derived_key()]  # the new key in front, the old one after it

    with pytest.raises(CommandError, match=r"encrypted values are not under the newest key yet"):
        run("--check")
    output = run("--batch-size", "2")  # several batches per table
    assert "Re-encrypted" in output
    assert run("--check").startswith("All ")
    assert "Re-encrypted 0 of" in run()  # a second run has nothing left to do
    rotations = list(AuditEvent.objects.filter(action="keys.rotated").order_by("id"))
    assert len(rotations) == 2, "each real run is audited; --check is not"
    assert rotations[0].details["rotated"] > 0 and rotations[1].details["rotated"] == 0
    assert new_key not in json.dumps(rotations[0].details) and rotations[0].actor_username == "rotate_field_keys"

    settings.KETENREGIE_FIELD_KEYS = [new_key]  # the old key is gone: everything still reads
    stored = raw(Case, case.pk, "multi_problem")
    assert stored.startswith(PREFIX)
    assert Fernet(new_key.encode()).decrypt(stored[len(PREFIX) :].encode()).decode() == multi_problem
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.concerns, fresh.multi_problem) == (concerns, multi_problem)
    assert Intake.objects.get(case=case).youth_words == intake_words
    assert {v.pk: v.snapshot for v in PlanVersion.objects.all()} == versions


def test_plaintext_from_before_encryption_is_encrypted(case, settings, new_key):
    settings.KETENREGIE_FIELD_KEYS = [new_key, derived_key()]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_case SET multi_problem = %s WHERE id = %s",
            ["Nog in klare tekst.", Case._meta.pk.get_db_prep_value(case.pk, connection)],
        )

    run()

    assert raw(Case, case.pk, "multi_problem").startswith(PREFIX)
    assert Case.objects.get(pk=case.pk).multi_problem == "Nog in klare tekst."


def test_a_value_changed_meanwhile_is_not_overwritten(case, settings, new_key, monkeypatch):
    settings.KETENREGIE_FIELD_KEYS = [new_key, derived_key()]
    target = raw(Case, case.pk, "multi_problem")
    original = key_rotation._rotated

    def edit_then_rotate(value, primary):
        if value == target:  # the application saves this very value while the rotation holds it
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE cases_case SET multi_problem = %s WHERE multi_problem = %s",
                    [PREFIX + Fernet(new_key.encode()).encrypt(b"Net bewerkt.").decode(), value],
                )
        return original(value, primary)

    monkeypatch.setattr(key_rotation, "_rotated", edit_then_rotate)
    result = key_rotation.rotate_field_keys()

    assert result.changed_meanwhile == 1
    assert Case.objects.get(pk=case.pk).multi_problem == "Net bewerkt."


def test_a_missing_old_key_is_named(case, settings, new_key):
    settings.KETENREGIE_FIELD_KEYS = [new_key]  # the old key was removed too early

    with pytest.raises(CommandError, match=r"cannot be decrypted with any key in KETENREGIE_FIELD_KEYS"):
        run()

    settings.KETENREGIE_FIELD_KEYS = []
    assert Case.objects.get(pk=case.pk).multi_problem  # still readable under the old key


def test_without_keys_there_is_nothing_to_rotate_to(settings, db):
    settings.KETENREGIE_FIELD_KEYS = []
    with pytest.raises(CommandError, match="KETENREGIE_FIELD_KEYS is not set"):
        run()


def test_every_encrypted_field_is_covered():
    columns = {(m._meta.db_table, f.column) for m, fields in key_rotation.encrypted_columns() for f in fields}
    assert ("cases_case", "multi_problem") in columns
    assert ("plans_planversion", "snapshot") in columns
    assert ("cases_intake", "youth_words") in columns


def test_the_migration_step_encrypts_free_text_written_before_encryption(case):
    """Fields that became EncryptedTextField later (cases 0004, consent 0003, followup 0003)."""
    from django.apps import apps

    from ketenregie.common.fields import encrypt_existing

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Case._meta.db_table} SET eligibility_override_reason = %s WHERE id = %s",
            ["Sterke band met de wijk, toch opnemen.", Case._meta.pk.get_db_prep_value(case.pk, connection)],
        )
    assert raw(Case, case.pk, "eligibility_override_reason") == "Sterke band met de wijk, toch opnemen."
    assert Case.objects.get(pk=case.pk).eligibility_override_reason == "Sterke band met de wijk, toch opnemen."

    encrypt_existing("cases.Case", "eligibility_override_reason")(apps, None)

    assert raw(Case, case.pk, "eligibility_override_reason").startswith(PREFIX)
    assert Case.objects.get(pk=case.pk).eligibility_override_reason == "Sterke band met de wijk, toch opnemen."
