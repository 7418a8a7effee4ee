"""The production deployment of docs/deploy.md: gunicorn behind a proxy, on PostgreSQL and Redis.

Two application servers, started with deploy/gunicorn.conf.py in production mode, share one
PostgreSQL database and one Redis: a login on one server is a session on the other. The proxy
contract holds: plain HTTP is redirected to HTTPS (except /healthz, for the load balancer), HTTPS
answers carry HSTS and secure cookies, WhiteNoise serves the collected static files, and the
encryption keys rotate: data written under an older key still reads.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings

from tests.ops.helpers import Browser, Server, app_env, ketenregie, request

HOST = "keten.example"
PROXY = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


@pytest.fixture
def production(pg_site, redis_url, tmp_path):
    """The production environment of docs/deploy.md for the seeded PostgreSQL site."""
    # The demo data was written under the key demo mode derives; in production it is the older key.
    demo_key = base64.urlsafe_b64encode(hashlib.sha256(("field-key:" + django_settings.SECRET_KEY).encode()).digest())
    env = app_env(
        pg_site.data_dir,
        pg_site.database_url,
        demo=False,
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        KETENREGIE_FIELD_KEYS=f"{Fernet.generate_key().decode()},{demo_key.decode()}",
        REDIS_URL=redis_url,
        KETENREGIE_PROXY_COUNT="1",
    )
    # Only the files the pages use: collecting (and compressing) every vendored bundle takes minutes.
    ignore = ["--ignore", "ninja", "--ignore", "admin", "--ignore", "django_htmx", "--ignore", "*.map"]
    ketenregie(env, "collectstatic", "--noinput", "-v0", *ignore, timeout=120)
    return env


def start_both(env, tmp_path) -> list[Server]:
    """Two application servers, started side by side."""
    servers = [Server(env, tmp_path, name=f"app{n}") for n in (1, 2)]
    failures: list[BaseException] = []

    def start(server: Server) -> None:
        try:
            server.start()
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=start, args=(server,)) for server in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if failures:
        for server in servers:
            server.stop()
        raise failures[0]
    return servers


def test_two_app_servers_on_postgresql_and_redis_behind_a_tls_proxy(production, pg_site, redis_url, tmp_path):
    import redis

    one, two = start_both(production, tmp_path)
    try:
        for server in (one, two):
            # The load balancer's health check, in plain HTTP.
            health = request(server.port, "GET", "/healthz", headers={"Host": HOST})
            assert health.status == 200 and health.json() == {"status": "ok", "database": "ok", "cache": "ok"}

        plain = request(one.port, "GET", "/inloggen/", headers={"Host": HOST})
        assert plain.status == 301 and plain.headers["location"] == f"https://{HOST}/inloggen/"

        browser = Browser(one.port, HOST, https_proxy=True)
        browser.extra = dict(PROXY)
        page = browser.go("GET", "/inloggen/")
        assert page.status == 200
        assert page.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
        logged_in = browser.login("coordinator", "demo", scheme="https")
        assert logged_in.status == 302
        # Production asks for the second factor before anything else.
        assert browser.go("GET", "/").headers["location"].startswith("/tweestapsverificatie/")
        cookies = logged_in.headers["set-cookie"].splitlines()
        session = next(c for c in cookies if c.startswith("ketenregie_session="))
        assert "Secure" in session and "HttpOnly" in session and "SameSite=Lax" in session

        # The session lives in Redis, not in a server's memory or the database ...
        sessions = redis.Redis.from_url(redis_url).keys("*django.contrib.sessions.cache*")
        assert sessions
        # ... so the other server knows it: the same half-finished login continues there.
        browser.port = two.port
        assert browser.go("GET", "/").headers["location"].startswith("/tweestapsverificatie/")
        stranger = Browser(two.port, HOST, https_proxy=True)
        stranger.extra = dict(PROXY)
        assert stranger.go("GET", "/").headers["location"].startswith("/inloggen/")

        # WhiteNoise serves the collected, content-hashed static files with a long cache life.
        manifest = json.loads((pg_site.data_dir / "static" / "staticfiles.json").read_text())
        css = manifest["paths"]["ketenregie/ketenregie.css"]
        static = request(two.port, "GET", f"/static/{css}", headers=PROXY)
        assert static.status == 200 and b"{" in static.body
        assert "max-age=315360000" in static.headers["cache-control"]

        # The API on the other server; case content written under the older key still decrypts.
        api = {**PROXY, "Authorization": f"Bearer {pg_site.token}", "Accept-Language": "en"}
        listed = request(two.port, "GET", "/api/v1/cases?search=zz-not-in-the-log", headers=api)
        assert listed.status == 200, listed.text[:500]
        first = listed.json()["items"][0]["id"]
        detail = request(one.port, "GET", f"/api/v1/cases/{first}", headers=api)
        assert detail.status == 200 and detail.json()["id"] == first
        assert listed.headers["x-request-id"]
    finally:
        one.stop()
        two.stop()

    # The access log leaves out query strings (they can hold a youth's name) and shows the request id.
    log = two.log()
    assert '"GET /api/v1/cases HTTP/1.1" 200' in log
    assert "zz-not-in-the-log" not in log
    assert f"id={listed.headers['x-request-id']}" in log
