"""Reminder e-mails under kill -9 with a slow mail server: 1,000 reminders, a real Celery worker
sending through the portal's SMTP backend to a local server, killed twice mid-send — once after
the server had the whole message (waiting with its reply), once before (waiting to accept the
data). Afterwards every reminder arrived exactly once: no Message-ID twice, none missing, and
the killed sends were picked up within the lease (handover.py).

`PORTAL_FAULT_EMAILS` changes the count (default 1000)."""

import os
import signal
import time

import pytest

from notifications import tasks
from notifications.models import Delivery, Notification
from portal.models import User
from tests.notifications.test_worker import Workers, wait_for

from .slow_smtp import SlowSMTP

COUNT = int(os.environ.get("PORTAL_FAULT_EMAILS", "1000"))
pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def workers(tmp_path, settings):
    w = Workers(tmp_path, settings)
    yield w
    w.stop()


def test_two_kills_during_slow_sends_lose_and_duplicate_no_email(workers):
    User.objects.bulk_create([User(username=f"rcpt-{i:04d}", email=f"rcpt-{i:04d}@example.org")
                              for i in range(COUNT)])
    with SlowSMTP(delay=20, after_data_at=COUNT // 3, before_data_at=2 * COUNT // 3) as smtp:
        env = {"channels": "email", "email_backend": "notifications.handover.HandoverEmailBackend",
               "email_host": "127.0.0.1", "email_port": smtp.port, "send_lease_seconds": 3,
               "recover_grace_seconds": 1, "batch_size": 200}
        started = time.monotonic()
        kills = []
        for _side in ("after the data", "before the data"):
            proc = workers.start(**env)
            workers.send(tasks.recover_task if kills else tasks.scan_task)
            # (the first slow reply may still be waiting on its dropped connection: look for a new one)
            wait_for(lambda: smtp.waiting - set(kills), timeout=600, what=f"a slow send ({_side})")
            kills.append(next(iter(smtp.waiting - set(kills))))
            proc.send_signal(signal.SIGKILL)
            proc.wait()

        workers.start(**env)
        killed_at = time.monotonic()
        workers.send(tasks.scan_task)  # the hourly scan: stores whatever the killed scan had not
        last_recover = [0.0]

        def settled():
            if time.monotonic() - last_recover[0] > 5:  # what beat does every 30 s, sooner here
                workers.send(tasks.recover_task)
                last_recover[0] = time.monotonic()
            return (Notification.objects.count() == COUNT
                    and not Delivery.objects.exclude(status="sent").exists()
                    and Delivery.objects.count() == COUNT)

        wait_for(settled, timeout=900, what=f"all {COUNT} e-mails")
        picked_up = Delivery.objects.filter(notification__recipient__email__in=kills).values_list(
            "sent_at", flat=True)
        workers.quiesce(state=lambda: len(smtp.received))  # a late duplicate would have arrived by now
        received = list(smtp.received)

    ids = [message_id for _rcpt, message_id in received]
    assert len(kills) == 2
    assert len(set(ids)) == COUNT, f"{COUNT - len(set(ids))} e-mails lost"
    assert len(ids) == COUNT, f"{len(ids) - len(set(ids))} e-mails sent twice"
    assert sorted(r for r, _ in received) == [f"rcpt-{i:04d}@example.org" for i in range(COUNT)]
    assert len(picked_up) == 2 and all(picked_up)
    print(f"{COUNT} e-mails, 2 kills, settled {time.monotonic() - killed_at:.0f} s after the second kill "
          f"({time.monotonic() - started:.0f} s in all)")
