"""Django settings of kofo, read from environment variables (docs/configuration.md).

Secrets never live in the repository: ``KOFO_SECRET_KEY`` comes from the environment, and a
production process (``KOFO_DEBUG`` off) refuses to start without it.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from kofo import limits

PACKAGE_DIR = Path(__file__).resolve().parent

_TRUE = {"1", "true", "yes", "on", "ja"}


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in _TRUE


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("KOFO_DEBUG", False)

# Where kofo keeps its files: the embedded database, archived imports, documents.
DATA_DIR = Path(os.environ.get("KOFO_DATA_DIR", "var")).resolve()

# A development key, accepted only with KOFO_DEBUG=1. Production must set KOFO_SECRET_KEY.
DEFAULT_SECRET_KEY = "kofo-development-only-not-secret"  # noqa: S105 - refused outside debug
SECRET_KEY = os.environ.get("KOFO_SECRET_KEY", "").strip() or DEFAULT_SECRET_KEY
if SECRET_KEY == DEFAULT_SECRET_KEY and not DEBUG:
    raise ImproperlyConfigured(
        "KOFO_SECRET_KEY ist nicht gesetzt. Im Produktivbetrieb (KOFO_DEBUG aus) startet kofo nur mit einem "
        "eigenen geheimen Schlüssel, z. B. KOFO_SECRET_KEY=$(python -c 'import secrets; "
        "print(secrets.token_urlsafe(50))')."
    )
if not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("KOFO_SECRET_KEY ist zu kurz: mindestens 32 Zeichen.")

ALLOWED_HOSTS = env_list("KOFO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("KOFO_CSRF_TRUSTED_ORIGINS", "")

# Behind TLS (production) cookies are sent over HTTPS only.
HTTPS = env_bool("KOFO_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("KOFO_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60  # one working day
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_tasks",
    "kofo.audit",
    "kofo.partners",
    "kofo.ledger",
    "kofo.debtors",
    "kofo.cases",
    "kofo.intake",
    "kofo.payments",
    "kofo.documents",
    "kofo.web",
    "kofo.api",
    "kofo.demo",
]

# Background work goes through Django's task interface (DESIGN.md). The default runs each task at once in
# the calling process; KOFO_TASKS_BACKEND names another backend class (e.g. django-tasks-db's database
# backend) for offices that run separate worker processes.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("KOFO_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"),
    }
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: answers locked-out logins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kofo.urls"
WSGI_APPLICATION = "kofo.wsgi.application"
ASGI_APPLICATION = "kofo.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kofo.web.context.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'kofo.sqlite3'}"
DATABASE_URL = os.environ.get("KOFO_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASE_URL == DEFAULT_DATABASE_URL:
        # The embedded database needs its folder; create it so `kofo migrate` works on a fresh machine.
        DATA_DIR.mkdir(parents=True, exist_ok=True)
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        # Writers queue instead of failing; WAL lets readers run beside the writer.
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    _db.setdefault("TEST", {})["NAME"] = ":memory:"
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # One test database per test process, so parallel runs on one server do not collide.
    _db.setdefault("TEST", {})["NAME"] = os.environ.get("KOFO_TEST_DATABASE_NAME", f"kofo_test_{os.getpid()}")
else:
    raise ImproperlyConfigured(
        f"KOFO_DATABASE_URL: Datenbank {_db['ENGINE']!r} wird nicht unterstützt (nur SQLite und PostgreSQL)."
    )
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:dashboard"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a username on an address after repeated failures.
AXES_FAILURE_LIMIT = limits.LOGIN_FAILURES_MAX
AXES_COOLOFF_TIME = limits.LOGIN_LOCKOUT_HOURS
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_VERBOSE = False

# --- Locale ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "de-de"
LANGUAGES = [("de", "Deutsch")]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
# The Land whose public holidays count for legal periods (§ 108 AO, § 193 BGB): Saarland by default.
KOFO_LAND = os.environ.get("KOFO_LAND", "SL")
# How one payment is shared across the creditors of one debtor (LAW.md: a setting of the office):
# "oldest_due_first" (default) or "pro_rata".
KOFO_ALLOCATION_POLICY = os.environ.get("KOFO_ALLOCATION_POLICY", "oldest_due_first")
# Folder watched by `kofo payments inbox` for bank files (camt XML or ZIP); empty: DATA_DIR/inbox/bank.
KOFO_BANK_INBOX = os.environ.get("KOFO_BANK_INBOX", "").strip()
# An administrator's folder of letter templates that override the shipped ones (same names; a subfolder per
# regime, e.g. svwvg_sl/letters/zahlungsaufforderung.html); empty: the shipped texts (docs/documents.md).
KOFO_LETTER_TEMPLATES = os.environ.get("KOFO_LETTER_TEMPLATES", "").strip()
# Letters to recipients with an electronic address: "off" (everything by post, the default) or "outbox"
# (the PDF is written to KOFO_DOCUMENT_OUTBOX for the office's transport, e.g. a De-Mail or EGVP gateway).
KOFO_ELECTRONIC_DELIVERY = os.environ.get("KOFO_ELECTRONIC_DELIVERY", "off").strip()
KOFO_DOCUMENT_OUTBOX = os.environ.get("KOFO_DOCUMENT_OUTBOX", "").strip()

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Limits (rules of the house, no. 7) -----------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = limits.REQUEST_BODY_BYTES_MAX
FILE_UPLOAD_MAX_MEMORY_SIZE = limits.UPLOAD_IN_MEMORY_BYTES_MAX
DATA_UPLOAD_MAX_NUMBER_FIELDS = limits.FORM_FIELDS_MAX

# --- Logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KOFO_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}, "django_tasks": {"level": "WARNING"}},
}
