"""Lexloci settings, driven by the environment.

Every value that differs between a laptop, CI and production is read from an
environment variable through the typed helpers below, which fail loudly on a value
they cannot parse rather than guessing. The embedded default (no variables set but
DEBUG=1) is SQLite and in-process Celery, so `make run` needs no other service.
"""

import ipaddress
import os
import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer; got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# Production-safe by default. Under pytest (which sets PYTEST_VERSION) the default is
# the development configuration that `make test` sets, so a bare `pytest` needs no
# variables; DEBUG=0 still wins (tests/test_settings.py checks production's refusals).
DEBUG = env_bool("DEBUG", default="PYTEST_VERSION" in os.environ)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off Lexloci refuses to start without a "
            "secret key: set SECRET_KEY to a long random string (or DEBUG=1 for development)."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-lexloci-0000000000"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "accounts",
    "outbox",
    "jurisdictions",
    "requests_app",
    "cases",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Before anything reads a body (CSRF's process_view reads request.POST): 413 on size.
    "accounts.middleware.RequestSizeLimitMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    # The signed-in person's time zone for the page (not the API: UTC).
    "accounts.middleware.UserTimeZoneMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "cases.context_processors.notifications",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# --- Database -----------------------------------------------------------------
# DATABASE_URL unset: an SQLite file in the project (the embedded default).
# PostgreSQL: persistent connections with health checks, or psycopg's pool when
# DATABASE_POOL=1 (the two are exclusive in Django: a pool needs CONN_MAX_AGE=0).
#
# Two roles in production (README.md, "Database roles"): DATABASE_URL is the app's
# role, which owns nothing and may not rewrite the audit record (cases/database_role.py);
# the optional MIGRATION_DATABASE_URL is the role owning the tables. When it is set,
# `manage.py migrate` and `manage.py grant_app_role` connect as the owner: the whole
# process, so a data migration's queries run as the owner too, whatever alias they
# use. Every other command and process connects as DATABASE_URL (APP_DATABASE), and
# the web and worker processes are never given the owner's URL.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'lexloci.sqlite3'}")
MIGRATION_DATABASE_URL = env_str("MIGRATION_DATABASE_URL")
OWNER_COMMANDS = ("migrate", "grant_app_role")
AS_OWNER = bool(MIGRATION_DATABASE_URL) and len(sys.argv) > 1 and sys.argv[1] in OWNER_COMMANDS
DATABASE_POOL = env_bool("DATABASE_POOL", default=False)


def database(url: str, variable: str, *, pool: bool) -> dj_database_url.DBConfig:
    try:
        db = dj_database_url.parse(
            url,
            conn_max_age=0 if pool else env_int("DATABASE_CONN_MAX_AGE", 600),
            conn_health_checks=not pool,
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"{variable} is not a usable database URL: {exc}") from None
    if db["ENGINE"] == "django.db.backends.sqlite3":
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets the web process read while a task writes; a busy timeout instead of
        # "database is locked" errors under the in-process task runner.
        db["OPTIONS"] = {
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
        }
        db["CONN_MAX_AGE"] = 0
        db["CONN_HEALTH_CHECKS"] = False
    elif db["ENGINE"] == "django.db.backends.postgresql":
        db.setdefault("OPTIONS", {})
        db["OPTIONS"]["connect_timeout"] = env_int("DATABASE_CONNECT_TIMEOUT", 5)
        # Django turns prepared statements off (None) for the sake of transaction-mode
        # PgBouncer. Its ORM cursors bind client-side and never prepare anyway; only the
        # status endpoint's hand-written query asks to be prepared (cases/api.py), so
        # this enables just that. DATABASE_PREPARED_STATEMENTS=0 behind such a pooler.
        if env_bool("DATABASE_PREPARED_STATEMENTS", default=True):
            db["OPTIONS"]["prepare_threshold"] = 5
        if pool:
            db["OPTIONS"]["pool"] = {"min_size": 2, "max_size": env_int("DATABASE_POOL_SIZE", 10)}
    return db


# The status endpoint keeps cases' ETags per process, told by PostgreSQL's NOTIFY when
# one changes (cases/etag_cache.py). Off behind a pooler in transaction mode (PgBouncer),
# which does not carry LISTEN: each poll then reads the ETag from the row.
DATABASE_LISTEN = env_bool("DATABASE_LISTEN", default=True)

APP_DATABASE = database(DATABASE_URL, "DATABASE_URL", pool=DATABASE_POOL)
DATABASES = {
    "default": database(MIGRATION_DATABASE_URL, "MIGRATION_DATABASE_URL", pool=False) if AS_OWNER else APP_DATABASE
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Celery ---------------------------------------------------------------------
# REDIS_URL unset: tasks run in-process, eagerly, when they are enqueued.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 120)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 180)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    # Longer than any task may run (CELERY_TASK_TIME_LIMIT), short enough that a task
    # whose worker died (OOM, lost node) is redelivered within minutes, not an hour.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 360),
}
CELERY_TIMEZONE = "UTC"
# django-celery-beat does not support Django 6.1: beat's schedule lives here.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "reanalyse-open-cases-nightly": {
        "task": "cases.tasks.reanalyse_open_cases",
        "schedule": crontab(hour=2, minute=0),
    },
    # Reminders go out within 15 minutes of a deadline entering a window.
    "send-deadline-reminders": {
        "task": "cases.tasks.send_deadline_reminders",
        "schedule": crontab(minute="*/15"),
    },
    "open-customer-notice-tasks": {
        "task": "cases.tasks.open_customer_notice_tasks",
        "schedule": crontab(minute=5),
    },
    # A backstop for the relay process (`manage.py relay_outbox`).
    "relay-outbox": {"task": "outbox.relay", "schedule": 30.0},
}

# --- Webhooks (cases/webhook_security.py) --------------------------------------------
# Endpoint URLs must be https (http only with DEBUG on) and resolve to public addresses
# only, checked on registration and on every delivery. True lifts the address check
# (tests' loopback receivers, a development box): never in production, where it makes
# the server a proxy into its own network.
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", default=False)
# Signing secrets are stored encrypted under a key derived (HKDF) from this value, or
# from SECRET_KEY (and SECRET_KEY_FALLBACKS) when it is unset. To rotate it, put the
# old value in WEBHOOK_SECRET_KEY_FALLBACKS (comma-separated) until every endpoint has
# been saved again.
WEBHOOK_SECRET_KEY = env_str("WEBHOOK_SECRET_KEY")
WEBHOOK_SECRET_KEY_FALLBACKS = env_list("WEBHOOK_SECRET_KEY_FALLBACKS", [])

# --- Cache ----------------------------------------------------------------------
# REDIS_URL set: one cache shared by every process and machine, Django's built-in Redis
# backend, so the API throttle (accounts/api.py TokenRateThrottle) counts a token's
# requests wherever they land. Unset: local memory, per process (the embedded default).
# Short timeouts: the throttle lets a request through when the cache does not answer,
# so a request never waits long on a Redis that is down or hanging.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "lexloci"),
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lexloci"}}
# How long an API token, its user and roles stay cached (accounts/tokens.py). A revoked
# token or a changed role is dropped at once; this bounds what a cache that missed the
# drop (Redis unreachable for that moment) may still answer.
API_TOKEN_CACHE_SECONDS = env_int("API_TOKEN_CACHE_SECONDS", 30)

# --- Auth ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # ASVS 2.1.1: at least 12 characters.
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# User names compare case- and width-insensitively (accounts/security.py): the name
# the login throttle counts is the name that logs in.
AUTHENTICATION_BACKENDS = ["accounts.security.FoldedUsernameBackend"]
# load_demo gives its users the published demo passwords only on a development
# configuration: DEBUG as configured (a test run turns DEBUG itself off).
DEMO_PUBLISHED_PASSWORDS = DEBUG
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Login throttling (accounts/security.py, counted in the database): within the window,
# this many failures for one user name at one address lock that name there, for any
# name from one address lock the address, for one name from any address lock the name,
# each for the lockout (seconds).
LOGIN_THROTTLE_FAILURES = env_int("LOGIN_THROTTLE_FAILURES", 5)
LOGIN_THROTTLE_ADDRESS_FAILURES = env_int("LOGIN_THROTTLE_ADDRESS_FAILURES", 20)
LOGIN_THROTTLE_USER_FAILURES = env_int("LOGIN_THROTTLE_USER_FAILURES", 20)
LOGIN_THROTTLE_WINDOW = env_int("LOGIN_THROTTLE_WINDOW", 15 * 60)
LOGIN_THROTTLE_LOCKOUT = env_int("LOGIN_THROTTLE_LOCKOUT", 15 * 60)
# The TLS proxies in front (addresses or networks, comma-separated). A request from one
# of them is counted by the client address it forwards (X-Forwarded-For); unset, by
# REMOTE_ADDR, so every client behind an unnamed proxy shares the proxy's counts.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an address or network") from None
# Sessions: a login lasts SESSION_COOKIE_AGE seconds (12 hours, ASVS 3.3.2) however
# active. SESSION_SAVE_EVERY_REQUEST=1 makes it an idle timeout instead (the age counts
# from the last request; set the age to e.g. 1800), at a session write per request.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = env_bool("SESSION_SAVE_EVERY_REQUEST", default=False)

# --- I18N ---------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
if DEBUG:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns when it is missing
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))


def s3_storage(url: str) -> dict:
    """STORAGES["default"] for STORAGE_URL, an S3-compatible bucket every machine shares:

        s3://KEY:SECRET@HOST[:PORT]/BUCKET[/PREFIX][?region=REGION&addressing=path|virtual]

    `s3://` (or `s3+https://`) speaks HTTPS to HOST, `s3+http://` plain HTTP (a store
    on loopback or a private network only). KEY and SECRET are percent-encoded; left
    out, boto3 finds credentials itself (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, an
    instance role). region defaults to us-east-1, addressing to path-style (what
    SeaweedFS and MinIO expect). The bucket must exist. Objects get no ACL (the
    bucket's own, private) and are only ever read through the app's permission-checked
    views; a URL the storage would sign is never put on a page.
    """
    from urllib.parse import parse_qs, unquote, urlsplit

    from botocore.config import Config

    schemes = {"s3": "https", "s3+https": "https", "s3+http": "http"}
    try:
        parts = urlsplit(url)
        port = parts.port
        query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError as exc:
        raise ImproperlyConfigured(f"STORAGE_URL is not a usable URL: {exc}") from None
    if parts.scheme not in schemes:
        raise ImproperlyConfigured(
            f"STORAGE_URL must start with s3://, s3+https:// or s3+http://; got {parts.scheme!r}"
        )
    bucket, _, prefix = parts.path.strip("/").partition("/")
    if not parts.hostname or not bucket:
        raise ImproperlyConfigured("STORAGE_URL must name the host and the bucket: s3://KEY:SECRET@HOST[:PORT]/BUCKET")
    if unknown := set(query) - {"region", "addressing"}:
        raise ImproperlyConfigured(f"STORAGE_URL has unknown parameters {sorted(unknown)}; known: region, addressing")
    addressing = query.get("addressing", ["path"])[-1]
    if addressing not in ("path", "virtual"):
        raise ImproperlyConfigured(f"STORAGE_URL addressing must be path or virtual; got {addressing!r}")
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    options: dict = {
        "bucket_name": bucket,
        "location": prefix,
        "endpoint_url": f"{schemes[parts.scheme]}://{host}" + (f":{port}" if port else ""),
        "region_name": query.get("region", ["us-east-1"])[-1] or "us-east-1",
        "default_acl": None,  # no public-read: the bucket's private default
        "querystring_auth": True,  # were a URL ever asked for, signed and short-lived, never public
        "querystring_expire": 60,
        "file_overwrite": False,  # two uploads of "warrant.pdf" in a month are two objects
        "client_config": Config(
            s3={"addressing_style": addressing},
            signature_version="s3v4",
            connect_timeout=5,
            read_timeout=30,
            retries={"max_attempts": 3, "mode": "standard"},
        ),
    }
    if parts.username or parts.password:
        options["access_key"] = unquote(parts.username or "")
        options["secret_key"] = unquote(parts.password or "")
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


# Uploaded documents (warrants, orders, rulings). STORAGE_URL unset: files under
# MEDIA_ROOT on this machine (the embedded default). Set: an S3-compatible bucket
# (s3_storage above), so that any machine serves a document another one received.
STORAGE_URL = env_str("STORAGE_URL")
STORAGES = {
    "default": s3_storage(STORAGE_URL) if STORAGE_URL else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Request bodies (accounts/middleware.py): refused with 413 on their Content-Length,
# before anything reads them. Documents (10 MB PDFs) only on the pages that take one,
# for a signed-in person; 1 MiB for every other request of a signed-in person and the
# API (a demand at the caps of jurisdictions/reach/limits.py is ~150 KB of JSON);
# 64 KiB for anyone else (the login form).
UPLOAD_REQUEST_MAX_BYTES = env_int("UPLOAD_REQUEST_MAX_BYTES", 12 * 1024 * 1024)
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 1024 * 1024)
ANONYMOUS_REQUEST_MAX_BYTES = env_int("ANONYMOUS_REQUEST_MAX_BYTES", 64 * 1024)
UPLOAD_PATHS = [
    r"^/demands/new/$",
    r"^/cases/[0-9]+/(amend|events|contempt-stay)/$",
    r"^/cases/[0-9]+/tracks/[^/]+/[^/]+/$",
    r"^/admin/",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The limit handler first: a multipart body stops as soon as its files pass the limit.
FILE_UPLOAD_HANDLERS = [
    "accounts.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- E-mail -------------------------------------------------------------------
# The console backend only in development: with DEBUG off an unset EMAIL_BACKEND means
# SMTP, never reminders silently printed (and `check --deploy` refuses the console one).
_MAIL_DEFAULT = "django.core.mail.backends." + ("console.EmailBackend" if DEBUG else "smtp.EmailBackend")
_MAIL_BACKEND = env_str("EMAIL_BACKEND", _MAIL_DEFAULT)
_MAIL_OPTIONS: dict = {}
if _MAIL_BACKEND.endswith("smtp.EmailBackend"):
    _MAIL_OPTIONS = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25),
        "username": env_str("EMAIL_HOST_USER"),
        "password": env_str("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", default=False),
        "timeout": env_int("EMAIL_TIMEOUT", 10),
    }
MAILERS = {"default": {"BACKEND": _MAIL_BACKEND, "OPTIONS": _MAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "lexloci@localhost")

# --- Security -----------------------------------------------------------------
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Behind a TLS-terminating proxy (docker-compose, a load balancer).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- REST framework -----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["accounts.api.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"client": env_str("API_RATE", "6000/minute")},
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "accounts.api.IdCursorPagination",
    "EXCEPTION_HANDLER": "accounts.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["accounts.api.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# The API's public base URL for its documents' `servers` (e.g. https://lexloci.example.net);
# unset, the host the schema is asked from.
API_SERVER_URL = env_str("API_SERVER_URL", "")
SPECTACULAR_SETTINGS = {
    "TITLE": "Lexloci API",
    "DESCRIPTION": "Government data demands, their reach analysis and case status.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its viewers: a role of the team or an API client's token, as any read.
    "SERVE_PERMISSIONS": ["accounts.roles.CanRead"],
    # Swagger UI and Redoc from the vendored sidecar package: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No deep links: Swagger UI draws each one as a link inside the operation's toggle
    # button, which keyboards and screen readers cannot tell apart (axe: nested-interactive).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    # Redoc's default theme asks for Google Fonts; the pages fetch nothing from outside
    # (templates/api/redoc.html drops the font link), so it uses the site's system fonts.
    "REDOC_UI_SETTINGS": {
        "theme": {
            "typography": {
                "fontFamily": 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
                "headings": {"fontFamily": 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif'},
                "code": {"fontFamily": "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"},
            }
        }
    },
    "COMPONENT_SPLIT_REQUEST": True,
    # Strings without NUL, ids as integers, and the links from lists to records to
    # workflow steps (accounts.api.publish_contract) after the enums are named.
    # Then one tag per resource (Redoc's sections) and the requesting host as the
    # server, unless API_SERVER_URL names the public one (config/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "accounts.api.publish_contract",
        "config.api_schema.tag_operations",
        "config.api_schema.serve_from_request",
    ],
    "SERVERS": [{"url": API_SERVER_URL, "description": "Lexloci API"}] if API_SERVER_URL else [],
    # One name for each set of choices the fields share.
    "ENUM_NAME_OVERRIDES": {
        "ContemptKindEnum": "cases.models.ContemptKind",
        "AppealDispositionEnum": "cases.models.AppealDisposition",
        "ProductionDispositionEnum": "cases.models.ProductionItem.Disposition",
        "DocumentKindEnum": "cases.models.CaseDocument.Kind",  # `kind`: CaseTask's and the deadlines' too
        "DeadlineKindEnum": "cases.models.Deadline.Kind",
        "ManualDeadlineKindEnum": "cases.serializers.MANUAL_DEADLINE_CHOICES",
        "CourtEventKindEnum": "cases.serializers.COURT_EVENT_CHOICES",
        "RequestKindEnum": "jurisdictions.models.Kind",
        "DemandRequestKindEnum": "requests_app.models.RequestKind",  # `request_kind`: the name above is taken
        "PendingRuleEnum": "jurisdictions.models.PendingRule",
        "DataCategoryEnum": "jurisdictions.models.Category",
        "StateEnum": "cases.models.Deadline.State",  # its name before the sign-off's state came
        "SignOffStateEnum": "cases.sign_off.STATE_CHOICES",
    },
}

# --- Logging ------------------------------------------------------------------
# Every handler redacts API keys, Authorization values and e-mail-like identifiers.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "config.log_redaction.RedactingFilter"},
        "forbidden_without_traceback": {"()": "accounts.log_filters.ForbiddenWithoutTraceback"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # A 403 is one warning line, not a traceback (accounts/log_filters.py).
    "loggers": {"django.request": {"filters": ["forbidden_without_traceback"]}},
}

# --- Lexloci ------------------------------------------------------------------
# The directory of the catalogue's data files that `load_catalogue` reads.
CATALOGUE_DIR = BASE_DIR / "jurisdictions" / "catalogue"
# Transparency report: issuing countries with fewer demands than this in a period are
# shown together as "Other", as published reports do.
TRANSPARENCY_MIN_COUNT = env_int("TRANSPARENCY_MIN_COUNT", 5)
