"""Declared access rules for views.

Every URL pattern's view carries an ``access_rule``; a test walks the URL resolver and fails on a
route without one, so no page goes live without someone deciding who may open it.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_not_required

V = TypeVar("V", bound=Callable[..., Any])

PUBLIC = "public"
AUTHENTICATED = "authenticated"
ADMINISTRATOR = "administrator"
CHAIN_MEMBER = "chain_member"  # any role in the chain named by the URL
CASE = "case"  # the case is looked up through consent.policy.visible_cases
API = "api"  # django-ninja: each operation declares its own auth
PORTAL = "portal"  # "Mijn traject": only the youth's (or trusted person's) own portal account

RULES = {PUBLIC, AUTHENTICATED, ADMINISTRATOR, CHAIN_MEMBER, CASE, API, PORTAL}


def public(view: V) -> V:
    """Reachable without logging in (login, password reset, health)."""
    view = login_not_required(view)
    view.access_rule = PUBLIC  # type: ignore[attr-defined]
    return view


def access_rule(rule: str) -> Callable[[V], V]:
    if rule not in RULES:
        raise ValueError(f"unknown access rule {rule!r}")

    def decorate(view: V) -> V:
        view.access_rule = rule  # type: ignore[attr-defined]
        return view

    return decorate
