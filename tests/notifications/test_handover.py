"""A send killed mid-way is picked up quickly (a short lease kept alive by a heartbeat while a
live worker sends) and never duplicated after the e-mail was handed over (handover.py)."""

import datetime
import smtplib
import time

import pytest
from django.core import mail
from django.utils import timezone

from notifications import channels, handover, services
from notifications.models import Delivery, DeliveryStatus, Notification
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _delivery(**fields):
    user = make_user(email="h@example.org")
    n = Notification.objects.create(recipient=user, kind="tests.x", key="k", subject="s", state="dispatched")
    return Delivery.objects.create(notification=n, channel="email", **fields)


def test_the_lease_is_short_and_recovery_runs_every_30_seconds():
    import importlib

    from django.apps import apps as django_apps
    from django_celery_beat.models import PeriodicTask

    # (rows from data migrations: a transactional test earlier on this worker may have flushed them)
    importlib.import_module("notifications.migrations.0002_beat_schedules").create(django_apps, None)
    importlib.import_module("notifications.migrations.0003_delivery_handed_over_recover_every_30s").every_30s(
        django_apps, None)
    assert services.send_lease() == datetime.timedelta(seconds=60)
    task = PeriodicTask.objects.get(task="notifications.recover")
    assert (task.interval.every, task.interval.period) == (30, "seconds")
    assert services.send_lease().total_seconds() + task.interval.every < 120


def test_the_handover_is_recorded_before_the_end_of_data_marker():
    events = []

    class Sock:
        def sendall(self, data):
            events.append(("wire", bytes(data)))

    smtp = handover.HandoverSMTP()
    smtp.sock = Sock()
    token = handover._on_handover.set(lambda: events.append(("handover", None)))
    try:
        smtp.send(b"Subject: x\r\n\r\nbody\r\n.\r\n")
        smtp.send(b"QUIT\r\n")
    finally:
        handover._on_handover.reset(token)
    assert events == [("wire", b"Subject: x\r\n\r\nbody\r\n"), ("handover", None), ("wire", b".\r\n"),
                      ("wire", b"QUIT\r\n")]


def test_an_email_send_records_its_handover():
    d = _delivery()
    assert services.send_delivery(delivery_id=d.pk) == ("sent", 0)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.handed_over_at is not None
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<portal-delivery-{d.pk}@portal>"


def test_a_delivery_whose_worker_died_after_the_handover_is_not_sent_again():
    d = _delivery(status="sending", attempts=1, claimed_at=timezone.now() - datetime.timedelta(minutes=2),
                  handed_over_at=timezone.now() - datetime.timedelta(minutes=2))
    assert services.send_delivery(delivery_id=d.pk) == ("sent", 0)
    assert len(mail.outbox) == 0 and Delivery.objects.get(pk=d.pk).status == DeliveryStatus.SENT


def test_one_killed_before_the_handover_is_sent_after_the_lease():
    d = _delivery(status="sending", attempts=1, claimed_at=timezone.now() - datetime.timedelta(seconds=30))
    assert services.send_delivery(delivery_id=d.pk) == ("noop", 0)  # still within the lease
    Delivery.objects.filter(pk=d.pk).update(claimed_at=timezone.now() - datetime.timedelta(seconds=61))
    assert services.send_delivery(delivery_id=d.pk) == ("sent", 0)
    assert len(mail.outbox) == 1


class _Failing(channels.Channel):
    code = "email"
    label = "e-mail"

    def __init__(self, exc):
        self.exc = exc

    def send(self, *, delivery, notification, user):
        handover.record_handover(delivery.pk)
        raise self.exc


@pytest.mark.parametrize("exc,outcome", [
    (smtplib.SMTPServerDisconnected("connection lost"), "sent"),  # the answer was lost: no second copy
    (smtplib.SMTPDataError(451, b"try later"), "retry"),  # the server refused: send again
])
def test_an_error_after_the_handover(monkeypatch, exc, outcome):
    from notifications import channels

    monkeypatch.setitem(channels._CHANNELS, "email", _Failing(exc))
    d = _delivery()
    assert services.send_delivery(delivery_id=d.pk)[0] == outcome
    d.refresh_from_db()
    assert (d.handed_over_at is not None) == (outcome == "sent")


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_keeps_a_slow_live_send_leased(settings):
    settings.NOTIFICATIONS_SEND_LEASE_SECONDS = 0.6  # heartbeat every 0.2 s
    start = timezone.now()
    d = _delivery(status="sending", claimed_at=start)
    with handover.heartbeat(d.pk, start):
        time.sleep(1.5)
        renewed = Delivery.objects.get(pk=d.pk).claimed_at
    assert renewed > start
    # another worker cannot take it over while the heartbeat runs
    assert timezone.now() - renewed < datetime.timedelta(seconds=0.6)
    # a claim taken over by someone else is not renewed by the old heartbeat
    other = timezone.now()
    Delivery.objects.filter(pk=d.pk).update(claimed_at=other)
    with handover.heartbeat(d.pk, start):
        time.sleep(0.5)
    assert Delivery.objects.get(pk=d.pk).claimed_at == other
