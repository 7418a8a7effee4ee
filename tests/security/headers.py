"""The security headers every answer must carry, and production's header and cookie settings."""

from __future__ import annotations

import re

# What production sets (ketenregie/settings.py with neither demo nor test mode); checked against a
# real production import in test_headers_sweep.py, so the override cannot drift from the settings.
PRODUCTION_HEADERS = {
    "SECURE_HSTS_SECONDS": 31_536_000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SECURE_SSL_REDIRECT": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "LANGUAGE_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "CSRF_COOKIE_HTTPONLY": True,
    "LANGUAGE_COOKIE_HTTPONLY": True,
    "DEBUG": False,
}


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.get("Content-Security-Policy", "").split(";"):
        if part.strip():
            name, *values = part.split()
            directives[name] = values
    return directives


def header_problems(response) -> list[str]:
    """Everything wrong with one response's security headers (empty when all is well)."""
    problems = []
    csp = _csp(response)
    if not csp:
        return ["no Content-Security-Policy"]
    # A download may be locked down further ('none' and a sandbox); never loosened.
    if csp.get("default-src") not in (["'self'"], ["'none'"]):
        problems.append(f"default-src {csp.get('default-src')}")
    # object-src falls back to default-src; base-uri and frame-ancestors do not.
    if csp.get("object-src", csp.get("default-src")) != ["'none'"]:
        problems.append(f"object-src {csp.get('object-src')}")
    for name in ("base-uri", "frame-ancestors"):
        if csp.get(name) != ["'none'"]:
            problems.append(f"{name} {csp.get(name)}")
    script = csp.get("script-src", csp.get("default-src", []))
    if "'unsafe-inline'" in script or "'unsafe-eval'" in script:
        problems.append(f"script-src {script}")
    sources = {value for values in csp.values() for value in values}
    if not sources <= {"'self'", "'none'", "data:"}:  # DP3: no third-party host
        problems.append(f"CSP sources {sorted(sources)}")
    hsts = re.search(r"max-age=(\d+)", response.get("Strict-Transport-Security", ""))
    if not hsts or int(hsts.group(1)) < 31_536_000:
        problems.append(f"HSTS {response.get('Strict-Transport-Security')!r}")
    expected = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
    for name, value in expected.items():
        if response.get(name) != value:
            problems.append(f"{name} {response.get(name)!r}")
    permissions = {p.strip() for p in response.get("Permissions-Policy", "").split(",")}
    if not {"camera=()", "microphone=()", "geolocation=()"} <= permissions:
        problems.append(f"Permissions-Policy {response.get('Permissions-Policy')!r}")
    if "no-store" not in response.get("Cache-Control", ""):  # DP2
        problems.append(f"Cache-Control {response.get('Cache-Control')!r}")
    for cookie in response.cookies.values():
        if cookie.value and not (cookie["secure"] and cookie["httponly"] and cookie["samesite"] in ("Lax", "Strict")):
            problems.append(f"cookie {cookie.key} without Secure/HttpOnly/SameSite")
    return problems
