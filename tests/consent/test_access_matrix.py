"""The access matrix (SECURITY.md AC2, AC3, AC4): every role × every relation to a case × every route
that shows case data, generated from one table (tests/consent/world.py ``EXPECTED``).

The routes come from walking the URL resolver (web pages and the JSON API): every route whose URL
names a case or an object of a case (network member, meeting, consent, OT item, action, youth) is
requested with the ids of each case of the world. For every cell:

- a case the role may not see answers 404 — the same bytes as for an id that does not exist;
- no response contains a canary the role may not see: other cases' youths and texts, and of this
  case whatever its field rules withhold (offence details, sensitive intake answers, other life
  domains' goals, notes, informal members' phone numbers);
- the pages and API answers whose rule this issue defines answer exactly the expected status.

PDF downloads are checked for their status (their bodies are compressed); the full-access cells of
a PDF route are checked once per route, since rendering a PDF takes a second.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from django.test import Client

from tests.consent.world import CASE_KEYS, ROLES, World
from tests.routes import all_routes

# Parameters that name a case or one of its objects, and which value of the world fills them.
ANCHORS = {"case_id", "member_id", "meeting_id", "consent_id", "item_id", "youth_id", "action_id"}
FILLERS = ANCHORS | {"code", "number", "transition"}

# The routes whose rule this issue sets: the expected status per way of seeing the case.
# Anything else that shows case data is checked for 404-outside-scope and for forbidden content.
ALL_200 = {"full": 200, "ot": 200, "partner": 200}
FULL_ONLY = {"full": 200, "ot": 404, "partner": 404}
SHARED = {"full": 200, "ot": 404, "partner": 200}
CORE = {
    "cases:case_detail": ALL_200,
    "cases:case_history": FULL_ONLY,
    "plans:plan": SHARED,
    "network:page": SHARED,
    "plans:versions": FULL_ONLY,
    "plans:version": FULL_ONLY,
    "network:map_svg": FULL_ONLY,
    "meetings:list": FULL_ONLY,
    "meetings:detail": FULL_ONLY,
    "cases:consent_list": {"full": 200, "ot": 404, "partner": 404},
    "followup:contacts": FULL_ONLY,
    "followup:events": FULL_ONLY,
    "api:get_case": ALL_200,
    "api:list_network": SHARED,
    "api:get_intake": {"full": 200, "ot": 403, "partner": 200},
    # The consented life domains only: the other domains' goals are among the forbidden canaries.
    "api:get_plan": SHARED,
}

CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')
# A flash message left by the previous request of the same client (e.g. "this case is closed").
MESSAGES = re.compile(r'<div class="messages" role="status">.*?</div>', re.S)


@dataclass(frozen=True)
class MatrixRoute:
    name: str
    pattern: str
    params: tuple[str, ...]
    is_api: bool
    is_pdf: bool

    def _key(self, name: str) -> str:
        if name == "meeting_id" and ("ot/" in self.pattern or "ot-meetings" in self.pattern):
            return "ot_meeting_id"  # an OT meeting, not a network meeting
        return name

    @property
    def names_only_an_ot_meeting(self) -> bool:
        """An OT meeting stays its attendees' when one of its cases can no longer be shown to them
        (the "restricted" case): the meeting answers, and the canary check proves that case's item
        on it shows nothing."""
        return self.params == ("meeting_id",) and self._key("meeting_id") == "ot_meeting_id"

    def fits(self, values: dict) -> bool:
        """The case has every object this route's URL names."""
        return all(self._key(name) in values for name in self.params)

    def url(self, values: dict) -> str:
        return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: str(values[self._key(m.group(2))]), self.pattern)

    def missing_url(self) -> str:
        return self.url(dict.fromkeys(("ot_meeting_id", *ANCHORS), uuid.UUID(int=0)) | _sample_values())


def _sample_values() -> dict:
    return {"code": "werk_onderwijs", "number": 1, "transition": "close"}


def case_routes() -> tuple[list[MatrixRoute], list[str]]:
    """Every resolver route that names a case or an object of one, and the names of those left out."""
    found, skipped, seen = [], [], set()
    for route in all_routes():
        params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route.pattern))
        if not set(params) & ANCHORS or route.pattern in seen:
            continue
        seen.add(route.pattern)  # the API declares a path once per method: request it once
        if not set(params) <= FILLERS:
            skipped.append(route.name)  # an id the world does not make (threads, offence groups, holds)
            continue
        found.append(
            MatrixRoute(
                route.name, route.pattern, params, route.pattern.startswith("api/"), route.pattern.endswith(".pdf")
            )
        )
    return found, skipped


def normalise(body: bytes, url: str) -> bytes:
    """The body without what differs per request anyway: the CSRF token, a flash message of the request
    before, and the URL itself (the language form sends the user back to it)."""
    text = MESSAGES.sub("", CSRF.sub(r"\1", body.decode(errors="replace")))
    return text.replace(url, "URL").encode()


@pytest.fixture(scope="module")
def routes(world, django_db_blocker):
    """The matrix routes that answer GET (those that only take POST answer 405 before any look-up)."""
    found, skipped = case_routes()
    usable = []
    with django_db_blocker.unblock():
        client = Client()
        client.force_login(world.users["coordinator"])
        for route in found:
            if route.is_pdf:
                usable.append(route)
                continue
            if client.get(route.url(world.objects["valid"])).status_code != 405:
                usable.append(route)
    return usable, skipped


def cells_of(world: World, routes: list[MatrixRoute], role: str) -> list[tuple[str, MatrixRoute]]:
    cells = []
    pdf_done: set[str] = set()
    for key in CASE_KEYS:
        view = world.expected(role, key)
        for route in routes:
            if not route.fits(world.objects[key]):
                continue
            if route.is_pdf and view == "full":
                if route.name in pdf_done:
                    continue
                pdf_done.add(route.name)
            cells.append((key, route))
    return cells


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(world, routes, role, db):
    usable, skipped = routes
    client = Client()
    client.force_login(world.users[role])
    missing: dict[str, tuple[int, bytes]] = {}
    problems: list[str] = []
    cells = cells_of(world, usable, role)
    for key, route in cells:
        view = world.expected(role, key)
        url = route.url(world.objects[key])
        response = client.get(url)
        where = f"{role} × {key} × {route.name}: {response.status_code}"
        if response.status_code >= 500:
            problems.append(f"{where} (server error)")
            continue
        if view is None and route.names_only_an_ot_meeting and world.attended(role, key):
            if response.status_code != 200:
                problems.append(f"{where}, expected 200 (the meeting they attended)")
        elif view is None:
            if route.name not in missing:
                answer = client.get(route.missing_url())
                missing[route.name] = (answer.status_code, normalise(answer.content, route.missing_url()))
            if response.status_code != 404 and missing[route.name][0] == 404:
                problems.append(f"{where}, expected 404")
            elif response.status_code == 404 and normalise(response.content, url) != missing[route.name][1]:
                problems.append(f"{where}: the 404 differs from the one for a missing id")
        elif route.name in CORE and response.status_code != CORE[route.name][view]:
            problems.append(f"{where}, expected {CORE[route.name][view]}")
        if not route.is_pdf:
            body = response.content.decode(errors="replace")
            leaked = [text for text in world.forbidden(role, key) if text in body]
            if leaked:
                problems.append(f"{where} shows {leaked}")
    total = sum(len(cells_of(world, usable, r)) for r in ROLES)
    print(
        f"\naccess matrix, {role}: {len(cells)} cells checked "
        f"({len(usable)} routes × {len(CASE_KEYS)} cases; whole matrix {total} cells over {len(ROLES)} roles)"
    )
    if skipped:
        print(f"routes without a world id, not in the matrix: {', '.join(sorted(set(skipped)))}")
    assert problems == [], "\n".join(problems)


def test_the_matrix_covers_the_routes_it_must(world, routes):
    usable, _skipped = routes
    names = {r.name for r in usable}
    assert set(CORE) <= names
    assert any(r.is_api for r in usable) and any(not r.is_api for r in usable)
    assert len(usable) >= 30


def test_the_canaries_are_where_the_matrix_looks(world, db):
    """A check of the check: the full dossier shows the canaries the matrix looks for elsewhere."""
    client = Client()
    client.force_login(world.users["coordinator"])
    case = world.cases["valid"]
    page = client.get(f"/dossiers/{case.pk}/").content.decode()
    assert "OFFENCE-CANARY-valid" in page and "CONCERNS-CANARY-valid" in page
    plan = client.get(f"/dossiers/{case.pk}/plan/").content.decode()
    assert all(t in plan for t in ("INDOMAIN-GOAL-valid", "HEALTH-GOAL-CANARY-valid", "OTHERDOMAIN-GOAL-CANARY-valid"))
    api_plan = client.get(f"/api/v1/cases/{case.pk}/plan").content.decode()
    assert all(t in api_plan for t in ("HEALTH-GOAL-CANARY-valid", "OTHERDOMAIN-GOAL-CANARY-valid"))
    network = client.get(f"/dossiers/{case.pk}/netwerk/").content.decode()
    assert "MEMBERNOTE-CANARY-valid" in network
    contacts = client.get(f"/dossiers/{case.pk}/contacten/").content.decode()
    assert "CONTACTNOTE-CANARY-valid" in contacts

    partner = Client()
    partner.force_login(world.users["partner"])
    shared = partner.get(f"/dossiers/{case.pk}/").content.decode()
    assert "INDOMAIN-INTAKE-valid" in shared
    assert "INDOMAIN-GOAL-valid" in partner.get(f"/dossiers/{case.pk}/plan/").content.decode()
    assert "INDOMAIN-GOAL-valid" in partner.get(f"/api/v1/cases/{case.pk}/plan").content.decode()


# --- Lists and searches: no case in their URL, every case the role may see in their answer -----------


def _listed(response) -> set[str]:
    """The case ids a case-list page or an API list answer shows; none for a refusal."""
    if response.status_code != 200:
        return set()
    if response["Content-Type"].startswith("application/json"):
        return {item["id"] for item in response.json()["items"]}
    return {str(case.pk) for case in response.context["cases"]}


@pytest.mark.parametrize("role", ROLES)
def test_case_lists_and_searches_show_exactly_the_cases_the_role_may_see(world, role, db):
    """The web list, the API list and both searches (web and API; by the youth's name and by the case
    number) of every case of the world: a case is in the answer exactly when the matrix says the role
    may see it, and no answer holds a text the role may not see."""
    client = Client()
    client.force_login(world.users[role])
    visible = {str(world.cases[key].pk) for key in CASE_KEYS if world.expected(role, key)}
    problems = []
    # Each answer with the text the user typed: the search box shows it again, which is no leak.
    answers = [(client.get("/dossiers/"), ""), (client.get("/api/v1/cases", {"limit": 100}), "")]
    for response, _typed in answers:
        if _listed(response) != visible:
            problems.append(f"{response.request['PATH_INFO']}: {len(_listed(response))} cases, not {len(visible)}")
    for key in CASE_KEYS:
        case = world.cases[key]
        for term in (f"{case.youth.first_name} {case.youth.last_name}", case.reference):
            searches = [
                client.post("/dossiers/", {"q": term}, follow=True),
                client.post("/api/v1/cases/search", {"q": term}, content_type="application/json"),
            ]
            for response in searches:
                found = str(case.pk) in _listed(response)
                if response.status_code >= 500 or found != (str(case.pk) in visible):
                    problems.append(f"{role} × {key} × {response.request['PATH_INFO']}: {response.status_code}")
                answers.append((response, term))
    for response, typed in answers:
        body = response.content.decode(errors="replace")
        leaked = [text for text in world.forbidden(role, "valid") if text in body and text not in typed]
        if leaked:
            problems.append(f"{role} × {response.request['PATH_INFO']} shows {leaked}")
    assert problems == [], "\n".join(problems)
