#!/usr/bin/env bash
# Benchmarks (not part of the test run). Needs PostgreSQL; uses DATABASE_URL or a local
# database "portal_bench" (created if missing). Pass --scale 0.1 for a quick run.
set -euo pipefail
cd "$(dirname "$0")/.."
# --effort: the browser measurement of recording one session (bench/effort.py; SQLite + chromium).
if [ "${1:-}" = "--effort" ]; then
  shift
  exec .venv/bin/python bench/effort.py "$@"
fi
if [ -z "${DATABASE_URL:-}" ]; then
  psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw portal_bench || createdb -h 127.0.0.1 -U postgres portal_bench
  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench
fi
export DJANGO_SETTINGS_MODULE=portal.settings.bench
exec .venv/bin/python bench/run.py "$@"
