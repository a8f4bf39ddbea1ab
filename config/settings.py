"""Settings for 湖北省会计人员管理系统.

Everything that differs between a laptop and the province's servers comes from the
environment, read here and nowhere else. The defaults make one command run the whole
system on SQLite; production sets DEBUG=0 and the variables listed in README.md.
"""

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import django_stubs_ext
import environ
import xstatic.pkg.bootstrap
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from core import logs as core_logs

# Generic Django classes (ModelAdmin[Model], QuerySet[Model], ...) subscriptable at run time, for mypy's annotations.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# --------------------------------------------------------------------------- core
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env(
    "SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production" if DEBUG else environ.Env.NOTSET
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Served behind TLS (nginx). Off for local http and the test client.
HTTPS = env.bool("HTTPS", default=not DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "captcha",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    # Our parts (ARCHITECTURE.md). Arrows point one way: core and regions know nobody.
    "core",
    "regions",
    "audit",
    "notifications",
    "identity",
    "documents",
    "reviews",
    "dossier",
    "phone_change",
    "continuing_education",
    "institutions",
    "certificates",
    "integrity",
    "reports",
    "reports.exports",
    "reports.people",
    # The data-exchange API (api/, issue #11) after the domain apps it reads; "ninja" for its local docs assets.
    "ninja",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "identity.otp_session.OTPMiddleware",  # django-otp's, with the user and device in one query (issue #10)
    "core.middleware.IdleTimeoutMiddleware",
    "identity.middleware.PasswordChangeRequiredMiddleware",
    "core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "documents.middleware.StorageUnavailableMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # core/templates also first: its admin/ overrides Django's admin templates (listed earlier in INSTALLED_APPS).
        "DIRS": [BASE_DIR / "templates", BASE_DIR / "core" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
        },
    },
]

# --------------------------------------------------------------------------- data
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
# Optional read replica (a streaming-replication standby run by the operator): only reads inside
# core.db_router.use_replica() go there (dashboards, exports, the audit viewer); writes and
# migrations never do. Tests read it as the primary (MIRROR).
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Data-exchange API (api/): the server key API client secrets are derived from (HMAC of a per-client
# salt); default derived from SECRET_KEY. Changing it invalidates every client's secret.
API_SIGNING_KEY = env("API_SIGNING_KEY", default="")

REDIS_URL = env("REDIS_URL", default="")
# Redis down must not take the pages down (SECURITY.md "Faults to survive"): the default cache
# (sessions are cached_db, scope and option caches) ignores Redis errors and falls back to the
# database; the SMS limits use a strict alias, so that sending and checking codes refuse instead.
SMS_RATELIMIT_CACHE = "default"
if REDIS_URL:
    _redis_options = {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {**_redis_options, "IGNORE_EXCEPTIONS": True},
        },
        "ratelimit": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": _redis_options,
        },
    }
    SMS_RATELIMIT_CACHE = "ratelimit"
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "hbkj"}}

# --------------------------------------------------------------------------- files
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [("bootstrap", xstatic.pkg.bootstrap.BASE_DIR)]
# Uploaded documents are never served from a public URL: only through access-checked views.
STORAGE_BACKEND = env("STORAGE_BACKEND", default="local")
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env.bool("STATIC_MANIFEST", default=True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# A storage that is down or hangs must not hold a request: every S3 call gives up after
# STORAGE_CONNECT_TIMEOUT to connect and STORAGE_READ_TIMEOUT between bytes, tried at most
# STORAGE_MAX_ATTEMPTS times in all (botocore "standard" retries, ≤ 50 ms jitter between). A refused
# connection fails at once, a hanging server after attempts × read timeout (2 × 1.5 s = 3 s), the
# worst case attempts × (connect + read) = 5 s. The request then answers 503 (documents.middleware).
STORAGE_CONNECT_TIMEOUT = env.float("STORAGE_CONNECT_TIMEOUT", default=1.0)
STORAGE_READ_TIMEOUT = env.float("STORAGE_READ_TIMEOUT", default=1.5)
STORAGE_MAX_ATTEMPTS = env.int("STORAGE_MAX_ATTEMPTS", default=2)
if STORAGE_BACKEND == "s3":
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config as BotoConfig

    STORAGE_ENDPOINT = env("STORAGE_ENDPOINT", default=None)
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("STORAGE_BUCKET"),
            "endpoint_url": STORAGE_ENDPOINT,
            "access_key": env("STORAGE_ACCESS_KEY", default=None),
            "secret_key": env("STORAGE_SECRET_KEY", default=None),
            "region_name": env("STORAGE_REGION", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "client_config": BotoConfig(
                connect_timeout=STORAGE_CONNECT_TIMEOUT,
                read_timeout=STORAGE_READ_TIMEOUT,
                retries={"total_max_attempts": STORAGE_MAX_ATTEMPTS, "mode": "standard"},
                # MinIO, Ceph and other on-premises endpoints want path-style URLs.
                s3={
                    "addressing_style": env("STORAGE_ADDRESSING_STYLE", default="path" if STORAGE_ENDPOINT else "auto")
                },
                signature_version="s3v4",
            ),
            # Documents are at most a few MB: one PUT / one GET in the request's own thread, and no
            # second layer of download retries on top of botocore's.
            "transfer_config": TransferConfig(
                multipart_threshold=64 * 1024 * 1024, use_threads=False, num_download_attempts=1
            ),
        },
    }
# Without collectstatic (development, tests) WhiteNoise serves straight from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --------------------------------------------------------------------------- i18n
LANGUAGE_CODE = "zh-hans"
# Chinese only: there is no English catalogue, so a browser asking for English gets Chinese too.
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --------------------------------------------------------------------------- auth
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Staff lockout (django-axes): 5 failures lock the username for 30 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "identity/staff_locked.html"
# Renders that template with the time the lockout ends; never store the TOTP code axes sees.
AXES_LOCKOUT_CALLABLE = "identity.views.staff.staff_locked_out"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token"]
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "湖北省会计人员管理系统"

# Sessions: a new key at sign-in (Django does that), idle time-outs by kind of user.
SESSION_COOKIE_AGE = 12 * 3600
SESSION_IDLE_SECONDS_ACCOUNTANT = env.int("SESSION_IDLE_SECONDS_ACCOUNTANT", default=30 * 60)
SESSION_IDLE_SECONDS_STAFF = env.int("SESSION_IDLE_SECONDS_STAFF", default=15 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --------------------------------------------------------------------------- security headers
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "frame-src": [SELF],
    },
}

# --------------------------------------------------------------------------- captcha
CAPTCHA_LENGTH = 4
CAPTCHA_TIMEOUT = 5
CAPTCHA_IMAGE_SIZE = (110, 38)
CAPTCHA_FONT_SIZE = 28
# Tests type "PASSED" into captcha fields; never on in production.
CAPTCHA_TEST_MODE = env.bool("CAPTCHA_TEST_MODE", default=False) and not HTTPS

# --------------------------------------------------------------------------- SMS
# console: print to stdout and keep a copy for the developer outbox page (DEBUG only);
# locmem: an in-memory list for tests; more providers register in notifications.backends.
SMS_BACKEND = env("SMS_BACKEND", default="console")
# The registered SMS signature (签名) every message carries.
SMS_SIGN_NAME = env("SMS_SIGN_NAME", default="湖北省会计人员管理系统")
# Provider adapters (notifications/providers/): "aliyun" (Alibaba Cloud SMS) and "tencent" (Tencent
# Cloud SMS). `manage.py check --deploy` refuses a production setup that cannot send (notifications.checks).
SMS_ALIYUN_ACCESS_KEY_ID = env("SMS_ALIYUN_ACCESS_KEY_ID", default="")
SMS_ALIYUN_ACCESS_KEY_SECRET = env("SMS_ALIYUN_ACCESS_KEY_SECRET", default="")
SMS_ALIYUN_REGION = env("SMS_ALIYUN_REGION", default="cn-hangzhou")
SMS_TENCENT_SECRET_ID = env("SMS_TENCENT_SECRET_ID", default="")
SMS_TENCENT_SECRET_KEY = env("SMS_TENCENT_SECRET_KEY", default="")
SMS_TENCENT_REGION = env("SMS_TENCENT_REGION", default="ap-guangzhou")
SMS_TENCENT_SDK_APP_ID = env("SMS_TENCENT_SDK_APP_ID", default="")
# The provider's API address instead of its public one, e.g. "http://127.0.0.1:18101" for the local
# fakes (python -m notifications.fakes.aliyun) or a private endpoint; a bare host means https.
SMS_ENDPOINT = env("SMS_ENDPOINT", default="")
# Seconds; short, so a slow provider turns into a clear "try again" instead of a hung request.
SMS_CONNECT_TIMEOUT = env.float("SMS_CONNECT_TIMEOUT", default=3.0)
SMS_READ_TIMEOUT = env.float("SMS_READ_TIMEOUT", default=5.0)
# Message key (notifications/messages.py) -> the provider's approved template code, one env variable:
# SMS_TEMPLATE_CODES="verification_code=SMS_123,application_approved=SMS_456,..." (Tencent: template ids).
SMS_TEMPLATES = env.dict("SMS_TEMPLATE_CODES", default={})
# Key for hashing one-time codes (HMAC); defaults to one derived from SECRET_KEY.
SMS_CODE_KEY = env("SMS_CODE_KEY", default="")
SMS_CODE_TTL_SECONDS = 300
SMS_CODE_MAX_ATTEMPTS = 5
SMS_ACCOUNT_LOCK_FAILURES = 100
SMS_COOLDOWN_SECONDS = 60
SMS_PHONE_HOURLY_LIMIT = 5
SMS_PHONE_DAILY_LIMIT = 10
SMS_IP_HOURLY_LIMIT = env.int("SMS_IP_HOURLY_LIMIT", default=30)
SMS_IP_DAILY_LIMIT = env.int("SMS_IP_DAILY_LIMIT", default=100)
SMS_GLOBAL_DAILY_LIMIT = env.int("SMS_GLOBAL_DAILY_LIMIT", default=50_000)
# Code checks per IP per hour, across accounts (guessing codes for many people at once).
SMS_CHECK_IP_HOURLY_LIMIT = env.int("SMS_CHECK_IP_HOURLY_LIMIT", default=300)
# Sign-in code requests answer after at least this long, matching ID + phone or not (SECURITY.md 6.3.8).
SMS_LOGIN_ANSWER_SECONDS = env.float("SMS_LOGIN_ANSWER_SECONDS", default=0.3)

# --------------------------------------------------------------------------- background work
# SMS outbox (notifications.services): a row is sent at most SMS_MAX_ATTEMPTS times, waiting
# SMS_RETRY_BASE_SECONDS · 2^(n−1) (capped, ± SMS_RETRY_JITTER of it) after failed attempt n, then
# it is `failed` (listed for system administrators at /notifications/failed/). A worker holds a
# row for SMS_LEASE_SECONDS while it calls the provider: keep it above the provider's time-out.
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=5)
SMS_RETRY_BASE_SECONDS = env.int("SMS_RETRY_BASE_SECONDS", default=30)
SMS_RETRY_MAX_SECONDS = env.int("SMS_RETRY_MAX_SECONDS", default=3600)
SMS_RETRY_JITTER = 0.2
SMS_LEASE_SECONDS = env.int("SMS_LEASE_SECONDS", default=60)
# The relay (Celery beat) sends what is due every SMS_RELAY_INTERVAL_SECONDS: rows whose dispatch
# at commit was lost (broker down, Redis restarted), retries, and rows whose worker died.
SMS_RELAY_INTERVAL_SECONDS = env.int("SMS_RELAY_INTERVAL_SECONDS", default=30)
SMS_RELAY_BATCH_SIZE = env.int("SMS_RELAY_BATCH_SIZE", default=200)
SMS_RELAY_TIME_BUDGET_SECONDS = max(SMS_RELAY_INTERVAL_SECONDS - 10, 5)


def _redis_database(url: str, database: int) -> str:
    """The same Redis server with another database number: redis://h:6379/0 → redis://h:6379/1."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return url
    return urlunsplit(parts._replace(path=f"/{database}"))


# The broker is its own URL: by default database 1 of REDIS_URL's server (the cache is on 0).
# Production: the broker's Redis must persist its queues (`appendonly yes`, `appendfsync everysec`)
# and never evict (`maxmemory-policy noeviction`), so a restart does not drop queued tasks; a
# cache-style eviction policy on the same server would evict messages: prefer a separate Redis
# instance for the broker. Even so, nothing depends on the broker keeping a message: the outbox
# row is in the database and the relay sends it.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=_redis_database(REDIS_URL, 1) if REDIS_URL else "memory://")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged after it ran, and put back if its worker process dies; each worker takes
# one message at a time. Tasks must therefore be safe to run twice (the outbox's are: lease + claim).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A running task is left to finish when the broker connection drops; its redelivery is harmless.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Default time limits; the outbox tasks set tighter ones derived from SMS_LEASE_SECONDS.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis redelivers an unacknowledged message (its worker host vanished) after this long: above
    # the SMS lease and every task's hard time limit, so a running task is never duplicated.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=900),
    "socket_connect_timeout": 2,
}
# Publishing when the broker is down fails fast (the request goes on, the relay sends later).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No task result is read anywhere: no result backend.
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# Periodic jobs (run `celery -A config beat`, one per deployment). One dict: add your job as a key.
CELERY_BEAT_SCHEDULE = {
    "notifications-relay-outbox": {
        "task": "notifications.relay_outbox",
        "schedule": SMS_RELAY_INTERVAL_SECONDS,
        "options": {"expires": SMS_RELAY_INTERVAL_SECONDS},
    },
}
# Maintenance purges (core.maintenance; `manage.py run_maintenance` runs them by hand), at night
# Asia/Shanghai; codes and captchas hourly. A run that waited past `expires` is dropped, not piled up.
CELERY_TIMEZONE = TIME_ZONE
_HOURLY = {"expires": 50 * 60}
_NIGHTLY = {"expires": 6 * 3600}
CELERY_BEAT_SCHEDULE.update(
    {
        "maintenance-sms-codes": {"task": "maintenance.sms_codes", "schedule": crontab(minute=5), "options": _HOURLY},
        # 统计分析 aggregates (reports.statistics_refresh): incremental, every 10 minutes.
        "reports-refresh-statistics": {
            "task": "reports.refresh_statistics",
            "schedule": crontab(minute="*/10"),
            "options": {"expires": 9 * 60},
        },
        "maintenance-captchas": {"task": "maintenance.captchas", "schedule": crontab(minute=10), "options": _HOURLY},
        # Expired data exports (reports.exports): their files deleted within the hour.
        "maintenance-exports": {"task": "maintenance.exports", "schedule": crontab(minute=20), "options": _HOURLY},
        "maintenance-sessions": {
            "task": "maintenance.sessions",
            "schedule": crontab(hour=2, minute=30),
            "options": _NIGHTLY,
        },
        "maintenance-temporary-documents": {
            "task": "maintenance.temporary_documents",
            "schedule": crontab(hour=2, minute=45),
            "options": _NIGHTLY,
        },
        "maintenance-orphan-files": {
            "task": "maintenance.orphan_files",
            "schedule": crontab(hour=3, minute=0),
            "options": _NIGHTLY,
        },
        "maintenance-notifications": {
            "task": "maintenance.notifications",
            "schedule": crontab(hour=3, minute=15),
            "options": _NIGHTLY,
        },
        # Stored idempotent API responses older than a day (api.maintenance).
        "maintenance-api-idempotency": {
            "task": "maintenance.api_idempotency",
            "schedule": crontab(hour=3, minute=40),
            "options": _NIGHTLY,
        },
        "maintenance-audit-retention": {
            "task": "maintenance.audit_retention",
            "schedule": crontab(hour=3, minute=30),
            "options": _NIGHTLY,
        },
        # While next year's holiday schedule is provisional: a warning on the 1st of Oct, Nov and Dec.
        "regions-remind-calendar-notice": {
            "task": "regions.remind_calendar_notice",
            "schedule": crontab(day_of_month=1, month_of_year="10-12", hour=9, minute=0),
            "options": _NIGHTLY,
        },
    }
)

# --------------------------------------------------------------------------- audit
# Audit rows older than this are deleted every night (audit.retention); the database refuses to
# delete any row younger than 184 days (SECURITY.md "Audit", 等保: at least six months).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
if AUDIT_RETENTION_DAYS < 184:
    raise ImproperlyConfigured(f"AUDIT_RETENTION_DAYS must be at least 184 (days), not {AUDIT_RETENTION_DAYS}.")
# SMS outbox rows that were sent or failed are deleted after this many days (maintenance job).
NOTIFICATION_RETENTION_DAYS = env.int("NOTIFICATION_RETENTION_DAYS", default=90)
# Trust X-Forwarded-For for the client IP only behind our own proxy.
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)


# --------------------------------------------------------------------------- logging
# One JSON object per line (time in Asia/Shanghai with offset, level, logger, message,
# request_id), ID numbers and mobiles masked: core.logs. LOG_FORMAT=text for readable lines;
# production (DEBUG=0) defaults to JSON. Celery workers use the same config (core.celery_context).
LOG_FORMAT = env("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = core_logs.logging_config(log_format=LOG_FORMAT, level=env("LOG_LEVEL", default="INFO"))
# Optional error reporting: sentry-sdk with the Django and Celery integrations, no personal data.
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="production" if not DEBUG else "development")
core_logs.init_sentry(SENTRY_DSN, environment=SENTRY_ENVIRONMENT)

# --------------------------------------------------------------------------- health and metrics
# /healthz (alive), /readyz (database, cache, broker, storage) and /metrics (Prometheus) answer
# over plain HTTP: load balancers and Prometheus probe the servers directly (core.health).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Who may read /metrics: client addresses (core.request_info.client_ip) in these networks.
METRICS_ALLOWED_CIDRS = env.list("METRICS_ALLOWED_CIDRS", default=["127.0.0.1/32", "::1/128"])
# django-prometheus: request counts and latencies by view (first and last middleware).
INSTALLED_APPS.append("django_prometheus")
MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")

ADMIN_URL = env("ADMIN_URL", default="admin/")

# --------------------------------------------------------------------------- documents (uploads)
# SECURITY.md "Uploads". Proofs: JPEG/PNG/PDF up to this size as uploaded; images are re-encoded
# and scaled down to DOCUMENT_PROOF_MAX_EDGE pixels on their long side.
DOCUMENT_PROOF_MAX_BYTES = env.int("DOCUMENT_PROOF_MAX_BYTES", default=5 * 1024 * 1024)
DOCUMENT_PROOF_MAX_EDGE = env.int("DOCUMENT_PROOF_MAX_EDGE", default=4096)
# The raw photo before it is cropped to 295×413 and compressed to at most 20 KB.
DOCUMENT_PHOTO_UPLOAD_MAX_BYTES = env.int("DOCUMENT_PHOTO_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
DOCUMENT_PHOTO_MAX_BYTES = 20 * 1024
# Pixel cap read from the image header before any decoding (decompression bombs), and on what is decoded.
DOCUMENT_MAX_PIXELS = env.int("DOCUMENT_MAX_PIXELS", default=40_000_000)
# A JPEG (a real photo) may be larger: it is decoded at 1/2, 1/4 or 1/8 of its size (draft mode), so
# a 50-megapixel phone photo is accepted. Stays below Pillow's own hard limit (~179 megapixels).
DOCUMENT_MAX_JPEG_PIXELS = env.int("DOCUMENT_MAX_JPEG_PIXELS", default=150_000_000)
DOCUMENT_PDF_MAX_PAGES = env.int("DOCUMENT_PDF_MAX_PAGES", default=20)
# Per-person quota over all their documents (temporary ones included).
DOCUMENT_QUOTA_COUNT = env.int("DOCUMENT_QUOTA_COUNT", default=200)
DOCUMENT_QUOTA_BYTES = env.int("DOCUMENT_QUOTA_BYTES", default=200 * 1024 * 1024)
# Dotted paths of callables taking the file's bytes and raising documents.exceptions.UploadRejected
# (e.g. a ClamAV adapter in production).
DOCUMENT_SCANNERS = env.list("DOCUMENT_SCANNERS", default=[])
# Temporary uploads never attached to an application are purged after this many hours.
DOCUMENT_TEMPORARY_HOURS = env.int("DOCUMENT_TEMPORARY_HOURS", default=24)
