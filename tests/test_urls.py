"""Deny by default (SECURITY.md AC1): every route declares who may open it, and everything that is
not public sends an anonymous visitor to the login page (or answers 401 in the API)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import resolve, reverse

from ketenregie.common.access import API, PORTAL, PUBLIC, RULES
from tests.routes import API_ROOT, API_SCHEMA, all_routes

ROUTES = all_routes()
# The interactive API docs are a page for people: like other pages they send a visitor to the login.
API_PAGES = {"api:openapi-view"}


def test_the_walk_finds_the_routes_we_know():
    names = {route.name for route in ROUTES}
    assert {"home", "healthz", "accounts:login", "accounts:revoke_token", "admin:index", "api:me"} <= names
    revoke = next(r for r in ROUTES if r.name == "accounts:revoke_token")
    assert revoke.takes_args
    assert resolve(revoke.url).url_name == "revoke_token"


def test_every_route_declares_an_access_rule():
    unclassified = [str(route) for route in ROUTES if route.access_rule not in RULES]
    assert unclassified == [], "routes without a valid access_rule (see ketenregie/common/access.py):\n" + "\n".join(
        unclassified
    )


def test_every_filled_url_reaches_its_own_route():
    """The sweeps request each route by a made-up URL; check that URL lands on that route (or, for a
    URL declared twice, as the API does once per method, on the route declared first)."""
    first_of = {}
    for route in ROUTES:
        first_of.setdefault(route.pattern, route)
    wrong = []
    for route in ROUTES:
        match = resolve(urlsplit(route.url).path)
        if match.func is not first_of[route.pattern].callback:
            wrong.append(f"{route} resolves to {match.view_name}")
    assert wrong == []


def _anonymous_answer(client, route) -> str | None:
    """None when the answer is right for an anonymous visitor, else what is wrong."""
    response = client.get(route.url)
    if route.name == API_ROOT:
        return None if response.status_code == 404 else f"answers {response.status_code}"
    if route.url.startswith("/api/") and route.name not in API_PAGES:
        if response.status_code == 405:  # an operation without GET: ask the way it is meant
            method = response["Allow"].split(",")[0].strip().lower()
            response = getattr(client, method)(route.url, data={}, content_type="application/json")
        content_type = response.get("Content-Type", "")
        if response.status_code == 401 and content_type.startswith("application/problem+json"):
            return None
        return f"{response.status_code} {content_type}"
    if response.status_code == 302:
        target = urlsplit(response["Location"]).path
        if target in {reverse("accounts:login"), reverse("admin:login")}:
            return None
        if route.access_rule == PORTAL and target == reverse("portal:login"):
            return None  # "Mijn traject" has its own login page
        return f"redirects to {target}"
    return f"answers {response.status_code}"


def test_anonymous_visitor_reaches_nothing_that_is_not_public(client, db):
    leaks = []
    checked = 0
    for route in ROUTES:
        if route.access_rule == PUBLIC or route.name == API_SCHEMA:
            continue
        checked += 1
        problem = _anonymous_answer(client, route)
        if problem:
            leaks.append(f"{route}: {problem}")
    assert checked > 10
    assert leaks == [], "reachable without logging in:\n" + "\n".join(leaks)


def test_openapi_schema_is_public(client):
    route = next(r for r in ROUTES if r.name == API_SCHEMA)
    assert route.access_rule == API
    assert client.get(route.url).status_code == 200


def test_public_routes_answer_an_anonymous_visitor(client, db):
    broken = []
    for route in ROUTES:
        if route.access_rule != PUBLIC:
            continue
        response = client.get(route.url)
        if response.status_code >= 500 or response.status_code in (401, 403):
            broken.append(f"{route}: {response.status_code}")
    assert broken == []


def test_api_docs_load_nothing_from_other_hosts(client_for, coordinator):
    response = client_for(coordinator).get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "https://" not in html and "http://" not in html
