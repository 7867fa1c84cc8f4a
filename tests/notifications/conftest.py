"""Fixtures for the reminder engine: example sources and channels registered only for a test
(the domain apps register the real ones), and eager Celery so a test runs the whole chain
scan → dispatch → send in-process when the transaction's on_commit callbacks fire."""

import datetime

import pytest

from notifications import channels, kinds
from portal.celery import app as celery_app
from portal.reminders import SOURCES, Reminder, reminder_source


@pytest.fixture
def eager():
    # Settings come from Django with the CELERY_ namespace, so the prefixed names win.
    conf = celery_app.conf
    old = conf.task_always_eager, conf.task_eager_propagates
    conf.CELERY_TASK_ALWAYS_EAGER, conf.CELERY_TASK_EAGER_PROPAGATES = True, True
    yield celery_app
    conf.CELERY_TASK_ALWAYS_EAGER, conf.CELERY_TASK_EAGER_PROPAGATES = old


class ListSource:
    """A reminder source over a list the test fills: `source.add(user, key, due=…)`."""

    def __init__(self, kind, default_lead_days=3):
        self.kind = kind
        self.items: list[Reminder] = []
        self.calls = 0
        reminder_source(kind, f"Test reminders {kind}", default_lead_days=default_lead_days)(self)

    def __call__(self, today):
        self.calls += 1
        yield from self.items

    def add(self, user, key, *, due=None, org_path="", subject=None, url="/"):
        self.items.append(Reminder(recipient_id=user.pk, kind=self.kind, key=key, subject=subject or f"Reminder {key}",
                                   url=url, due=due, org_path=org_path))


@pytest.fixture
def make_source():
    made = []

    def make(kind="tests.deadline", **kwargs):
        source = ListSource(kind, **kwargs)
        made.append(kind)
        return source

    yield make
    for kind in made:
        SOURCES.pop(kind, None)
        kinds.unregister_kind(kind)


class RecordingChannel(channels.Channel):
    def __init__(self, code="sms", fail_times=0, error=None):
        self.code = code
        self.label = code
        self.sent = []
        self.calls = 0
        self.fail_times = fail_times
        self.error = error or ConnectionError("gateway down")

    def send(self, *, delivery, notification, user):
        self.calls += 1
        if self.fail_times < 0 or self.calls <= self.fail_times:
            raise self.error
        self.sent.append((delivery.idempotency_key, notification.pk, user.pk))
        return True


@pytest.fixture
def channel(settings):
    made = []

    def make(code="sms", **kwargs):
        ch = RecordingChannel(code, **kwargs)
        made.append((code, channels.get_channel(code)))
        channels.register_channel(ch)
        settings.NOTIFICATIONS_CHANNELS = [*getattr(settings, "NOTIFICATIONS_CHANNELS", ["email"]), code]
        return ch

    yield make
    for code, previous in reversed(made):  # the real channel of that code (the SMS one) comes back
        channels.unregister_channel(code)
        if previous is not None:
            channels.register_channel(previous)


TODAY = datetime.date(2026, 11, 25)
