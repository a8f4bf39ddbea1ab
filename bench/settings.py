"""Settings of the benchmark: the project's settings, a bench URLconf and the bench database.

The environment is read by config.settings at import time, so the bench's values are put in place
first. The database comes from BENCH_DATABASE_URL, never from DATABASE_URL: the bench drops and
re-creates its database, and must not touch the one an engineer's tests point at.
"""

import os
import warnings

BENCH_DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hbkj_bench")
os.environ["DATABASE_URL"] = BENCH_DATABASE_URL
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-5b0c1e2d")
os.environ["DEBUG"] = "0"
os.environ["HTTPS"] = "0"
# Redis as in production when bench.run gives one (its private redis-server, one database per size):
# cache, cached_db sessions, and a broker nobody consumes (tasks queue up; no page waits for them).
os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "")
if os.environ.get("BENCH_CELERY_BROKER_URL"):
    os.environ["CELERY_BROKER_URL"] = os.environ["BENCH_CELERY_BROKER_URL"]
os.environ["STATIC_MANIFEST"] = "0"
os.environ["SMS_BACKEND"] = "locmem"
os.environ.setdefault("MEDIA_ROOT", "/tmp/hbkj-bench-media")  # noqa: S108 - throwaway proof files of the bench

from config.settings import *  # noqa: E402,F403

# Without collectstatic WhiteNoise serves from the finders and warns once per worker that STATIC_ROOT is empty.
warnings.filterwarnings("ignore", "No directory at", UserWarning)

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# Staff sessions would expire between seeding and measuring a large scale.
SESSION_IDLE_SECONDS_STAFF = 24 * 3600
SESSION_IDLE_SECONDS_ACCOUNTANT = 24 * 3600
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
