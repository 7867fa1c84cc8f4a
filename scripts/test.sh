#!/usr/bin/env bash
# Run the whole test suite. Uses DATABASE_URL / REDIS_URL when set (CI sets both to the real
# PostgreSQL and Redis); otherwise SQLite and no Redis, with the service-only tests skipped
# (in CI, with REQUIRE_SERVICES=1, a skip of those is a failure).
#
# One xdist worker more than there are CPUs: the tests that only wait (real Celery workers, kill -9,
# a slow mail server) run one after another on one worker, first (tests/conftest.py, WAITING_CHAIN),
# and the browser journeys are spread over the run, so the other workers keep both cores busy. With PostgreSQL the run migrates once into a template database that every worker
# copies (tests/conftest.py). PYTEST_WORKERS=0 runs everything in this process.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=portal.settings.test
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # Playwright's sync API runs an event loop in the test thread
cpus=$(nproc 2>/dev/null || echo 2)
workers=${PYTEST_WORKERS:-$((cpus + 1))}
# The portal's modules compiled once, beside the run (PYTHONDONTWRITEBYTECODE, where the machine
# sets it, would make every worker and every process a test starts compile them again).
.venv/bin/python -m compileall -q -j 0 portal organizations members consultations proposals notifications \
  reports hall bench tests >/dev/null 2>&1 &
# --durations: the slowest tests at the end of every run, so the suite's budget (≤ 6 minutes on 2
# cores, docs/DEVELOPING.md) shows where it goes.
exec .venv/bin/pytest -n "$workers" --dist loadgroup --durations=20 --durations-min=5 "$@"
