"""Health of the parts the portal needs: database, broker and a worker running beat's tasks."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

WORKER_STALE_AFTER = datetime.timedelta(seconds=120)


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True, "engine": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return {"ok": False, "engine": connection.vendor, "error": exc.__class__.__name__}


def check_broker() -> dict:
    from portal.celery import app

    transport = settings.CELERY_BROKER_URL.split(":", 1)[0]
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "transport": transport}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "transport": transport, "error": exc.__class__.__name__}


def check_worker() -> dict:
    from .models import WorkerHeartbeat

    try:
        beat = WorkerHeartbeat.objects.filter(name="worker").first()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}
    if beat is None:
        return {"ok": False, "last_seen": None}
    age = timezone.now() - beat.seen_at
    return {
        "ok": age <= WORKER_STALE_AFTER,
        "last_seen": beat.seen_at.isoformat(),
        "age_seconds": int(age.total_seconds()),
    }


def health_report() -> dict:
    parts = {"database": check_database(), "broker": check_broker(), "worker": check_worker()}
    return {"ok": all(p["ok"] for p in parts.values()), **parts}
