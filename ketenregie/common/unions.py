"""One part of a UNION of several tables, in columns they all answer in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Field, QuerySet, Value
from django.db.models.functions import Cast


def union_part(qs: QuerySet, order: Sequence[str], empty: Mapping[str, Field], **columns: Any) -> QuerySet:
    """``qs`` as one part of a UNION: the values of ``columns`` in the column ``order`` of every part.

    A column this part has not is a NULL of the type ``empty`` gives it: a UNION converts each column
    as its first part says, and PostgreSQL takes an untyped NULL for text.
    """
    return qs.order_by().values_list(
        *(columns[name] if name in columns else Cast(Value(None), empty[name]) for name in order)
    )
