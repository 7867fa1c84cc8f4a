#!/usr/bin/env bash
# Run the whole test suite. Uses DATABASE_URL / REDIS_URL when set (CI sets both to the real
# PostgreSQL and Redis); otherwise SQLite and no Redis, with the service-only tests skipped
# (in CI, with REQUIRE_SERVICES=1, a skip of those is a failure).
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=portal.settings.test
export DJANGO_ALLOW_ASYNC_UNSAFE=true  # Playwright's sync API runs an event loop in the test thread
workers=${PYTEST_WORKERS:-2}
exec .venv/bin/pytest -n "$workers" --dist loadgroup "$@"
