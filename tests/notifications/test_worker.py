"""The engine on a REAL Celery worker (a separate process) against the test database: Redis
when REDIS_URL is set (always in CI), else the embedded filesystem broker. Needs PostgreSQL
(the worker shares the test database; SQLite's test database lives in memory)."""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from notifications import tasks
from notifications.models import Delivery, Notification, Preference, ScanRun
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
# Each test has a queue, a database (its xdist worker's) and a record file of its own, so these
# tests run on any xdist worker beside the others (tests/conftest.py starts them early).
pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _database_url():
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


class Workers:
    def __init__(self, tmp_path, settings):
        self.queue = f"notify-test-{uuid.uuid4().hex[:10]}"
        self.record = tmp_path / "sent.log"
        self.record.touch()
        self.procs = []
        self.env = {}
        settings.NOTIFICATIONS_QUEUE = self.queue

    def start(self, *, embedded=False, **env):
        self.env.update({f"NOTIFY_TEST_{k.upper()}": str(v) for k, v in env.items()})
        environ = {
            **os.environ, **self.env, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "PYTHONPATH": str(ROOT),
            "DATABASE_URL": _database_url(), "NOTIFY_TEST_QUEUE": self.queue, "NOTIFY_TEST_RECORD": str(self.record),
        }
        if embedded:
            # The first-run default: no Redis, kombu's filesystem broker under PORTAL_VAR_DIR.
            self.embedded = self.record.parent / "var"
            for name in ("REDIS_URL", "CELERY_BROKER_URL"):
                environ.pop(name, None)
            environ["PORTAL_VAR_DIR"] = str(self.embedded)
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tests.notifications.worker_app", "worker", "-P", "solo",
             "-Q", self.queue, "-n", f"{self.queue}-{len(self.procs)}@%h", "-l", "warning",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        self.procs.append(proc)
        return proc

    embedded = None

    def send(self, task, *args):
        if isinstance(task, str):  # a task only the test worker knows (worker_app.py)
            from portal.celery import app

            task = app.signature(task)
        if self.embedded is None:
            task.apply_async(args=args, queue=self.queue)
            return
        from kombu import Connection

        folders = {"data_folder_in": "queue", "data_folder_out": "queue", "control_folder": "control",
                   "processed_folder": "processed"}
        options = {key: str(self.embedded / "broker" / name) for key, name in folders.items()}
        for folder in options.values():
            Path(folder).mkdir(parents=True, exist_ok=True)
        with Connection("filesystem://", transport_options=options) as connection:
            task.apply_async(args=args, queue=self.queue, connection=connection)

    def lines(self):
        return self.record.read_text().splitlines()

    def quiesce(self, timeout=90, state=None):
        """Wait until the queue is idle, instead of sleeping "long enough": each round sends one
        barrier task per live worker through the test's queue (FIFO, one task at a time per
        worker), so it runs after everything queued before it — and the next round after
        whatever those tasks queued in turn. Idle means two rounds in a row in which nothing
        observable changed: lines sent, notification, delivery and scan states (and `state()`)."""
        barriers = self.record.parent / "barriers.log"
        barriers.touch()

        def snapshot():
            from django.db.models import Count

            return (len(self.lines()), state() if state else None,
                    *(sorted(model.objects.order_by().values_list(field).annotate(n=Count("pk")))
                      for model, field in ((Notification, "state"), (Delivery, "status"), (ScanRun, "status"))))

        deadline = time.monotonic() + timeout
        before, quiet = snapshot(), 0
        while quiet < 2:
            tokens = {uuid.uuid4().hex for proc in self.procs if proc.poll() is None}
            assert tokens, "no live worker to wait for"
            for token in tokens:
                self.send("tests.barrier", str(barriers), token)
            wait_for(lambda tokens=tokens: tokens <= set(barriers.read_text().split()), timeout=deadline - time.monotonic(),
                     what="the queue to drain")
            after = snapshot()
            quiet = quiet + 1 if after == before else 0
            before = after

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def workers(tmp_path, settings):
    w = Workers(tmp_path, settings)
    yield w
    w.stop()


def wait_for(predicate, timeout=90, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _settled(w, expected_lines):
    def check():
        return (len(w.lines()) >= expected_lines
                and not Delivery.objects.exclude(status__in=["sent", "failed", "skipped"]).exists()
                and not Notification.objects.filter(state="pending").exists())
    return check


def test_a_reminder_fires_once_and_a_second_scan_sends_nothing_more(workers):
    users = [make_user(username=f"rcpt-{i}", email=f"r{i}@example.org") for i in range(3)]
    Preference.objects.create(user=users[2], kind="tests.worker", mode="off")
    workers.start()
    workers.send(tasks.scan_task)
    wait_for(_settled(workers, 2), what="two deliveries")
    workers.send(tasks.scan_task)
    wait_for(lambda: ScanRun.objects.filter(status="done").exists() and
             not ScanRun.objects.filter(status="running").exists(), what="second scan")
    workers.quiesce()  # anything the second scan enqueued has run
    assert sorted(line.split()[2] for line in workers.lines()) == ["rcpt-0", "rcpt-1"]
    assert Notification.objects.count() == 3  # rcpt-2's is stored (so never found again), not sent
    assert Notification.objects.get(recipient=users[2]).state == "suppressed"


def test_two_racing_scans_on_two_workers_deliver_once(workers):
    for i in range(30):
        make_user(username=f"rcpt-{i:02d}")
    workers.start(batch_size=5, sleep=0.01)
    workers.start(batch_size=5, sleep=0.01)
    day = timezone.localdate().isoformat()
    workers.send(tasks.scan_source_task, "tests.worker", day)
    workers.send(tasks.scan_source_task, "tests.worker", day)
    wait_for(_settled(workers, 30), what="30 deliveries")
    workers.quiesce()
    lines = workers.lines()
    assert len(lines) == 30 and len({line.split()[0] for line in lines}) == 30
    assert Notification.objects.count() == 30 and Delivery.objects.filter(status="sent").count() == 30


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(workers):
    for i in range(40):
        make_user(username=f"rcpt-{i:02d}")
    proc = workers.start(batch_size=10, sleep=0.25, send_lease_seconds=2, recover_grace_seconds=1)
    workers.send(tasks.scan_task)
    wait_for(lambda: Notification.objects.count() >= 10, what="the first batch")
    proc.send_signal(signal.SIGKILL)  # no cleanup, no acknowledgement
    proc.wait()
    stored = Notification.objects.count()
    assert 10 <= stored < 40, "the kill should land in the middle of the scan"
    workers.start()
    # what beat does next: the hourly scan and the five-minute recovery
    workers.send(tasks.scan_task)
    workers.send(tasks.recover_task)
    wait_for(_settled(workers, 40), timeout=120, what="all 40 deliveries")
    workers.quiesce()
    # a later recovery, once every lease and grace period is over, finds nothing to send again
    from django.db.models import Max

    latest = Delivery.objects.aggregate(latest=Max("claimed_at"))["latest"] or timezone.now()
    wait_for(lambda: timezone.now() > latest + datetime.timedelta(seconds=2 + 1), what="the leases to end")
    workers.send(tasks.recover_task)
    workers.quiesce()
    lines = workers.lines()
    assert sorted(line.split()[2] for line in lines) == [f"rcpt-{i:02d}" for i in range(40)]
    assert Notification.objects.count() == 40 and Delivery.objects.filter(status="sent").count() == 40


def test_a_failing_channel_retries_then_fails_without_blocking_the_others(workers):
    for i in range(3):
        make_user(username=f"rcpt-{i}")
    workers.start(channels="recording,broken", max_attempts=3, retry_base_seconds=1)
    workers.send(tasks.scan_task)
    wait_for(lambda: len(workers.lines()) == 3, what="the working channel")
    wait_for(lambda: Delivery.objects.filter(channel="broken", status="failed").count() == 3, what="failures")
    for delivery in Delivery.objects.filter(channel="broken"):
        assert delivery.attempts == 3 and "SMS gateway unreachable" in delivery.last_error
    assert Delivery.objects.filter(channel="recording", status="sent").count() == 3


def test_digest_users_get_one_grouped_message_from_the_worker(workers):
    now_user = make_user(username="rcpt-now")
    digest_user = make_user(username="rcpt-digest", language="en")
    Preference.objects.create(user=digest_user, kind="tests.worker", mode="digest")
    workers.start()
    workers.send(tasks.scan_task)
    wait_for(lambda: Notification.objects.filter(state="digest").exists() and len(workers.lines()) == 1,
             what="the immediate one")
    workers.send(tasks.digest_task)
    workers.send(tasks.digest_task)
    wait_for(lambda: len(workers.lines()) == 2, what="the digest")
    workers.quiesce()  # the second digest task has run too
    assert [line.split()[1:] for line in workers.lines()] == [
        ["tests.worker", now_user.username], ["notifications.digest", digest_user.username]]
    digest = Notification.objects.get(kind="notifications.digest")
    assert "Worker test reminders (1)" in digest.body


def test_the_embedded_filesystem_broker_delivers_through_a_real_worker(workers):
    """No Redis (a first run): the worker and the sender share kombu's filesystem broker."""
    make_user(username="rcpt-solo")
    workers.start(embedded=True)
    workers.send(tasks.scan_task)
    wait_for(_settled(workers, 1), what="the delivery")
    assert [line.split()[2] for line in workers.lines()] == ["rcpt-solo"]
    assert (workers.embedded / "broker" / "queue").is_dir()
