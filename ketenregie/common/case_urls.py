"""URLs of a case's pages for lists of many cases, resolved once per list instead of once per case."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, reverse

_ANY_CASE = "00000000-0000-0000-0000-000000000000"


@lru_cache(maxsize=16)
def _case_url_pattern(viewname: str, script_prefix: str) -> str:
    return reverse(viewname, kwargs={"case_id": _ANY_CASE})


def case_url(viewname: str, case_id: Any) -> str:
    """The URL of a case's page ``viewname``, as ``reverse(viewname, kwargs={"case_id": case_id})``.

    The pattern is resolved once (per script prefix, which reverse() puts in front) and the case's id
    put in: a signal list or a page of the case list holds hundreds of links.
    """
    return _case_url_pattern(viewname, get_script_prefix()).replace(_ANY_CASE, str(case_id))
