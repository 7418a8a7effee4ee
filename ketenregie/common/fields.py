"""Encrypted model fields for sensitive free text (SECURITY.md DP1).

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256, authenticated) under the keys in
``KETENREGIE_FIELD_KEYS`` (newest first; older keys still decrypt, which makes rotation possible).
Demo and test derive a key from SECRET_KEY; production refuses to start without real keys.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "enc1:"


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if not keys:
        derived = base64.urlsafe_b64encode(hashlib.sha256(("field-key:" + secret_key).encode()).digest())
        keys = (derived.decode(),)
    return MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.KETENREGIE_FIELD_KEYS), settings.SECRET_KEY)


def encrypt(text: str) -> str:
    return PREFIX + fernet().encrypt(text.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # written before encryption was switched on
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt a field: is KETENREGIE_FIELD_KEYS complete?") from exc


def rotate(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return encrypt(stored) if stored else stored
    return PREFIX + fernet().rotate(stored[len(PREFIX) :].encode()).decode()


class EncryptedTextField(models.TextField):
    """Free text that never reaches the database in plaintext. Not searchable by design."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


class EncryptedJSONField(models.TextField):
    """A JSON document (e.g. intake answers per life domain) stored encrypted."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", dict)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return {}
        return json.loads(decrypt(value))

    def to_python(self, value: Any):
        if isinstance(value, (dict, list)) or value is None:
            return value
        try:
            return json.loads(value)
        except (TypeError, ValueError):
            return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj))


def encrypt_existing(model_label: str, *field_names: str):
    """A migration step that encrypts the plaintext rows of fields turned into EncryptedTextField."""

    def forwards(apps, schema_editor):
        model = apps.get_model(model_label)
        for name in field_names:
            rows = model._base_manager.exclude(**{name: ""}).exclude(**{f"{name}__startswith": PREFIX})
            for pk, value in rows.values_list("pk", name).iterator():
                # from_db_value passed the plaintext through; update() encrypts it on the way in.
                model._base_manager.filter(pk=pk).update(**{name: value})

    return forwards
