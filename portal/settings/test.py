"""Test settings: PostgreSQL and Redis when DATABASE_URL/REDIS_URL are set (always in CI)."""

import copy
import os
from urllib.parse import urlsplit

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

# `cache.clear()` flushes the whole Redis database, so xdist workers sharing one would clear each
# other's caches mid-test: each worker gets the next database numbers after REDIS_URL's.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _xdist_worker.startswith("gw") and CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    _url = urlsplit(CACHES["default"]["LOCATION"])  # noqa: F405
    _db = (int((_url.path or "/0").strip("/") or 0) + 1 + int(_xdist_worker[2:])) % 16
    CACHES["default"] = {**CACHES["default"], "LOCATION": _url._replace(path=f"/{_db}").geturl()}  # noqa: F405
