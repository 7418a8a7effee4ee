"""Grep gates and their runtime checks.

AC5: no ``csrf_exempt`` outside the token-authenticated API; a POST without a CSRF token is
refused, on a page and on the API with a browser session (a bearer token needs none). That no GET
changes state is proven by the route sweep in test_headers_sweep.py (a fingerprint of every table
before and after a GET of every route).

IU2: autoescaping is never switched off in a template (``|safe``, ``|safeseq``, ``{% autoescape off
%}``); ``mark_safe``/``SafeString`` only where our own code builds markup with every text escaped,
each place listed below with its reason, and proven by a stored-markup test through that place.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.test import Client
from django.urls import reverse

from ketenregie.accounts import domain as account_domain
from ketenregie.network import domain as network
from ketenregie.network.enums import MemberKind
from tests.security.hostile import SCRIPT, UNESCAPED

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "ketenregie"

# Where our code marks a string safe, how often, and why that is safe.
MARK_SAFE_ALLOWED = {
    "ketenregie/common/form_renderer.py": (
        1,
        "widgets in Python: every value escape()d, compared with Django's templates",
    ),
    "ketenregie/common/fragments.py": (
        1,
        "a page part the template engine rendered (and escaped) before it was kept; only a token is put in",
    ),
    "ketenregie/followup/views.py": (1, "the signals page's case options: every value and label escape()d"),
    "ketenregie/network/views.py": (1, "the network map SVG of mapsvg.py: every text goes through its _t() escape"),
    "ketenregie/plans/charts.py": (1, "the progress chart SVG: every label and tooltip is escape()d"),
    "ketenregie/reports/charts.py": (1, "report charts SVG: every label is escaped (see its docstring)"),
}
MARKING_SAFE = re.compile(r"\bmark_safe\(|\bSafeString\(|\bSafeText\(|format_html\(\s*f[\"']|\.safe_join\(")
UNSAFE_TEMPLATE = re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off|{%\s*filter\s+safe")
CSRF_EXEMPT = re.compile(r"\bcsrf_exempt\b")
# django-ninja's views are csrf_exempt by design; its cookie authentication checks the token itself.
CSRF_EXEMPT_ALLOWED_UNDER = "ketenregie/api/"


def _sources(*suffixes: str) -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*") if p.suffix in suffixes and "migrations" not in p.parts and p.is_file())


def _grep(pattern: re.Pattern, files: list[Path]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.split("#", 1)[0] if path.suffix == ".py" else line
            if pattern.search(stripped):
                found.setdefault(str(path.relative_to(ROOT)), []).append(f"{number}: {line.strip()}")
    return found


# --- AC5 -------------------------------------------------------------------------------------------


def test_no_csrf_exempt_outside_the_token_api():
    found = _grep(CSRF_EXEMPT, _sources(".py"))

    assert {path: lines for path, lines in found.items() if not path.startswith(CSRF_EXEMPT_ALLOWED_UNDER)} == {}
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


def test_a_page_post_without_csrf_token_is_refused(coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)

    response = client.post(reverse("followup:preferences"), {"digest": "off"})

    assert response.status_code == 403
    assert client.get(reverse("home")).status_code == 200, "still logged in: nothing happened"


def test_api_post_with_a_session_needs_the_csrf_token_but_a_bearer_token_does_not(coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    _token, plaintext = account_domain.create_token(actor=coordinator, name="gates")

    with_session = client.post("/api/v1/consults", {}, content_type="application/json")
    with_token = Client(enforce_csrf_checks=True).post(
        "/api/v1/consults", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {plaintext}"
    )

    assert with_session.status_code in (401, 403)
    assert with_token.status_code == 422, "past authentication, stopped by validation"


# --- IU2 -------------------------------------------------------------------------------------------


def test_templates_never_switch_autoescaping_off():
    assert _grep(UNSAFE_TEMPLATE, _sources(".html", ".txt", ".svg", ".xml")) == {}


def test_markup_is_marked_safe_only_in_the_listed_places():
    found = _grep(MARKING_SAFE, _sources(".py"))

    unexpected = {path: lines for path, lines in found.items() if path not in MARK_SAFE_ALLOWED}
    assert unexpected == {}, "review these (escape every user text) and list them in MARK_SAFE_ALLOWED"
    counts = {path: len(lines) for path, lines in found.items()}
    assert counts == {path: n for path, (n, _why) in MARK_SAFE_ALLOWED.items() if path in counts}


def test_markup_in_a_network_member_name_stays_text_in_the_map(demo, client_for):
    """The network map is marked safe (listed above): a member's name and role stay escaped in it."""
    case = demo.active_case
    network.add_network_member(
        actor=demo.coordinator,
        case=case,
        data=network.MemberData(kind=MemberKind.INFORMAL, name=SCRIPT[:60], role='"><img src=x onerror=1>'),
    )
    client = client_for(demo.coordinator)

    page = client.get(reverse("network:page", kwargs={"case_id": case.pk})).content.decode()
    svg = client.get(reverse("network:map_svg", kwargs={"case_id": case.pk})).content.decode()

    assert "<svg" in page and "&lt;script&gt;" in page
    assert [m for m in UNESCAPED if m in page or m in svg] == []


def test_markup_in_a_case_stays_text_in_a_kept_case_page(demo, client_for, fragments_kept):
    """A kept page part is marked safe again when served (listed above): what it shows stays escaped."""
    from ketenregie.cases import domain as cases_domain

    case = demo.active_case
    cases_domain.flag_for_ot(actor=demo.coordinator, case=case, reason=SCRIPT)
    client = client_for(demo.coordinator)
    url = reverse("cases:case_detail", kwargs={"case_id": case.pk})
    rendered, kept = (client.get(url).content.decode() for _ in range(2))
    for page in (rendered, kept):
        assert "&lt;script&gt;" in page
        assert [m for m in UNESCAPED if m in page] == []
