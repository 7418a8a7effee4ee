"""The crawler: a partner follows every link they can reach and never sees a case outside their consent.

Logged in as the partner of tests/consent/world.py, starting at the start page, it follows every
same-origin link of every HTML page it reaches (bounded), and searches each answer for the names of
the youths whose cases the partner may not see and for every protected text: offence details,
sensitive intake answers, other life domains' goals, notes, informal members' phone numbers.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from django.test import Client

MAX_PAGES = 400
# Links that end the session or only switch the language; the crawl must go on as the partner.
NOT_FOLLOWED = ("/uitloggen/", "/i18n/", "/static/", "/beheer/")


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.found.append(values["href"] or "")
        elif tag == "form" and (values.get("method") or "get").lower() == "get" and values.get("action"):
            self.found.append(values["action"] or "")


def crawl(client: Client, start: str = "/") -> dict[str, tuple[int, str]]:
    """Every same-origin page reachable from ``start``: {path: (status, body)}."""
    seen: dict[str, tuple[int, str]] = {}
    queue = [start]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        content_type = response.get("Content-Type", "")
        body = response.content.decode(errors="replace") if "text" in content_type or "json" in content_type else ""
        seen[url] = (response.status_code, body)
        if response.status_code in (301, 302):
            queue.append(urljoin(url, response["Location"]))
            continue
        if "text/html" not in content_type:
            continue
        parser = Links()
        parser.feed(body)
        for href in parser.found:
            target = urldefrag(urljoin(url, href))[0]
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue  # another origin, mailto:, tel:
            if target.startswith(NOT_FOLLOWED) or target in seen:
                continue
            queue.append(target)
    return seen


def test_a_partner_never_reaches_a_case_outside_their_consent(world, db):
    partner = world.users["partner"]
    client = Client()
    client.force_login(partner)

    pages = crawl(client)

    forbidden = world.forbidden("partner", "valid")
    leaks = [
        f"{url}: {[t for t in forbidden if t in body]}"
        for url, (_s, body) in pages.items()
        if any(t in body for t in forbidden)
    ]
    errors = [f"{url}: {status}" for url, (status, _b) in pages.items() if status >= 500]
    print(f"\ncrawler: {len(pages)} pages visited as the partner, {len(forbidden)} protected texts searched")
    assert errors == []
    assert leaks == [], "\n".join(leaks)
    # It did reach what the partner shares: both consented cases, their plans and networks.
    for key in ("valid", "closed_in_grace"):
        case = world.cases[key]
        for path in (f"/dossiers/{case.pk}/", f"/dossiers/{case.pk}/plan/", f"/dossiers/{case.pk}/netwerk/"):
            assert pages.get(path, (None,))[0] == 200, path
    assert any(f"INDOMAIN-GOAL-{key}" in body for _s, body in pages.values() for key in ("valid",))
    assert len(pages) > 10
