#!/usr/bin/env bash
# Start the portal for a first run: migrate, load the demo data once, then the web server and a
# real Celery worker with an embedded beat. Without REDIS_URL/DATABASE_URL everything is embedded
# (SQLite + a filesystem broker under var/); with them, Redis and PostgreSQL are used.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-portal.settings.dev}
PY=.venv/bin/python
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
mkdir -p var
$PY manage.py migrate --noinput
$PY manage.py load_demo --if-empty
# With DEBUG (the default here) WhiteNoise serves static files straight from their sources;
# collect (and compress) them only when DEBUG is switched off.
case "$(echo "${DEBUG:-1}" | tr A-Z a-z)" in 1|true|yes|on) ;; *) $PY manage.py collectstatic --noinput -v0 ;; esac

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

# One process runs the worker and the (single) beat; production runs them separately.
.venv/bin/celery -A portal worker --beat --loglevel=INFO --concurrency=2 \
  --schedule=var/celerybeat-schedule >var/worker.log 2>&1 &
pids+=($!)
echo "Celery worker + beat started (log: var/worker.log)"
echo "Portal: http://$HOST:$PORT/  — demo logins are listed in README.md (password demo2026)"
$PY manage.py runserver "$HOST:$PORT"
