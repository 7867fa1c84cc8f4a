"""Reminder engine: a full scan over 1,000,000 open deadlines runs in bounded memory.

The source streams the deadlines from PostgreSQL through a server-side cursor (as domain sources
stream their tables with .iterator()); about 1 % fall within the lead time and become
notifications. Peak Python memory of the scan at 1,000,000 deadlines must stay within 1.5× (+2
MiB) of the same scan at 100,000 — memory bounded by the batch, not by the number of rows. The
floor is the bare source iterated alone (no engine), so the time ratio shows the engine's cost."""

import datetime
from unittest import mock

from django.db import connection

from bench.harness import Result, case, peak_memory_mb
from notifications import services
from notifications.models import Notification, ScanRun
from portal.reminders import SOURCES, Reminder, reminder_source

KIND = "bench.deadlines"


def _users(seed, n=50):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    ids = []
    for i in range(n):
        user, _ = User.objects.get_or_create(username=f"bench{seed}-deadline-{i}")
        ids.append(user.pk)
    return ids


def _source(user_ids, total):
    def deadlines(today):
        with connection.chunked_cursor() as cursor:  # server-side: rows arrive in chunks
            cursor.execute("SELECT i FROM generate_series(1, %s) AS i", [total])
            while rows := cursor.fetchmany(2000):
                for (i,) in rows:
                    yield Reminder(recipient_id=user_ids[i % len(user_ids)], kind=KIND, key=f"deadline:{i}",
                                   subject=f"Deadline {i}", url="/", due=today + datetime.timedelta(days=i % 365),
                                   org_path="")
    return deadlines


def _clean():
    Notification.objects.filter(kind=KIND).delete()
    ScanRun.objects.filter(kind=KIND).delete()


@case("reminder-scan-1m-deadlines")
def reminder_scan(*, seed):
    user_ids = _users(seed)
    today = datetime.date(2026, 11, 25)
    results = {}
    try:
        with mock.patch.object(services, "_enqueue"):  # measure the scan, not the broker
            for total in (100_000, 1_000_000):
                _clean()
                reminder_source(KIND, "Bench deadlines")(_source(user_ids, total))
                results[total] = peak_memory_mb(lambda: services.scan_source(kind=KIND, today=today))
            created = Notification.objects.filter(kind=KIND).count()
        raw = _source(user_ids, 1_000_000)
        floor_s, floor_mb = peak_memory_mb(lambda: sum(1 for _ in raw(today)))
    finally:
        SOURCES.pop(KIND, None)
        _clean()
    (t_small, mb_small), (t_big, mb_big) = results[100_000], results[1_000_000]
    ok = mb_big <= mb_small * 1.5 + 2
    return Result(
        "Reminder scan over 1,000,000 open deadlines",
        f"{t_big:.1f} s, peak {mb_big:.1f} MiB ({created} notifications); 100k: {t_small:.1f} s, {mb_small:.1f} MiB",
        f"{floor_s:.1f} s, {floor_mb:.1f} MiB bare source", t_big / floor_s,
        "peak memory at 1M ≤ 1.5× (+2 MiB) of 100k", ok,
    )
