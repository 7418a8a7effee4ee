"""The data inventory (SECURITY.md L4) covers every field of every installed model."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from ketenregie.common.fields import EncryptedJSONField, EncryptedTextField
from ketenregie.privacy import inventory
from ketenregie.privacy.registry import case_sections


def _models():
    return [m for m in apps.get_models() if not m._meta.auto_created]


def test_every_field_of_every_model_is_mapped_declared_not_personal_or_technical():
    unmapped = {inventory.model_key(m): inventory.unmapped(m) for m in _models()}
    unmapped = {key: names for key, names in unmapped.items() if names}

    checked = sum(len(inventory.fields_to_check(m)) for m in _models())
    print(f"data inventory: {len(_models())} models, {checked} fields checked")
    assert unmapped == {}, (
        "fields missing from the data inventory (ketenregie/privacy/inventory.py): map each to its purpose, "
        f"category and retention, or declare it not personal: {unmapped}"
    )


def test_the_inventory_names_only_fields_that_exist():
    existing = {inventory.model_key(m): {f.name for f in inventory.fields_to_check(m)} for m in _models()}
    stale = []
    for table in (inventory.PERSONAL, inventory.NOT_PERSONAL):
        for key, names in table.items():
            if key not in existing:
                continue  # an optional app that is not installed here
            stale += [f"{key}.{n}" for n in names if n not in existing[key]]
    assert stale == []


def test_no_field_is_both_personal_and_not_personal():
    both = [
        f"{key}.{name}"
        for key, names in inventory.NOT_PERSONAL.items()
        for name in names
        if name in inventory.PERSONAL.get(key, {})
    ]
    assert both == []


def test_every_entry_names_a_known_purpose_category_subject_and_rule():
    for key, fields in inventory.PERSONAL.items():
        for name, entry in fields.items():
            where = f"{key}.{name}"
            assert entry.purpose in inventory.PURPOSES, where
            assert entry.subject in inventory.SUBJECTS, where
            assert entry.retention in inventory.RETENTION_RULES, where
            assert entry.categories and set(entry.categories) <= set(inventory.CATEGORIES), where


def test_case_data_says_what_retention_does_and_nothing_else_does():
    case_models = {s.model_label for s in case_sections()} | {"cases.Case", "cases.Youth", "cases.Consult"}
    for key, fields in inventory.PERSONAL.items():
        for name, entry in fields.items():
            if key in case_models:
                assert entry.on_retention in inventory.ACTIONS, f"{key}.{name}: say what retention does to it"
            elif entry.retention in (inventory.ACCOUNT, inventory.SESSION, inventory.LOCKOUT, inventory.AUDIT):
                assert entry.on_retention == "", f"{key}.{name} lies outside a case: retention does not touch it"


def test_retention_actions_fit_the_field_types():
    for model in _models():
        for name, action in inventory.retention_actions(model).items():
            field = model._meta.get_field(name)
            where = f"{inventory.model_key(model)}.{name}"
            if action == inventory.CLEAR:
                assert isinstance(field, (models.CharField, models.TextField, models.JSONField)), where
                assert not field.null or isinstance(field, EncryptedJSONField), where
            elif action == inventory.YEAR:
                assert isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField), where
            elif action == inventory.PSEUDONYM:
                assert isinstance(field, models.CharField) and field.max_length >= 9, where
            elif action == inventory.FILE:
                assert isinstance(field, models.FileField), where


def test_every_encrypted_free_text_goes_at_retention():
    """Sensitive free text (DP1) is never a reporting figure: it is removed when the case is pseudonymised."""
    kept = []
    for model in _models():
        for field in model._meta.get_fields():
            if isinstance(field, (EncryptedTextField, EncryptedJSONField)):
                entry = inventory.entry(model, field.name)
                if entry is None:
                    kept.append(f"{inventory.model_key(model)}.{field.name}: not in the inventory")
                elif (
                    entry.on_retention not in (inventory.CLEAR, inventory.PSEUDONYM)
                    and entry.retention != inventory.AUDIT
                ):
                    kept.append(f"{inventory.model_key(model)}.{field.name}: {entry.on_retention or 'kept'}")
    assert kept == []


def test_health_and_offence_data_is_marked_where_it_is_obvious():
    assert inventory.HEALTH in inventory.entry(apps.get_model("cases.Intake"), "domains").categories
    assert inventory.OFFENCES in inventory.entry(apps.get_model("cases.Offence"), "description").categories
    assert inventory.OFFENCES in inventory.entry(apps.get_model("cases.Offence"), "offence_type").categories
    assert inventory.entry(apps.get_model("cases.Youth"), "first_name").categories == (inventory.ORDINARY,)
