"""Ketenregie settings: one file, driven by the environment (12-factor).

Three modes: production (the default), demo (``KETENREGIE_DEMO=true``) and test
(``KETENREGIE_TESTING=true``, set by the test runner). Production refuses to start with
an insecure setting and says which one and how to fix it.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


TESTING = env_bool("KETENREGIE_TESTING", False)
DEMO = env_bool("KETENREGIE_DEMO", False)
PRODUCTION = not (TESTING or DEMO)

DATA_DIR = Path(os.environ.get("KETENREGIE_DATA_DIR", Path.cwd() / "data")).resolve()
MEDIA_ROOT = Path(os.environ.get("KETENREGIE_MEDIA_ROOT", DATA_DIR / "media")).resolve()

_INSECURE_KEY = "insecure-demo-and-test-key-never-use-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", "" if PRODUCTION else _INSECURE_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "ketenregie.common.views.csrf_failure"

# Two-factor is on for everyone unless explicitly switched off; demo mode defaults to off.
REQUIRE_2FA = env_bool("KETENREGIE_REQUIRE_2FA", not (DEMO or TESTING))

# Session lifetimes (minutes / hours), see SECURITY.md A6.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("KETENREGIE_IDLE_MINUTES", 30, minimum=1))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env_int("KETENREGIE_SESSION_HOURS", 12, minimum=1))


def production_problems() -> list[str]:
    """Every insecure setting of a production start, each with how to fix it."""
    problems = []
    if len(SECRET_KEY) < 50 or SECRET_KEY == _INSECURE_KEY:
        problems.append(
            "SECRET_KEY is missing or shorter than 50 characters: set it to a long random value, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
        )
    if DEBUG:
        problems.append("DEBUG is on: set DEBUG=false (it shows stack traces with case data).")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS is empty or '*': set it to the host names, e.g. ALLOWED_HOSTS=keten.genk.be.")
    if not REQUIRE_2FA:
        problems.append("KETENREGIE_REQUIRE_2FA is off: two-factor login is required in production, remove it.")
    if not os.environ.get("KETENREGIE_FIELD_KEYS"):
        problems.append(
            "KETENREGIE_FIELD_KEYS is not set: set it to one or more comma-separated encryption keys "
            "(`ketenregie generate_field_key`), newest first."
        )
    return problems


if PRODUCTION and not env_bool("KETENREGIE_SKIP_PRODUCTION_CHECK", False):
    _problems = production_problems()
    if _problems:
        raise ImproperlyConfigured(
            "Ketenregie refuses to start in production mode with insecure settings:\n- "
            + "\n- ".join(_problems)
            + "\n(For a local trial, run with KETENREGIE_DEMO=true instead.)"
        )

INSTALLED_APPS = [
    "ketenregie.common",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp.plugins.otp_email",  # the e-mail code of "Mijn traject" (ketenregie/portal)
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "ninja",  # serves Swagger UI from our own static files (no CDN, CSP-friendly)
    "ketenregie.audit",
    "ketenregie.chains",
    "ketenregie.accounts",
    "ketenregie.cases",
    "ketenregie.consent",
    "ketenregie.network",
    "ketenregie.plans",
    "ketenregie.meetings",
    "ketenregie.followup",
    "ketenregie.threads",
    "ketenregie.portal",
    "ketenregie.privacy",
    "ketenregie.reports",
    "ketenregie.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ketenregie.common.middleware.RequestContextMiddleware",
    "ketenregie.api.middleware.ApiProblemMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before the session timeout, which tells the user why they have to log in again.
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ketenregie.accounts.middleware.TokenAuthenticationMiddleware",
    "ketenregie.portal.middleware.PortalConfinementMiddleware",
    "ketenregie.accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "ketenregie.accounts.middleware.TwoFactorRequiredMiddleware",
    "ketenregie.common.middleware.ChainScopeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ketenregie.common.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ketenregie.urls"
WSGI_APPLICATION = "ketenregie.wsgi.application"

# Widgets written in Python, the same HTML as Django's widget templates (ketenregie/common/form_renderer.py).
FORM_RENDERER = "ketenregie.common.form_renderer.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ketenregie.common.context_processors.ketenregie",
                "ketenregie.common.context_processors.nav_items",
            ],
        },
    }
]

# --- Database ---------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "ketenregie.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Durability on the embedded database (SECURITY.md R4): WAL, fsync on commit, and write
    # transactions that take the lock up front so concurrent writers queue instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
        }
    )
# A PostgreSQL streaming replica for report reads (ketenregie/common/db_router.py); tests mirror default.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=600, conn_health_checks=True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["ketenregie.common.db_router.ReplicaRouter"]
# PostgreSQL: parameters bound on the server and statements prepared once a connection has run them
# twice. A page runs the same few queries every time; PostgreSQL then plans each once per connection
# instead of on every request, which was half of a page's time in the database. A PgBouncer in
# transaction mode keeps no prepared statements: KETENREGIE_DB_PREPARED=false there (docs/deploy.md).
# A utility statement (SET, COMMENT …) then takes no bound parameter: write its value as a literal.
if env_bool("KETENREGIE_DB_PREPARED", True):
    for database in DATABASES.values():
        if database["ENGINE"] == "django.db.backends.postgresql":
            database.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions --------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "ketenregie.common.cache.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
else:
    # Without Redis the cache must still be shared by every worker process of this server: cached
    # figures are invalidated by a token in the cache (ketenregie/common/chain_version.py), and a
    # per-process memory cache would let one worker serve what another has just invalidated.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_NAME = "ketenregie_session"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PRODUCTION

# --- Authentication ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "ketenregie.accounts.backends.UsernameOrEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "ketenregie.accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "ketenregie.accounts.validators.ContextWordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 30  # single-use links valid 30 minutes (SECURITY.md A5)
OTP_TOTP_ISSUER = "Ketenregie"

# Brute-force lockout per (username, IP): an attacker from elsewhere cannot lock a user out.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = env_int("KETENREGIE_LOCKOUT_ATTEMPTS", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("KETENREGIE_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "ketenregie.accounts.backends.lockout_username"
AXES_LOCKOUT_CALLABLE = "ketenregie.accounts.views.locked_out"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("KETENREGIE_PROXY_COUNT", 0)

# --- Internationalisation ------------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "ketenregie_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True  # no script reads it (SECURITY.md H1: HttpOnly cookies)
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

# --- Static and media ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# ketenregie/static belongs to no app (the package itself is not an installed app), so name it.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Demo and test serve straight from the app folders (no collectstatic), so STATIC_ROOT need not exist.
WHITENOISE_AUTOREFRESH = not PRODUCTION
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
KETENREGIE_MAX_UPLOAD_BYTES = env_int("KETENREGIE_MAX_UPLOAD_MB", 10, minimum=1) * 1024 * 1024

# --- Security headers (SECURITY.md H1) ----------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 31_536_000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_bool("KETENREGIE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# --- E-mail ------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ketenregie@localhost")

# --- Ketenregie ----------------------------------------------------------------------------------
# Keys for field-level encryption of sensitive free text (newest first; older ones decrypt only).
KETENREGIE_FIELD_KEYS = env_list("KETENREGIE_FIELD_KEYS", [])
# A page's main part is kept in the cache until the data it shows is written (common/fragments.py).
# Off in tests, whose writes commit in no transaction's end (they roll back): tests that are about
# it switch it on (tests/common/test_fragments.py, the browser journeys).
KETENREGIE_FRAGMENT_CACHE = env_bool("KETENREGIE_FRAGMENT_CACHE", not TESTING)
# How many days after a case is closed its partners can still read their share of it.
KETENREGIE_PARTNER_GRACE_DAYS = env_int("KETENREGIE_PARTNER_GRACE_DAYS", 30)

NINJA_PAGINATION_PER_PAGE = 50

# Reports: a cell counting fewer youths than this is shown as "<N" wherever figures leave the chain
# (exports, PDF, API, the Flemish overview); a chain may raise it. The pseudonyms of the record-level
# export are an HMAC under this key (empty: derived from SECRET_KEY, so rotating that changes them).
KETENREGIE_REPORT_MIN_CELL = env_int("KETENREGIE_REPORT_MIN_CELL", 5, minimum=1)
KETENREGIE_PSEUDONYM_KEY = os.environ.get("KETENREGIE_PSEUDONYM_KEY", "")
# How PostgreSQL plans the report's queries (reports/figures.py planned_for_reports): the price of a
# random read (1.1 for solid-state storage; 4 for spinning disks) and the memory each sort may use.
_page_cost = os.environ.get("KETENREGIE_REPORT_RANDOM_PAGE_COST", "1.1")
try:
    KETENREGIE_REPORT_RANDOM_PAGE_COST = float(_page_cost)
except ValueError:
    KETENREGIE_REPORT_RANDOM_PAGE_COST = float("nan")
if not 0 < KETENREGIE_REPORT_RANDOM_PAGE_COST < 1000:  # also refuses nan
    raise ImproperlyConfigured(f"KETENREGIE_REPORT_RANDOM_PAGE_COST={_page_cost!r} is not a positive number, e.g. 1.1.")
KETENREGIE_REPORT_WORK_MEM = os.environ.get("KETENREGIE_REPORT_WORK_MEM", "32MB")
if not re.fullmatch(r"[1-9][0-9]*(kB|MB|GB)", KETENREGIE_REPORT_WORK_MEM):
    raise ImproperlyConfigured("KETENREGIE_REPORT_WORK_MEM: a whole number and kB, MB or GB, e.g. 32MB")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "axes": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

if TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
