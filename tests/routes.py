"""Every route of the project, with a concrete URL to request it by (for the route sweeps)."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

from ketenregie.common.access import ADMINISTRATOR

# API routes that are no operation and answer everyone the same: the public schema, and
# django-ninja's root URL (404; with DEBUG it would redirect to the docs).
API_SCHEMA = "api:openapi-json"
API_ROOT = "api:api-root"


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the pattern text when the route has no name
    namespace: str
    pattern: str  # the full pattern, e.g. "account/tokens/<uuid:token_id>/intrekken/"
    url: str
    callback: object
    takes_args: bool

    @property
    def access_rule(self) -> str | None:
        if self.namespace == "admin" and _rule(self.callback) is None:
            return ADMINISTRATOR
        return _rule(self.callback)

    def __str__(self) -> str:
        return f"{self.url} ({self.name})"


def _rule(callback) -> str | None:
    """The declared rule of a view, looking through decorators (functools.wraps) and ``as_view``."""
    seen = set()
    view = callback
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        rule = getattr(view, "access_rule", None)
        if rule is not None:
            return rule
        view_class = getattr(view, "view_class", None)
        if view_class is not None and getattr(view_class, "access_rule", None) is not None:
            return view_class.access_rule
        view = getattr(view, "__wrapped__", None)
    return None


def _sample(regex: str) -> str:
    """A value matching a URL parameter's pattern: a random UUID, number or word."""
    literal_choices = re.fullmatch(r"\(?([\w-]+(?:\|[\w-]+)+)\)?", regex)
    if literal_choices:
        return literal_choices.group(1).split("|")[0]
    for candidate in (str(uuid.uuid4()), str(secrets.randbelow(10**6) + 1), "x" + secrets.token_hex(4)):
        if re.fullmatch(regex, candidate):
            return candidate
    raise AssertionError(f"cannot make a value for the URL parameter pattern {regex!r}")


def _fill(pattern) -> tuple[str, bool]:
    if isinstance(pattern, RoutePattern):
        route = str(pattern)
        converters = pattern.converters

        def value(match: re.Match) -> str:
            return _sample(converters[match.group(2)].regex)

        filled = re.sub(r"<(?:(\w+):)?(\w+)>", value, route)
        return filled, filled != route
    assert isinstance(pattern, RegexPattern), pattern
    regex = pattern.regex.pattern
    groups = dict(re.findall(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", regex))
    template, params = normalize(regex)[0]
    return template % {name: _sample(groups.get(name, "[^/]+")) for name in params}, bool(params)


def all_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, template: str, namespace: str, has_args: bool) -> None:
        for entry in resolver.url_patterns:
            part, args = _fill(entry.pattern)
            text = template + str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = ":".join(p for p in (namespace, entry.namespace) if p)
                walk(entry, prefix + part, text, inner, has_args or args)
            elif isinstance(entry, URLPattern):
                name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or str(entry.pattern))
                routes.append(Route(name, namespace, text, "/" + prefix + part, entry.callback, has_args or args))

    walk(get_resolver(), "", "", "", False)
    return routes
