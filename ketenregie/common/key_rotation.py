"""Re-encrypt every encrypted field under the newest key of ``KETENREGIE_FIELD_KEYS``.

The keys are listed newest first; every key decrypts, only the first encrypts (see fields.py). After a
new key was put in front on every application server, ``ketenregie rotate_field_keys`` rewrites each
value that is not yet under that key (and encrypts any plaintext left from before encryption), in
batches of short transactions, while the application keeps running: a value is only replaced if it
did not change in the meantime, so a concurrent edit is never overwritten. When a run reports
nothing left to rotate, the old key can be removed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.apps import apps
from django.conf import settings
from django.db import connections, models, transaction

from ketenregie.common import fields as encrypted


class RotationError(Exception):
    pass


@dataclass
class RotationResult:
    checked: int = 0
    rotated: int = 0
    changed_meanwhile: int = 0
    per_column: dict[str, int] = field(default_factory=dict)

    @property
    def to_rotate(self) -> int:
        return sum(self.per_column.values())


def encrypted_columns() -> Iterator[tuple[type[models.Model], list[Any]]]:
    """Every concrete model with its encrypted fields."""
    kinds = (encrypted.EncryptedTextField, encrypted.EncryptedJSONField)
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        found = [f for f in meta.concrete_fields if isinstance(f, kinds)]
        if found:
            yield model, found


def _primary_key() -> Fernet:
    keys = settings.KETENREGIE_FIELD_KEYS
    if not keys:
        raise RotationError(
            "KETENREGIE_FIELD_KEYS is not set: there is no key to rotate to. Put the new key first, the old ones "
            "after it (`ketenregie generate_field_key`)."
        )
    return Fernet(keys[0].encode())


def _rotated(value: str, primary: Fernet) -> str | None:
    """The value under the newest key, or None when it already is."""
    if not value.startswith(encrypted.PREFIX):
        return encrypted.encrypt(value)  # plaintext from before encryption was switched on
    token = value[len(encrypted.PREFIX) :].encode()
    try:
        primary.decrypt(token)
        return None
    except InvalidToken:
        pass
    return encrypted.rotate(value)


def rotate_field_keys(
    *, using: str = "default", batch_size: int = 500, dry_run: bool = False, log: Callable[[str], None] | None = None
) -> RotationResult:
    say = log or (lambda message: None)
    primary = _primary_key()
    connection = connections[using]
    quote = connection.ops.quote_name
    result = RotationResult()
    for model, model_fields in encrypted_columns():
        table = model._meta.db_table
        pk = model._meta.pk.column
        columns = [f.column for f in model_fields]
        select = f"SELECT {quote(pk)}, {', '.join(quote(c) for c in columns)} FROM {quote(table)}"  # noqa: S608
        last = None
        before = result.to_rotate
        while True:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                if last is None:
                    cursor.execute(f"{select} ORDER BY {quote(pk)} LIMIT %s", [batch_size])
                else:
                    cursor.execute(f"{select} WHERE {quote(pk)} > %s ORDER BY {quote(pk)} LIMIT %s", [last, batch_size])
                rows = cursor.fetchall()
                for row in rows:
                    for column, value in zip(columns, row[1:], strict=True):
                        if not value:
                            continue
                        result.checked += 1
                        try:
                            new = _rotated(value, primary)
                        except (InvalidToken, ValueError) as exc:
                            raise RotationError(
                                f"{table}.{column} of row {row[0]} cannot be decrypted with any key in "
                                "KETENREGIE_FIELD_KEYS: add the missing old key (after the new one) and run again."
                            ) from exc
                        if new is None:
                            continue
                        name = f"{table}.{column}"
                        result.per_column[name] = result.per_column.get(name, 0) + 1
                        if dry_run:
                            continue
                        # Compare and set: a value the application changed meanwhile stays as it is now.
                        cursor.execute(
                            f"UPDATE {quote(table)} SET {quote(column)} = %s "  # noqa: S608
                            f"WHERE {quote(pk)} = %s AND {quote(column)} = %s",
                            [new, row[0], value],
                        )
                        if cursor.rowcount == 1:
                            result.rotated += 1
                        else:
                            result.changed_meanwhile += 1
            if len(rows) < batch_size:
                break
            last = rows[-1][0]
        if result.to_rotate > before:
            verb = "to re-encrypt" if dry_run else "re-encrypted"
            say(f"{table}: {result.to_rotate - before} values {verb}")
    return result
