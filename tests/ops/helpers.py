"""Running Ketenregie as an operator does: commands and gunicorn in their own processes.

Each process gets a clean environment (no setting of the test run leaks in), its own data folder
and database, and a bounded time. Servers listen on a free loopback port.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import string
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"

# Settings of the test run that must not reach an application process.
_OWN = ("KETENREGIE_", "DJANGO_", "PG")
_SETTINGS = {"DATABASE_URL", "DATABASE_REPLICA_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}
_SETTINGS |= {"EMAIL_BACKEND", "CSRF_TRUSTED_ORIGINS", "COV_CORE_SOURCE", "COV_CORE_CONFIG", "COV_CORE_DATAFILE"}


def app_env(data_dir: Path, database_url: str = "", *, demo: bool = True, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OWN) and k not in _SETTINGS}
    env.update(
        HOME=str(data_dir),
        PYTHONPATH=str(ROOT),
        PYTHONDONTWRITEBYTECODE="1",
        KETENREGIE_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="ketenregie.settings",
    )
    if demo:
        env["KETENREGIE_DEMO"] = "true"
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def ketenregie(env: dict[str, str], *args: str, timeout: float = 60, check: bool = True) -> subprocess.CompletedProcess:
    """``ketenregie ARGS`` in its own process."""
    result = subprocess.run(
        [sys.executable, "-m", "ketenregie", *args],
        env=env,
        cwd=env["KETENREGIE_DATA_DIR"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        pytest.fail(f"ketenregie {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def django_json(env: dict[str, str], code: str, *, timeout: float = 60):
    """Run ``code`` with Django set up in a fresh process; it assigns ``result``, which comes back as JSON."""
    program = (
        "import json, django\ndjango.setup()\nfrom django_scopes import scopes_disabled\n"
        "with scopes_disabled():\n" + "".join(f"    {line}\n" for line in code.strip().splitlines()) + ""
        "print('\\n@@RESULT@@' + json.dumps(result, default=str, sort_keys=True))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", program],
        env=env,
        cwd=env["KETENREGIE_DATA_DIR"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if completed.returncode != 0 or "@@RESULT@@" not in completed.stdout:
        pytest.fail(f"script failed (exit {completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    return json.loads(completed.stdout.rsplit("@@RESULT@@", 1)[1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def random_name(length: int = 10) -> str:
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(length)).capitalize()


# --- HTTP ------------------------------------------------------------------------------------------


def _header_dict(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Lower-cased names; repeated headers (Set-Cookie) joined by newlines."""
    headers: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        headers[key] = f"{headers[key]}\n{value}" if key in headers else value
    return headers


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | dict | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10,
) -> Response:
    """One HTTP request on a new connection; connection errors propagate (an unacknowledged request)."""
    headers = dict(headers or {})
    if isinstance(body, dict):
        body = json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json")
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Response(response.status, _header_dict(response.getheaders()), response.read())
    finally:
        connection.close()


class Browser:
    """A tiny cookie-keeping client for the HTML pages (login with the CSRF token, then browse)."""

    def __init__(self, port: int, host: str = "127.0.0.1", *, https_proxy: bool = False):
        self.port, self.host, self.cookies = port, host, {}
        self.extra = {"X-Forwarded-Proto": "https"} if https_proxy else {}

    def _headers(self, more: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Host": self.host, "Accept-Language": "nl", **self.extra, **(more or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep(self, response: Response, raw_headers: list[tuple[str, str]]) -> None:
        for name, value in raw_headers:
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                if val in ("", '""'):
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = val.strip()

    def go(self, method: str, path: str, form: dict | None = None, headers: dict | None = None) -> Response:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        more = dict(headers or {})
        if form is not None:
            more["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            connection.request(method, path, body=body, headers=self._headers(more))
            raw = connection.getresponse()
            response = Response(raw.status, _header_dict(raw.getheaders()), raw.read())
            self._keep(response, raw.getheaders())
            return response
        finally:
            connection.close()

    def login(self, username: str, password: str, scheme: str = "http") -> Response:
        page = self.go("GET", "/inloggen/")
        assert page.status == 200, page.text[:500]
        token = self.cookies["csrftoken"]
        return self.go(
            "POST",
            "/inloggen/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/"},
            headers={"Referer": f"{scheme}://{self.host}/inloggen/"},
        )


# --- gunicorn ----------------------------------------------------------------------------------


class Server:
    """gunicorn with the deployment's configuration file, in its own process group on a loopback port."""

    def __init__(self, env: dict[str, str], log_dir: Path, *, workers: int = 2, name: str = "server"):
        self.env, self.workers = env, workers
        # The Host the health check sends: one that ALLOWED_HOSTS accepts, as a load balancer must.
        self.host = (env.get("ALLOWED_HOSTS") or "127.0.0.1").split(",")[0]
        self.log_path = log_dir / f"{name}.log"
        self.port = 0
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 30) -> Server:
        self.port = free_port()
        log = open(self.log_path, "ab")  # noqa: SIM115 — kept open for the server's lifetime
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(GUNICORN_CONF),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "ketenregie.wsgi",
            ],
            env=self.env,
            cwd=self.env["KETENREGIE_DATA_DIR"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: SIGKILL reaches master and workers
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited with {self.process.returncode}:\n{self.log()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                answer = request(self.port, "GET", "/healthz", headers={"Host": self.host}, timeout=2)
                if answer.status in (200, 503):
                    if len(self.worker_pids()) >= self.workers:
                        return self
            time.sleep(0.1)
        self.kill()
        pytest.fail(f"gunicorn did not answer within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:] if self.log_path.exists() else ""

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    stat = (entry / "stat").read_text()
                    fields = stat.rsplit(")", 1)[1].split()
                    if int(fields[1]) == self.pid and fields[0] != "Z":
                        pids.append(int(entry.name))
        return sorted(pids)

    def kill_worker(self) -> int | None:
        pids = self.worker_pids()
        if not pids:
            return None
        victim = secrets.choice(pids)
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
        return victim

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once, as a power cut or the OOM killer would."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None


# --- A TCP proxy that can cut the database off -------------------------------------------------


class CuttableProxy:
    """Forwards a loopback port to the database; ``cut()`` closes the port and every open connection."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()

    def open(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            self._listener.close()
            self._listener = None
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()
