"""Settings shared by every environment.

Everything that differs between machines comes from environment variables, read through
django-environ (`env`, portal/settings/env.py: a bad value stops the start with a message naming
the variable); see the configuration table in README.md. Production (prod.py) refuses to start
without its secrets.
"""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from .env import env

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))


def env_bool(name: str, default: bool = False) -> bool:
    return env.bool(name, default=default)


def env_list(name: str, default: str = "") -> list[str]:
    return env.list(name, default=default)


SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal.admin_site.PortalAdminConfig",  # django.contrib.admin whose every change is audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "portal.staticfiles.StaticFilesConfig",  # django.contrib.staticfiles, without unused vendor bundles
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "guardian",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Our apps, in dependency order (each imports only those above it).
    "portal",
    "organizations",
    "notifications",
    "members",
    "consultations",
    "proposals",
    "hall",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "portal.accounts.middleware.AuthenticationMiddleware",  # Django's, through the cross-request cache
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.accounts.middleware.IdleSessionTimeoutMiddleware",
    "portal.accounts.two_factor.TwoFactorMiddleware",  # after the timeout: an expired session is gone first
    "csp.middleware.CSPMiddleware",
    "portal.middleware.RequestSizeAndEncodingMiddleware",
    "portal.idempotency.IdempotencyMiddleware",
    "axes.middleware.AxesMiddleware",
    "portal.middleware.DatabaseErrorMiddleware",  # near last: sees a view's database error …
    "portal.middleware.TransientDatabaseErrorMiddleware",  # … after a deadlock was run once more
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
AUTH_USER_MODEL = "portal.User"

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
                "csp.context_processors.nonce",
                "portal.context_processors.shell",
            ],
        },
    },
    {
        # Hot list rows only (portal/fragments.py): `<app>/jinja2/` directories, no translations inside
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "portal.fragments.environment"},
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is only the embedded default for a first run; production and CI use PostgreSQL.
DATABASES = {
    "default": dj_database_url.parse(
        env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=0,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's built-in psycopg 3 pool; persistent connections must stay off with it.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN", default=2),
        "max_size": env.int("DB_POOL_MAX", default=10),
        "timeout": 10,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must never answer "database is locked" (web, worker and beat write to
    # one file). WAL lets readers and one writer run side by side; IMMEDIATE takes the write lock
    # when a transaction starts, so a service that reads then writes waits its turn instead of
    # failing to upgrade a read lock (which no busy timeout can fix); the busy timeout is how long
    # it may wait. Background jobs keep their write transactions short (see reports.services).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    })
# Optional read replica (portal/replica.py): dashboards and exports read there inside
# replica_reads(); every other read, and every write, uses "default".
READ_REPLICA = bool(env.str("DATABASE_REPLICA_URL", default=""))
if READ_REPLICA:
    DATABASES["replica"] = dj_database_url.parse(env.str("DATABASE_REPLICA_URL"), conn_max_age=0)
    if DATABASES["replica"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["replica"].setdefault("OPTIONS", {})["pool"] = dict(DATABASES["default"].get("OPTIONS", {}).get(
            "pool", {"min_size": 2, "max_size": 10, "timeout": 10}))
DATABASE_ROUTERS = ["portal.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (Redis when configured) ------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# With a shared cache a steady request reads no database row to know who is signed in: sessions
# are Django's cached_db (read from Redis, written to both), and the same cache read brings the
# user, their roles and their two-factor requirement (portal/accounts/authcache.py), valid until
# anything that decides them changes (a new generation) or PORTAL_AUTH_CACHE_SECONDS pass. Off
# without Redis: a per-process memory cache would keep a logged-out session or a revoked role
# alive in the other worker processes.
PORTAL_AUTH_CACHE = env_bool("PORTAL_AUTH_CACHE", bool(REDIS_URL))
PORTAL_AUTH_CACHE_SECONDS = env.int("PORTAL_AUTH_CACHE_SECONDS", default=600)
if PORTAL_AUTH_CACHE:
    SESSION_ENGINE = "portal.accounts.sessions"

# --- Auth ------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Password rules (portal/accounts/validators.py): a minimum length, at least this many of the four
# character classes (lower case, capitals, digits, symbols), none of the last N passwords.
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=8)
PASSWORD_MIN_CHARACTER_CLASSES = env.int("PASSWORD_MIN_CHARACTER_CLASSES", default=3)
PASSWORD_HISTORY_COUNT = env.int("PASSWORD_HISTORY_COUNT", default=5)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "portal.accounts.validators.CharacterClassesValidator"},
    {"NAME": "portal.accounts.validators.PasswordHistoryValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Idle timeout (portal/accounts/middleware.py): logged out after this many seconds without a
# request; every request extends it. 0 turns it off.
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=1800)

# django-axes: lock an account+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The failure count is reset by the portal, not by axes, when the login is complete: after the
# password for an account without two-factor, after the 6-digit code otherwise (a right password
# must not wipe out the wrong codes tried before it). portal/accounts/two_factor.py.
AXES_RESET_ON_SUCCESS = False
AXES_VERBOSE = False

# Two-factor login (portal/accounts/two_factor.py, docs/accounts.md): required for the staff of
# a unit whose setting "accounts.require_two_factor" is on (also for its subtree). The name the
# authenticator app shows, how many one-time backup codes are printed.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="有事好商量")
TWO_FACTOR_BACKUP_CODES = env.int("TWO_FACTOR_BACKUP_CODES", default=10)
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# django-guardian: explicit per-object grants use direct FK tables (see organizations.models).
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# The project's catalog first, then each app's: our words win over a third-party app's translation
# of the same English (django-celery-beat's "Name" is "任务名", Django admin's "History" is "历史").
LOCALE_PATHS = [BASE_DIR / "locale", *(BASE_DIR / app / "locale" for app in (
    "organizations", "notifications", "members", "consultations", "proposals", "hall", "reports"))]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.formats"]

# --- Static files: vendored from npm packages pinned in package.json --------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Source maps are fetched only by a developer's browser tools: served as they are, not gzipped and
# brotli-compressed at every deployment (they were two thirds of collectstatic's time).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = ("map", *Compressor.SKIP_COMPRESS_EXTENSIONS)
# Pages link every file by its hashed name ({% static %}), so collectstatic keeps only those: half
# the files to gzip and brotli at every deployment (a CSS url() and a source map's name are
# rewritten to hashed names too). An old unhashed URL answers 404.
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
# Stored files are private (portal/files.py): views check the scope, then stream the file or,
# behind nginx/Apache, hand it to the web server with this header ("X-Accel-Redirect" with an
# internal location at PORTAL_SENDFILE_PREFIX aliasing MEDIA_ROOT, or "X-Sendfile").
PORTAL_SENDFILE_HEADER = env.str("PORTAL_SENDFILE_HEADER", default="")
PORTAL_SENDFILE_PREFIX = env.str("PORTAL_SENDFILE_PREFIX", default="/protected/")

# Uploads: the portal refuses bodies above this size with a clear message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
PORTAL_MAX_UPLOAD_BYTES = env.int("PORTAL_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "portal.api.authentication.CachedTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["portal.api.filters.StrictFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "portal.api.renderers.SafeJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PortalPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/min", "user": "600/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "有事好商量 portal API",
    "DESCRIPTION": "Scoped API of the 有事好商量 portal. Every list is limited to the caller's org subtree.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.add_error_responses",
        "portal.api.schema.json_request_bodies",
    ],
}

# --- Celery ----------------------------------------------------------------------------------
# With REDIS_URL the broker is Redis; without it an embedded filesystem broker under var/ lets a
# real worker and beat run on a first start with nothing else installed.
if REDIS_URL:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
else:
    CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
if REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Security headers (tightened further in prod.py) ----------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # Bootstrap and ECharts set inline style attributes.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Notifications: push channels besides the inbox ("email", "sms"); see docs/notifications.md.
NOTIFICATIONS_CHANNELS = env_list("NOTIFICATIONS_CHANNELS", "email")
# SMS through the provider's SDK (notifications/sms.py, docs/sms-and-traffic-lights.md). Template
# codes per notification kind as JSON, e.g. {"default": "SMS_1", "digest": "SMS_2"}.
SMS_PROVIDER = env.str("SMS_PROVIDER", default="aliyun")
SMS_ACCESS_KEY_ID = env.str("SMS_ACCESS_KEY_ID", default="")
SMS_ACCESS_KEY_SECRET = env.str("SMS_ACCESS_KEY_SECRET", default="")
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="")
SMS_TEMPLATES = env.json("SMS_TEMPLATES", default={})
SMS_ENDPOINT = env.str("SMS_ENDPOINT", default="")  # empty: dysmsapi.aliyuncs.com / sms.tencentcloudapi.com
SMS_PROTOCOL = env.str("SMS_PROTOCOL", default="https")
SMS_REGION = env.str("SMS_REGION", default="")  # empty: cn-hangzhou (Aliyun), ap-guangzhou (Tencent)
SMS_SDK_APP_ID = env.str("SMS_SDK_APP_ID", default="")  # Tencent Cloud SMS: the SmsSdkAppId, e.g. 1400006666
SMS_QUIET_HOURS = env.str("SMS_QUIET_HOURS", default="21:00-08:00")  # local time; empty: none
SMS_URGENT_KINDS = env_list("SMS_URGENT_KINDS", "consultations.session_invitation")
SMS_MANDATORY_KINDS = env_list("SMS_MANDATORY_KINDS", "proposals.reply_overdue,consultations.suggestion_overdue")

# Where the demo/seed data lives (the reports' units and cases).
PORTAL_DATA_DIR = Path(env.str("PORTAL_DATA_DIR", default=str(BASE_DIR / "data")))
CSRF_FAILURE_VIEW = "portal.views.csrf_failure"
# Idempotent creates (portal/idempotency.py): how long a form token / Idempotency-Key is
# remembered, how long a repeated request waits for the first one, and after how long an
# unfinished first request counts as abandoned (its worker died).
PORTAL_IDEMPOTENCY_TTL = env.int("PORTAL_IDEMPOTENCY_TTL", default=24 * 3600)
PORTAL_IDEMPOTENCY_WAIT = 15
PORTAL_IDEMPOTENCY_ABANDONED = 120

# Static beat entries; django-celery-beat copies them into its tables, where administrators
# see and adjust them (admin → Periodic tasks).
CELERY_BEAT_SCHEDULE = {
    "portal-heartbeat": {"task": "portal.heartbeat", "schedule": 30.0},
    "portal-idempotency-prune": {"task": "portal.idempotency_prune", "schedule": 3600.0},
}
