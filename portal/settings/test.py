"""Test settings: PostgreSQL and Redis when DATABASE_URL/REDIS_URL are set (always in CI)."""

import copy
import os

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = False
# A replica from the environment is not used by the tests. On PostgreSQL the `replica` alias is a
# second database on the same server (created only for the tests that ask for it:
# tests/portal/test_replica.py), and reads go there only where that test turns READ_REPLICA on.
DATABASES.pop("replica", None)  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["replica"] = copy.deepcopy(DATABASES["default"])  # noqa: F405
    DATABASES["replica"]["NAME"] = f"{DATABASES['default']['NAME']}_replica"  # noqa: F405
READ_REPLICA = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5
# Off for the suite, whose time travel (time_machine) would log the signed-in test user out; its
# own tests (tests/portal/test_idle_timeout.py) turn it on.
SESSION_IDLE_TIMEOUT_SECONDS = 0
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Fail any request that repeats one SQL statement more than this many times (N+1 detector).
MIDDLEWARE = [*MIDDLEWARE, "portal.testing.nplusone.NPlusOneMiddleware"]  # noqa: F405
PORTAL_NPLUSONE_THRESHOLD = 12

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    # A test database need not survive a power cut: commits (transactional tests, browser journeys,
    # workers) do not wait for the disk.
    DATABASES["default"]["OPTIONS"]["options"] = "-c synchronous_commit=off"  # noqa: F405

# xdist workers (and the Celery workers they start, which inherit the variable) share one Redis:
# each keeps its cache keys apart, as each has its own database whose ids repeat the others',
# and cache.clear() deletes only its own keys (never the broker's queues: portal/testing/cache.py).
if CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    CACHES["default"]["BACKEND"] = "portal.testing.cache.WorkerRedisCache"  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"  # noqa: F405
