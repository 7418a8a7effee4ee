"""What every browser test does on every page it visits.

``visit(page, url, name)`` / ``check_page(page, name)``:

- fail on any console error, uncaught script error or CSP violation (the favicon excepted);
- run axe-core (vendored in tests/vendor) restricted to WCAG 2.0/2.1 A and AA and fail with a
  readable list of violations;
- save a full-page screenshot to ``test-artifacts/<test-name>/<nn>-<name>.png``.

Our CSP (``script-src 'self'``) forbids inline scripts, so axe is not added as a ``<script>``
element: its source is evaluated through the DevTools protocol (``page.evaluate``), which the
page's CSP does not govern, and the page itself stays under the real policy.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
AXE_SOURCE = (ROOT / "tests" / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Records CSP violations in the page itself too, in case the browser does not log one.
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
});
"""

_AXE_RUN = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary.replace(/\\s+/g, ' ')}`),
  }));
}
"""


@dataclass
class _Journey:
    """Per test: where its screenshots go and how many it took."""

    folder: Path
    shots: int = 0


@dataclass(frozen=True)
class _Problem:
    text: str
    url: str

    def __str__(self) -> str:
        return f"{self.text} ({self.url})"


@dataclass
class _Watch:
    journey: _Journey
    problems: list[_Problem] = field(default_factory=list)


_journeys: dict[str, _Journey] = {}


def _current_test() -> str:
    # "tests/browser/test_x.py::test_name[chromium] (call)" -> "test_x.test_name-chromium"
    current = os.environ.get("PYTEST_CURRENT_TEST", "unknown::unknown").rsplit(" ", 1)[0]
    module, _, name = current.partition("::")
    slug = f"{Path(module).stem}.{name}"
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", slug).strip("-")


def _journey() -> _Journey:
    test = _current_test()
    journey = _journeys.get(test)
    if journey is None:
        folder = ARTIFACTS / test
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        journey = _journeys[test] = _Journey(folder)
    return journey


def _is_favicon(text: str) -> bool:
    return "favicon" in text.lower()


def watch(page: Page) -> _Watch:
    """Start collecting console errors, script errors and CSP violations of ``page``."""
    existing = getattr(page, "_ketenregie_watch", None)
    if existing is not None:
        return existing
    watched = _Watch(_journey())

    def on_console(message) -> None:
        if message.type == "error":
            location = message.location or {}
            where = location.get("url", "")
            if not (_is_favicon(message.text) or _is_favicon(where)):
                watched.problems.append(_Problem(f"console error: {message.text}", where))

    page.on("console", on_console)
    page.on("pageerror", lambda error: watched.problems.append(_Problem(f"script error: {error}", page.url)))
    page.add_init_script(_CSP_LISTENER)
    page._ketenregie_watch = watched  # type: ignore[attr-defined]
    return watched


def _screenshot(page: Page, watched: _Watch, name: str) -> Path:
    watched.journey.shots += 1
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "page"
    path = watched.journey.folder / f"{watched.journey.shots:02d}-{slug}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(_AXE_RUN, WCAG_TAGS)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['url']}>")
        lines.extend(f"    {node}" for node in v["nodes"])
    return "\n".join(lines)


def check_page(page: Page, name: str, *, status: int | None = None) -> Path:
    """Screenshot the page as it is now, then fail on errors seen since the last check and on axe
    violations. ``status``: the error status this page is meant to have (e.g. 429); Chromium reports
    a document's own error status on the console, which is then not a problem."""
    watched = watch(page)
    page.wait_for_load_state("load")
    shot = _screenshot(page, watched, name)
    csp = page.evaluate("() => (window.__cspViolations || []).splice(0)")
    expected = f"the server responded with a status of {status} " if status else None
    problems = [str(p) for p in watched.problems if not (expected and expected in p.text and p.url == page.url)]
    problems += [f"CSP violation: {c}" for c in csp if not _is_favicon(c)]
    watched.problems.clear()
    assert not problems, f"{name} ({page.url}, screenshot {shot}):\n" + "\n".join(problems)
    violations = axe_violations(page)
    assert not violations, (
        f"{name} ({page.url}) has accessibility violations (screenshot {shot}):\n" + format_violations(violations)
    )
    return shot


def visit(page: Page, url: str, name: str):
    """Open ``url``, check the page it lands on and return the navigation's response."""
    watch(page)
    response = page.goto(url)
    check_page(page, name)
    return response


def submit(page: Page, form_selector: str = "main form") -> None:
    """Submit a form with its submit button and wait for the next page."""
    with page.expect_navigation():
        page.locator(f"{form_selector} [type=submit]").first.click()


def login(page: Page, live_server, username: str, password: str, *, name: str = "login") -> None:
    """Log in through the login page; the caller checks where it lands."""
    visit(page, live_server.url + reverse("accounts:login"), name)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    submit(page)
