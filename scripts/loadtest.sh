#!/usr/bin/env bash
# Load test (not part of the test run): gunicorn on this machine against real PostgreSQL and
# Redis with the demo data, a headless Locust mix of public visitors, members, township
# secretaries and county office clerks for a fixed time. Prints throughput, p50/p95/p99 and the
# error rate; exits non-zero on any failed request.
#
#   scripts/loadtest.sh                       # 40 users, 60 s, 3 gunicorn workers
#   USERS=80 DURATION=120s WORKERS=4 scripts/loadtest.sh
#
# Uses DATABASE_URL or a local database "portal_load" (created, migrated and filled with the
# demo data if empty) and REDIS_URL or redis://127.0.0.1:6379/9.
set -euo pipefail
cd "$(dirname "$0")/.."
USERS=${USERS:-40}
SPAWN_RATE=${SPAWN_RATE:-10}
DURATION=${DURATION:-60s}
WORKERS=${WORKERS:-3}
PORT=${PORT:-8765}
OUT=${OUT:-var/loadtest}
if [ -z "${DATABASE_URL:-}" ]; then
  psql -h 127.0.0.1 -U postgres -lqt | cut -d'|' -f1 | grep -qw portal_load || createdb -h 127.0.0.1 -U postgres portal_load
  export DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_load
fi
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/9}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-portal.settings.bench}
mkdir -p "$OUT"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_demo --if-empty
.venv/bin/python manage.py collectstatic --noinput -v0

# A real Celery worker with beat (its heartbeat is part of /health/), then gunicorn.
.venv/bin/celery -A portal worker --beat --concurrency 1 --loglevel WARNING \
  --schedule "$OUT/celerybeat-schedule" >"$OUT/worker.log" 2>&1 &
WORKER=$!

.venv/bin/gunicorn portal.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
  --worker-class sync --timeout 30 --access-logfile "$OUT/access.log" --error-logfile "$OUT/gunicorn.log" &
GUNICORN=$!
trap 'kill $GUNICORN $WORKER 2>/dev/null || true; wait $GUNICORN $WORKER 2>/dev/null || true' EXIT INT TERM
# Wait for a healthy portal. A busy worker (e.g. a backlog of the demo's notification tasks)
# may take a while to report its heartbeat; after 3 minutes the run goes on without it.
for _ in $(seq 1 180); do
  curl -fs "http://127.0.0.1:$PORT/health/" >/dev/null && break
  sleep 1
done
health=$(curl -s "http://127.0.0.1:$PORT/health/" || true)
case "$health" in
  *'"ok": true, "database"'*) ;;
  *'"database": {"ok": true'*) echo "warning: no worker heartbeat yet ($health); /health/ answers 503 and is left out" ;;
  *) echo "the portal is not up: $health; see $OUT/gunicorn.log"; exit 1 ;;
esac

# CPU time of the gunicorn workers (clock ticks): the per-request cost, independent of how busy
# the rest of the machine is.
worker_ticks() { local t=0; for pid in $(pgrep -P "$GUNICORN"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done; echo $t; }
# PostgreSQL's share, when it runs on this machine: the CPU of this database's backends (the
# workers' pooled connections stay open, so a backend's ticks before and after are comparable; one
# opened during the run counts from zero). Other databases' backends are not counted.
pg_pids() { psql "$DATABASE_URL" -Atc "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" 2>/dev/null || true; }
declare -A pg_before
for pid in $(pg_pids); do [ -r "/proc/$pid/stat" ] && pg_before[$pid]=$(awk '{print $14 + $15}' "/proc/$pid/stat"); done
ticks_before=$(worker_ticks)
status=0
.venv/bin/locust -f loadtest/locustfile.py --headless --users "$USERS" --spawn-rate "$SPAWN_RATE" \
  --run-time "$DURATION" --host "http://127.0.0.1:$PORT" --csv "$OUT/run" --only-summary \
  --loglevel WARNING || status=$?
cpu_seconds=$(python3 -c "print(($(worker_ticks) - $ticks_before) / $(getconf CLK_TCK))")
pg_ticks=0; pg_seen=0
for pid in $(pg_pids); do
  [ -r "/proc/$pid/stat" ] || continue
  pg_seen=1
  pg_ticks=$((pg_ticks + $(awk '{print $14 + $15}' "/proc/$pid/stat") - ${pg_before[$pid]:-0}))
done
db_cpu_seconds=$(python3 -c "print($pg_ticks / $(getconf CLK_TCK) if $pg_seen else -1)")
.venv/bin/python loadtest/summary.py "$OUT/run_stats.csv" --cpu-seconds "$cpu_seconds" --db-cpu-seconds "$db_cpu_seconds" \
  --users "$USERS" --duration "$DURATION" --workers "$WORKERS" || status=1
echo "machine load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
exit $status
