"""The Celery app a real worker runs in tests/notifications/test_worker.py: the portal's app,
on a queue of the test's own (so parallel test runs never share messages), with an example
reminder source and channels that exist only in tests. Settings come from NOTIFY_TEST_* env."""

import os
import time

from django.conf import settings

from portal.celery import app  # the app `celery -A` finds

QUEUE = os.environ["NOTIFY_TEST_QUEUE"]
app.conf.CELERY_TASK_DEFAULT_QUEUE = QUEUE
settings.NOTIFICATIONS_QUEUE = QUEUE
settings.NOTIFICATIONS_CHANNELS = os.environ.get("NOTIFY_TEST_CHANNELS", "recording").split(",")
for name in ("EMAIL_BACKEND", "EMAIL_HOST", "EMAIL_PORT"):
    if f"NOTIFY_TEST_{name}" in os.environ:
        value = os.environ[f"NOTIFY_TEST_{name}"]
        setattr(settings, name, int(value) if name == "EMAIL_PORT" else value)
for name in ("MAX_ATTEMPTS", "BATCH_SIZE", "RETRY_BASE_SECONDS", "SEND_LEASE_SECONDS", "RECOVER_GRACE_SECONDS"):
    if f"NOTIFY_TEST_{name}" in os.environ:
        setattr(settings, f"NOTIFICATIONS_{name}", float(os.environ[f"NOTIFY_TEST_{name}"]))


def _register():
    from notifications.channels import Channel, register_channel
    from portal.reminders import Reminder, reminder_source

    record = os.environ["NOTIFY_TEST_RECORD"]
    sleep = float(os.environ.get("NOTIFY_TEST_SLEEP", "0"))

    @reminder_source("tests.worker", "Worker test reminders")
    def worker_reminders(today):
        from django.contrib.auth import get_user_model

        users = get_user_model().objects.filter(username__startswith="rcpt-").order_by("pk")
        for pk, username in users.values_list("pk", "username").iterator(chunk_size=50):
            time.sleep(sleep)
            yield Reminder(recipient_id=pk, kind="tests.worker", key=f"{username}:{today}", subject=f"Due {username}",
                           url="/", due=today)

    class RecordingChannel(Channel):
        """Appends one line per send, so the test counts real sends across processes."""

        code = "recording"

        def send(self, *, delivery, notification, user):
            with open(record, "a") as handle:
                handle.write(f"{delivery.pk} {notification.kind} {user.username}\n")
            return True

    class BrokenChannel(Channel):
        code = "broken"

        def send(self, *, delivery, notification, user):
            raise ConnectionError("SMS gateway unreachable")

    register_channel(RecordingChannel())
    register_channel(BrokenChannel())


_register()


@app.task(name="tests.barrier")
def barrier(path, token):
    """Runs behind everything queued before it (one queue, FIFO): the test's `Workers.quiesce`
    waits for its line instead of sleeping."""
    with open(path, "a") as handle:
        handle.write(f"{token}\n")
