"""Production refuses insecure settings and says which (SECURITY.md DP4, H2).

Each case imports the settings in a fresh interpreter with a clean environment, as a server would.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
IMPORT = "import ketenregie.settings as s; print('ok', s.PRODUCTION, s.DEBUG, s.REQUIRE_2FA)"


def secure_env(tmp_path: Path) -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "keten.example",
        "KETENREGIE_FIELD_KEYS": Fernet.generate_key().decode(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'production.sqlite3'}",
    }


def run(code_or_args, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    clean = {"PATH": os.environ["PATH"], "HOME": str(cwd), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, *args], env=clean, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


PROBLEMS = {
    "SECRET_KEY": "SECRET_KEY is missing",
    "DEBUG": "DEBUG is on",
    "ALLOWED_HOSTS": "ALLOWED_HOSTS is empty or '*'",
    "KETENREGIE_REQUIRE_2FA": "KETENREGIE_REQUIRE_2FA is off",
    "KETENREGIE_FIELD_KEYS": "KETENREGIE_FIELD_KEYS is not set",
}


def test_secure_production_environment_starts(tmp_path):
    result = run(IMPORT, secure_env(tmp_path), tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok True False True"


def test_empty_environment_names_every_problem(tmp_path):
    result = run(IMPORT, {}, tmp_path)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "refuses to start in production mode" in result.stderr
    for name, message in PROBLEMS.items():
        # DEBUG is off and two-factor on unless switched; the rest must be given.
        assert (message in result.stderr) == (name not in {"DEBUG", "KETENREGIE_REQUIRE_2FA"}), name


@pytest.mark.parametrize(
    ("problem", "override"),
    [
        ("SECRET_KEY", {"SECRET_KEY": None}),
        ("SECRET_KEY", {"SECRET_KEY": "too-short"}),
        ("SECRET_KEY", {"SECRET_KEY": "insecure-demo-and-test-key-never-use-in-production-0123456789"}),
        ("DEBUG", {"DEBUG": "true"}),
        ("ALLOWED_HOSTS", {"ALLOWED_HOSTS": "*"}),
        ("ALLOWED_HOSTS", {"ALLOWED_HOSTS": "keten.example,*"}),
        ("ALLOWED_HOSTS", {"ALLOWED_HOSTS": None}),
        ("KETENREGIE_REQUIRE_2FA", {"KETENREGIE_REQUIRE_2FA": "false"}),
        ("KETENREGIE_FIELD_KEYS", {"KETENREGIE_FIELD_KEYS": None}),
    ],
)
def test_each_insecure_setting_is_named(tmp_path, problem, override):
    env = secure_env(tmp_path)
    for name, value in override.items():
        if value is None:
            env.pop(name)
        else:
            env[name] = value

    result = run(IMPORT, env, tmp_path)

    assert result.returncode != 0
    assert PROBLEMS[problem] in result.stderr
    others = [message for name, message in PROBLEMS.items() if name != problem]
    assert not [message for message in others if message in result.stderr]


@pytest.mark.parametrize("name", ["KETENREGIE_DEMO", "KETENREGIE_TESTING", "DEBUG", "KETENREGIE_REQUIRE_2FA"])
def test_bad_boolean_is_a_clear_error(tmp_path, name):
    result = run(IMPORT, {**secure_env(tmp_path), name: "maybe"}, tmp_path)

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {name}='maybe' is not a boolean: use true or false." in result.stderr


def test_bad_number_is_a_clear_error(tmp_path):
    result = run(IMPORT, {**secure_env(tmp_path), "KETENREGIE_IDLE_MINUTES": "half an hour"}, tmp_path)

    assert result.returncode != 0
    assert "KETENREGIE_IDLE_MINUTES='half an hour' is not a whole number." in result.stderr


def test_demo_mode_needs_no_secrets(tmp_path):
    result = run(IMPORT, {"KETENREGIE_DEMO": "true"}, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok False False False"


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {**secure_env(tmp_path), "DJANGO_SETTINGS_MODULE": "ketenregie.settings"}

    result = run(["-m", "django", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_migrations_match_the_models_of_the_foundation(tmp_path):
    """No model change of accounts, audit or chains without its migration (and none from unstable ordering)."""
    env = {
        "KETENREGIE_TESTING": "true",
        "KETENREGIE_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "ketenregie.settings",
    }

    result = run(["-m", "django", "makemigrations", "accounts", "audit", "--check", "--dry-run"], env, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
