"""A wapiti scan of the demo server on loopback, logged in as the demo coordinator: no finding of
high or critical level (SECURITY.md: the scanner's view of IU1, IU2, H1; a 500 is a high anomaly).

The demo server (KETENREGIE_DEMO=true, so two-factor is off and the demo password works) runs with
gunicorn on 127.0.0.1 and a free port, on its own SQLite file with the demo data. Bounded: crawling
stops after ``CRAWL_SECONDS``, each attack module after ``ATTACK_SECONDS``; the slow, brute-force and
outbound modules (blindsql, buster, nikto, backup, brute_login_form, ssrf, xxe, wapp) are left out,
and wapiti's technology database is stubbed so it never reaches out to the internet.

Runs in the SQLite run of the suite only (the scan does not depend on the test database, so the
PostgreSQL run would repeat it) and only where Debian's wapiti is installed (.ci/run installs it).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
WAPITI = shutil.which("wapiti")
CRAWL_SECONDS = 30
ATTACK_SECONDS = 6
MODULES = "xss,permanentxss,sql,exec,file,redirect,crlf,csp,http_headers,cookieflags"
HIGH = 3  # wapiti's levels: 0 info, 1 low, 2 medium, 3 high, 4 critical
# Pages that would end the scan's own session or change its account (excluded from crawl and attack).
EXCLUDED = ["/uitloggen/", "/account/*", "/tweestapsverificatie/*", "/beheer/*", "/i18n/*", "/mijn-traject/*"]

# Debian's wapiti 3.0.4 builds its exclusion patterns with the inline flags at the end, which
# Python 3.11 refuses ("global flags not at the start"): run it with that one function fixed.
BOOTSTRAP = r"""
import re, sys
import wapitiCore.net.crawler as crawler

def wildcard_translate(pattern):
    return re.compile("(?ms)" + "".join(".*" if c == "*" else re.escape(c) for c in pattern) + r"\Z")

crawler.wildcard_translate = wildcard_translate
from wapitiCore.main.wapiti import wapiti_main
sys.argv[0] = "wapiti"
sys.exit(wapiti_main())
"""

pytestmark = [
    pytest.mark.skipif(WAPITI is None, reason="wapiti is not installed: sudo apt-get install -y wapiti"),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
        reason="runs in the SQLite run only (the scan has its own database)",
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _interpreter() -> str:
    """The Python that Debian's wapiti script runs with (its shebang)."""
    assert WAPITI is not None
    first = Path(WAPITI).read_text(errors="replace").splitlines()[0]
    return first[2:].strip().split()[0] if first.startswith("#!") else "python3"


def _log_in(base: str) -> dict[str, str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/inloggen/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token, "no CSRF token on the login page"
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": "coordinator", "password": "demo"}
    ).encode()
    landed = opener.open(urllib.request.Request(base + "/inloggen/", data=data), timeout=30).geturl()
    assert urllib.parse.urlsplit(landed).path == "/", f"the demo login failed (landed on {landed})"
    return {cookie.name: cookie.value for cookie in jar}


def _wait_until_up(base: str, server: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        assert server.poll() is None, "the demo server stopped"
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the demo server did not come up")


def test_wapiti_finds_nothing_high_in_the_demo(tmp_path, record_property):
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PYTHONPATH": str(ROOT),
        "KETENREGIE_DEMO": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "KETENREGIE_DATA_DIR": str(tmp_path / "data"),
    }
    manage = [sys.executable, "-m", "ketenregie"]
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run([*manage, *command], env=env, cwd=tmp_path, check=True, capture_output=True, timeout=300)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server_log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "ketenregie.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "2"]
        + ["--timeout", "60", "--no-control-socket"],
        env=env,
        cwd=tmp_path,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_up(base, server, time.monotonic() + 60)
        cookies = {
            name: {"value": value, "expires": None, "secure": False, "port": None, "version": 0}
            for name, value in _log_in(base).items()
        }
        (tmp_path / "cookies.json").write_text(json.dumps({"127.0.0.1": {"/": cookies}}))
        config = tmp_path / "wapiti-config"
        config.mkdir()
        (config / "apps.json").write_text("{}")  # wapiti's technology database: never downloaded
        report = tmp_path / "report.json"
        arguments = ["-u", base + "/", "--scope", "folder", "-c", str(tmp_path / "cookies.json"), "-m", MODULES]
        for path in EXCLUDED:
            arguments += ["-x", base + path]
        arguments += ["--max-scan-time", str(CRAWL_SECONDS), "--max-attack-time", str(ATTACK_SECONDS)]
        arguments += ["-d", "3", "--max-links-per-page", "20", "--max-files-per-dir", "6", "-t", "10"]
        arguments += ["-f", "json", "-o", str(report), "--flush-session", "--no-bugreport", "-v", "0"]
        arguments += ["--store-session", str(tmp_path / "wapiti-session"), "--store-config", str(config)]
        started = time.monotonic()
        scan = subprocess.run(
            [_interpreter(), "-c", BOOTSTRAP, *arguments],
            env={**env, "PYTHONPATH": ""},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=CRAWL_SECONDS + 20 * ATTACK_SECONDS + 60,
            check=False,
        )
        elapsed = time.monotonic() - started
        assert scan.returncode == 0 and report.exists(), scan.stdout[-3000:] + scan.stderr[-3000:]
        still_logged_in = urllib.request.build_opener()
        still_logged_in.addheaders = [("Cookie", "; ".join(f"{n}={c['value']}" for n, c in cookies.items()))]
        logged_in_at_the_end = still_logged_in.open(base + "/", timeout=30).geturl() == base + "/"
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()

    findings = json.loads(report.read_text())
    counts = {
        f"{section}: {name}": len(entries)
        for section in ("vulnerabilities", "anomalies")
        for name, entries in findings[section].items()
        if entries
    }
    high = [
        f"{name}: {entry['method']} {entry['path']} {entry['info']}"
        for section in ("vulnerabilities", "anomalies")
        for name, entries in findings[section].items()
        for entry in entries
        if int(entry["level"]) >= HIGH
    ]
    server_errors = (tmp_path / "server.log").read_text().count("Traceback")
    figure = f"wapiti: {len(high)} high findings in {elapsed:.0f} s; all findings {counts or 'none'}"
    record_property("figure", figure)
    print(figure)

    assert logged_in_at_the_end, "the scan lost its session: it did not scan as a logged-in user"
    assert high == []
    assert server_errors == 0, "the demo server logged a traceback during the scan"
