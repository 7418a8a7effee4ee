"""The case list's search text, kept in the session under a short random token (SECURITY.md L9).

A name typed into the search box would otherwise travel in the query string, and with it into
proxy and access logs and the browser history. The list is posted to, remembers the text here and
redirects to ``?zoek=<token>``: the token means something only in this session, and only for the
last ``MAX_SEARCHES`` searches of it.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import QueryDict

PARAM = "zoek"
SESSION_KEY = "case_list_searches"
MAX_SEARCHES = 20
TEXT_PARAM = "q"  # the form field; never part of a URL


def remember(session: SessionBase, text: str) -> str:
    """The token for ``text`` in this session.

    The same text keeps its token, so a double submit or a filter changed next to a search writes
    nothing; beyond ``MAX_SEARCHES`` the oldest search is forgotten.
    """
    searches: dict[str, str] = dict(session.get(SESSION_KEY, {}))
    for token, known in searches.items():
        if known == text:
            return token
    token = secrets.token_urlsafe(8)
    searches[token] = text
    while len(searches) > MAX_SEARCHES:
        del searches[next(iter(searches))]  # dicts keep their order, also through the JSON serializer
    session[SESSION_KEY] = searches
    return token


def recall(session: SessionBase, token: str) -> tuple[str, bool]:
    """The search text of ``token`` and whether the token is unknown (expired, another session's, made up)."""
    if not token:
        return "", False
    text = session.get(SESSION_KEY, {}).get(token)
    return (text, False) if isinstance(text, str) else ("", True)


def list_query(session: SessionBase, filters: dict[str, Any]) -> str:
    """The case list's query string for ``filters`` (valid values of the filter form): the search text
    becomes a token, the other filters (choices, no personal data) stay readable in the URL."""
    query = QueryDict(mutable=True)
    text = filters.get(TEXT_PARAM, "").strip()
    if text:
        query[PARAM] = remember(session, text)
    for name, value in filters.items():
        if name == TEXT_PARAM:
            continue
        if isinstance(value, list):
            query.setlist(name, value)
        else:
            query[name] = str(value)
    return query.urlencode()


def without_text(query: QueryDict) -> str:
    """``query`` without a search text in it: an old link or bookmark with ``?q=`` is not searched."""
    rest = query.copy()
    rest.pop(TEXT_PARAM, None)
    return rest.urlencode()
