"""Settings come from environment variables with safe defaults.

Embedded default: SQLite (WAL) in ``CONCORD_DATA_DIR`` (``./var``). Production: set
``DATABASE_URL`` (PostgreSQL), ``CONCORD_SECRET_KEY``, ``CONCORD_ALLOWED_HOSTS`` and
``CONCORD_HTTPS=1``; then ``concord check --deploy`` passes.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DATA_DIR = Path(os.environ.get("CONCORD_DATA_DIR", PROJECT_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)


def key_file(name: str, make) -> str:
    """A key kept in the data directory, made once by ``make()``."""
    path = DATA_DIR / name
    if not path.exists():
        # Written aside then linked into place: two processes starting at once (test
        # workers, a server and a command) never read a half-written or a different key.
        fd, tmp = tempfile.mkstemp(dir=DATA_DIR, prefix=f".{name}.")
        try:
            os.write(fd, make().encode())
            os.close(fd)
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()


def _secret_key() -> str:
    """A key from the environment, else one generated once and kept in the data directory."""
    if os.environ.get("CONCORD_SECRET_KEY"):
        return os.environ["CONCORD_SECRET_KEY"]
    return key_file("secret_key", lambda: secrets.token_urlsafe(64))


SECRET_KEY = _secret_key()
DEBUG = env_bool("CONCORD_DEBUG", False)
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("CONCORD_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
HTTPS = env_bool("CONCORD_HTTPS", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "concord.core",
    "concord.operations",
    "concord.labour",
    "concord.accountability",
    "concord.learning",
    "concord.roster",
    "concord.administration",
    "concord.jobs",
    "concord.signin",
    "concord.webhooks",
    "concord.notifications",
    "concord.synthetic",
    "concord.web",
    "concord.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files: precompressed, cached
    # Pages and API answers compressed (a 4W analysis: 222 KB -> about 25 KB). Django pads
    # each compressed body with random bytes, against BREACH-style length guessing.
    "django.middleware.gzip.GZipMiddleware",
    "concord.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Two-factor sign-in: request.user.is_verified(), then the signin capability's gate (a
    # signed-in user who must give a code or enrol reaches only those pages; sessions are
    # recorded for the account page).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "concord.signin.middleware.SignInMiddleware",
    "concord.signin.middleware.LanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "concord.core.context.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "concord.urls"
WSGI_APPLICATION = "concord.wsgi.application"

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
                "concord.web.navigation.context",
                "concord.jobs.context.jobs",
            ],
        },
    }
]

# --- storage -------------------------------------------------------------------------------
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("CONCORD_SQLITE_PATH", str(DATA_DIR / "concord.sqlite3")),
            "OPTIONS": {
                # WAL lets readers and one writer work at once; IMMEDIATE avoids
                # the upgrade deadlock when two writers start as readers.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;"
                ),
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# --- authentication and sessions ---------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

# Login throttling: 5 failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("CONCORD_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("CONCORD_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "web/locked_out.html"
AXES_VERBOSE = False
# The one-time code of the second sign-in step is never written to axes's log of attempts.
AXES_SENSITIVE_PARAMETERS = ["password", "code"]

# Two-factor sign-in (concord.signin): a wrong code counts as a failed sign-in for django-axes
# (the limit and cool-off above), so django-otp's own exponential delay is off (one lock-out).
CONCORD_SIGNIN_SECOND_STEP = "concord.signin.flow.after_password"
OTP_TOTP_ISSUER = os.environ.get("CONCORD_TOTP_ISSUER", "Concord")
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
PASSWORD_RESET_TIMEOUT = int(os.environ.get("CONCORD_PASSWORD_RESET_SECONDS", str(3 * 3600)))

# API authentication throttling: more than 20 failed tokens (or calendar-feed secrets) from one
# address within 5 minutes, and that address gets 429 until they age out (concord.api.throttle).
API_AUTH_FAILURE_LIMIT = int(os.environ.get("CONCORD_API_AUTH_FAILURE_LIMIT", "20"))
API_AUTH_FAILURE_WINDOW = int(os.environ.get("CONCORD_API_AUTH_FAILURE_WINDOW_SECONDS", "300"))

SESSION_COOKIE_AGE = int(os.environ.get("CONCORD_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and not env_bool("CONCORD_BEHIND_PROXY_NO_REDIRECT", False)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("CONCORD_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("CONCORD_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# --- static files (from npm, served by whitenoise; never a CDN) --------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [
    ("vendor/htmx", PROJECT_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/pico", PROJECT_DIR / "node_modules" / "@picocss" / "pico" / "css"),
    ("vendor/swagger-ui", PROJECT_DIR / "node_modules" / "swagger-ui-dist"),
]
STATICFILES_DIRS = [(prefix, path) for prefix, path in STATICFILES_DIRS if path.exists()]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "concord.api.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["concord.api.permissions.ScopedPermission"],
    "DEFAULT_PAGINATION_CLASS": "concord.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "concord.api.pagination.StableOrdering",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "concord.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Concord API",
    "DESCRIPTION": "The REST surface of Concord. Every endpoint applies the same "
    "partner-scoped confidentiality rules as the web UI.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from our own static files (npm swagger-ui-dist), never a CDN.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui/favicon-32x32.png",
    # Choice sets used by several fields get one name each in the schema.
    # Every operation's error answers, in the one shape of concord.api.errors.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "concord.api.schema.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CaseStateEnum": "concord.accountability.models.cases.CaseState",
        "DueStateEnum": "concord.accountability.api.reporting.DUE_STATES",
        "ClassificationEnum": "concord.core.models.security.Classification",
        "RoleEnum": "concord.core.models.security.Role",
        "ScenarioEnum": "concord.operations.models.Scenario",
        "ExpertiseLevelEnum": "concord.roster.models.experts.Level",
        "CefrLevelEnum": "concord.roster.api.CEFR",
    },
}

# --- background jobs (concord.jobs, docs/jobs.md) ----------------------------------------------
# The queue is a table in Concord's own database (django-tasks' database backend): no other
# server, on SQLite as on PostgreSQL. To scale out to Redis, install django-tasks-rq and set
# CONCORD_REDIS_URL (redis://host:6379/0): the tasks then go through RQ, whose workers run
# them (`concord rqworker --job-class django_tasks_rq.Job`), and `concord worker` runs only
# the schedules and the recovery of lost jobs. CONCORD_TASKS_BACKEND names any other backend.
REDIS_URL = os.environ.get("CONCORD_REDIS_URL", "")
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "CONCORD_TASKS_BACKEND",
            "django_tasks_rq.RQBackend" if REDIS_URL else "django_tasks_db.DatabaseBackend",
        ),
    }
}
if REDIS_URL:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {"default": {"URL": REDIS_URL}}
# Imports and exports on the web pages above this many rows run as jobs.
CONCORD_JOBS_ROWS_THRESHOLD = int(os.environ.get("CONCORD_JOBS_ROWS_THRESHOLD", "10000"))
# A running job writes a heartbeat every few seconds; one silent for longer than the stale
# limit lost its worker and is retried, up to the attempts limit, then failed with its reason.
CONCORD_JOBS_HEARTBEAT_SECONDS = float(os.environ.get("CONCORD_JOBS_HEARTBEAT_SECONDS", "2"))
CONCORD_JOBS_STALE_SECONDS = float(os.environ.get("CONCORD_JOBS_STALE_SECONDS", "60"))
CONCORD_JOBS_MAX_ATTEMPTS = int(os.environ.get("CONCORD_JOBS_MAX_ATTEMPTS", "3"))
# Results (and the jobs themselves) are deleted this many days after they finish.
CONCORD_JOBS_KEEP_DAYS = int(os.environ.get("CONCORD_JOBS_KEEP_DAYS", "7"))

# --- limits, locale, logging ----------------------------------------------------------
CONCORD_IMPORT_MAX_BYTES = int(os.environ.get("CONCORD_IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))
# What one imported table may hold (a 3W of a whole country is about 11,000 rows and 30
# columns), and what an XLSX may unpack to: beyond, the file is refused before it is read.
CONCORD_IMPORT_MAX_ROWS = int(os.environ.get("CONCORD_IMPORT_MAX_ROWS", "50000"))
CONCORD_IMPORT_MAX_COLUMNS = int(os.environ.get("CONCORD_IMPORT_MAX_COLUMNS", "300"))
CONCORD_IMPORT_MAX_UNPACKED_BYTES = int(
    os.environ.get("CONCORD_IMPORT_MAX_UNPACKED_BYTES", str(200 * 1024 * 1024))
)
DATA_UPLOAD_MAX_MEMORY_SIZE = CONCORD_IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Webhooks (docs/webhooks.md): destinations the administrator allows, host names and/or CIDR
# ranges, comma-separated; empty: webhooks are refused until configured.
CONCORD_WEBHOOK_ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("CONCORD_WEBHOOK_ALLOWED_HOSTS", "").split(",") if h.strip()
]
CONCORD_WEBHOOK_TIMEOUT = float(os.environ.get("CONCORD_WEBHOOK_TIMEOUT", "10"))
CONCORD_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("CONCORD_WEBHOOK_MAX_ATTEMPTS", "6"))
CONCORD_WEBHOOK_PAUSE_AFTER = int(os.environ.get("CONCORD_WEBHOOK_PAUSE_AFTER", "10"))
CONCORD_WEBHOOK_BACKOFF = float(os.environ.get("CONCORD_WEBHOOK_BACKOFF", "60"))
CONCORD_WEBHOOK_CONCURRENCY = int(os.environ.get("CONCORD_WEBHOOK_CONCURRENCY", "8"))
# The address people reach Concord at, for absolute links in webhook payloads and e-mails.
CONCORD_SITE_URL = os.environ.get("CONCORD_SITE_URL", "")
# The interface in English and French (docs/translating.md): a signed-in user's choice is
# stored on the account (concord.signin.middleware.LanguageMiddleware); before sign-in, the
# language cookie set by the switch in the footer, then the browser's Accept-Language.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
# The catalogues of the packages that are not Django apps (the API, the exchange framework);
# each app's own locale/ is found without being listed.
LOCALE_PATHS = [BASE_DIR / "api" / "locale", BASE_DIR / "exchange" / "locale"]
LANGUAGE_COOKIE_NAME = "concord_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
FORMAT_MODULE_PATH = ["concord.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
EMAIL_BACKEND = os.environ.get(
    "CONCORD_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("CONCORD_FROM_EMAIL", "concord@localhost")
CONCORD_INVITATION_DAYS = int(os.environ.get("CONCORD_INVITATION_DAYS", "7"))
EMAIL_HOST = os.environ.get("CONCORD_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CONCORD_EMAIL_PORT", "25"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CONCORD_LOG_LEVEL", "WARNING")},
}
