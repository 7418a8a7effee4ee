"""A page's main part rendered once and served from the cache until the data it shows is written.

The main part of a case page, a plan, the case list or the start page costs more to read and render
than everything else a request does. It is kept under a key that holds:

- the version tokens of the data it shows (``ketenregie.common.chain_version``): a case's own token
  and its chain's chain-wide one, or the tokens of every chain a list reads; a write that the audit
  log records gives new tokens, so the next request renders afresh;
- who reads it: the account, every role it holds, and what the policy decided for it on this request
  (``varies_on``). The policy and the audit log still run on every request; only the rendering of
  what they allowed is kept;
- the language, the day, and the version of the code (templates, modules, translations).

A part is served at most ``chain_version.MAX_AGE_SECONDS`` after it was rendered, for what changes
without the audit log (a person's name in the admin, the clock for a meeting that just began).

What is kept is page text with sensitive content in it, so it is encrypted with the field keys
before it reaches the cache (SECURITY.md DP1). The CSRF token is never kept: the part is rendered
with a random stand-in that each request replaces by its own token.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import uuid
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from ketenregie.accounts.queries import memberships_of
from ketenregie.common import chain_version, fields

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Fragment:
    html: SafeString
    # Values the view needs beside the text, kept with it (e.g. how many cases a list showed, for the audit log).
    facts: dict = field(default_factory=dict)


def render(
    request: HttpRequest,
    template_name: str,
    context: Callable[[], dict],
    *,
    versions: Sequence[str],
    varies_on: Sequence[Any] = (),
    facts: Callable[[dict], dict] | None = None,
    keep: bool = True,
) -> Fragment:
    """``template_name`` rendered with ``context()``, or the text kept from an earlier request.

    ``context`` is only called when nothing is kept: it does the reading the cache saves.
    ``facts(context)`` picks what the view needs from a fresh context, and is kept with the text.
    ``keep=False`` renders without the cache (a page of search results).
    """
    if not (keep and settings.KETENREGIE_FRAGMENT_CACHE):
        values = context()
        return Fragment(render_to_string(template_name, values, request), facts(values) if facts else {})
    key = _key(request, template_name, versions, varies_on)
    kept = _open(cache.get(key))
    if kept is None:
        values = context()
        stand_in = secrets.token_hex(16)
        html = render_to_string(template_name, {**values, "csrf_token": stand_in}, request)
        kept = (stand_in, facts(values) if facts else {}, html)
        try:
            cache.set(key, _seal(kept), timeout=chain_version.MAX_AGE_SECONDS)
        except Exception:  # a full or unreachable cache costs the next request a rendering, not this page
            logger.warning("a page part could not be kept in the cache", exc_info=True)
    stand_in, found, html = kept
    # The template engine escaped the text when it was rendered; a token is letters and digits.
    return Fragment(mark_safe(html.replace(stand_in, get_token(request))), found)  # noqa: S308


# What a key may be made of: values whose repr() is the same in every process and request.
_PLAIN = (str, int, float, bool, type(None), date, uuid.UUID)


def _plain(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    if not isinstance(value, _PLAIN):
        raise TypeError(f"a fragment cannot vary on a {type(value).__name__}: its repr() differs per object")
    return value


def _key(request: HttpRequest, template_name: str, versions: Sequence[str], varies_on: Sequence[Any]) -> str:
    user = request.user
    roles = sorted(
        (str(m.chain_id), m.role, str(m.organisation_id), bool(getattr(m, "holds_break_glass", False)))
        for m in memberships_of(user)
    )
    parts = (
        code_version(),
        tuple(versions),
        str(user.pk),
        user.is_staff,
        tuple(roles),
        _plain(varies_on),
        get_language(),
        timezone.localdate().isoformat(),
    )
    return f"fragment:{template_name}:{hashlib.sha256(repr(parts).encode()).hexdigest()}"


def _seal(kept: tuple[str, dict, str]) -> bytes:
    # Compressed first (a page's text shrinks to a fifth or less), then encrypted: what the cache
    # holds of many readers' pages stays small. Only the server ever sees the sizes.
    return fields.fernet().encrypt(zlib.compress(json.dumps(kept, separators=(",", ":")).encode(), 1))


def _open(sealed: Any) -> tuple[str, dict, str] | None:
    if not isinstance(sealed, bytes):
        return None
    try:
        stand_in, found, html = json.loads(zlib.decompress(fields.fernet().decrypt(sealed)))
    except (InvalidToken, zlib.error, ValueError, TypeError):
        return None  # sealed under a key that is gone (rotated away): render afresh
    return stand_in, found, html


@lru_cache(maxsize=1)
def code_version() -> str:
    """Changes when a template, module or translation does: after a deploy no part the old code
    rendered is served. Of the files' contents, so app servers deployed apart share their parts."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.suffix in (".html", ".py", ".mo")):
        digest.update(str(path.relative_to(package)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
