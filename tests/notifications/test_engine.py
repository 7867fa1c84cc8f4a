"""The engine in-process (eager Celery): once per key, lead times, preferences, digests,
retries and failures. The same chains run on a real worker in test_worker.py."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from notifications import kinds, services
from notifications.models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationState,
    Preference,
    ScanRun,
)
from organizations.models import UnitConfig
from portal.errors import GuardFailed
from tests.factories import make_user

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def _scan(source, capture, today=TODAY):
    with capture(execute=True):
        services.scan_source(kind=source.kind, today=today)


def test_a_due_reminder_reaches_the_inbox_and_email_once(eager, make_source, django_capture_on_commit_callbacks):
    user = make_user(email="a@example.org", username="rcpt")
    source = make_source()
    source.add(user, "proposal:1:reply", due=TODAY + datetime.timedelta(days=1))
    _scan(source, django_capture_on_commit_callbacks)
    _scan(source, django_capture_on_commit_callbacks)
    notification = Notification.objects.get()
    assert notification.state == NotificationState.DISPATCHED
    assert notification.recipient == user and notification.subject == "Reminder proposal:1:reply"
    assert [d.status for d in notification.deliveries.all()] == [DeliveryStatus.SENT]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a@example.org"]
    assert source.calls == 2


def test_reminders_wait_for_their_lead_time(eager, make_source, django_capture_on_commit_callbacks):
    user = make_user()
    source = make_source(default_lead_days=3)
    source.add(user, "near", due=TODAY + datetime.timedelta(days=3))
    source.add(user, "far", due=TODAY + datetime.timedelta(days=4))
    source.add(user, "overdue", due=TODAY - datetime.timedelta(days=10))
    _scan(source, django_capture_on_commit_callbacks)
    assert set(Notification.objects.values_list("key", flat=True)) == {"near", "overdue"}


def test_a_unit_sets_its_own_lead_time_and_switches_kinds_off(eager, tree, make_source,
                                                               django_capture_on_commit_callbacks):
    user = make_user()
    source = make_source("tests.lead", default_lead_days=1)
    UnitConfig.objects.create(unit=tree.county_a, key="notifications.lead_days", value={"tests.lead": 7})
    UnitConfig.objects.create(unit=tree.county_b, key="notifications.disabled_kinds", value=["tests.lead"])
    due = TODAY + datetime.timedelta(days=6)
    source.add(user, "in-a", due=due, org_path=tree.township_a1.path)  # inherits 7 days from the county
    source.add(user, "in-b", due=due, org_path=tree.township_b1.path)  # switched off in county B
    source.add(user, "elsewhere", due=due, org_path=tree.province.path)  # default: 1 day
    _scan(source, django_capture_on_commit_callbacks)
    assert list(Notification.objects.values_list("key", flat=True)) == ["in-a"]


def test_two_recipients_of_the_same_record_each_get_it_once(eager, make_source, django_capture_on_commit_callbacks):
    a, b = make_user(), make_user()
    source = make_source()
    source.add(a, "session:9:invite")
    source.add(b, "session:9:invite")
    source.add(a, "session:9:invite")  # a source yielding a duplicate does no harm
    _scan(source, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(key="session:9:invite").count() == 2


def test_the_subject_is_rendered_in_the_recipients_language(eager, make_source, django_capture_on_commit_callbacks):
    from django.utils.translation import gettext_lazy

    en, zh = make_user(language="en"), make_user(language="zh-hans")
    source = make_source()
    source.add(en, "k", subject=gettext_lazy("Notifications"))
    source.add(zh, "k", subject=gettext_lazy("Notifications"))
    _scan(source, django_capture_on_commit_callbacks)
    assert Notification.objects.get(recipient=en).subject == "Notifications"
    assert Notification.objects.get(recipient=zh).subject == "通知"


def test_a_scan_stores_in_batches(eager, make_source, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_BATCH_SIZE = 7
    users = [make_user() for _ in range(20)]
    source = make_source()
    for user in users:
        source.add(user, "k")
    _scan(source, django_capture_on_commit_callbacks)
    run = ScanRun.objects.get()
    assert (run.status, run.seen, run.created) == ("done", 20, 20)
    assert Notification.objects.filter(state=NotificationState.DISPATCHED).count() == 20


def test_off_suppresses_digest_waits_and_mandatory_kinds_still_arrive(eager, make_source,
                                                                       django_capture_on_commit_callbacks):
    user = make_user(email="u@example.org")
    quiet, daily, must = make_source("tests.quiet"), make_source("tests.daily"), make_source("tests.must")
    kinds.mark_mandatory("tests.must")
    Preference.objects.create(user=user, kind="tests.quiet", mode="off")
    Preference.objects.create(user=user, kind="tests.daily", mode="digest")
    Preference.objects.create(user=user, kind="tests.must", mode="off")  # e.g. set before it became mandatory
    for source in (quiet, daily, must):
        source.add(user, "k")
        _scan(source, django_capture_on_commit_callbacks)
    states = dict(Notification.objects.values_list("kind", "state"))
    assert states == {"tests.quiet": "suppressed", "tests.daily": "digest", "tests.must": "dispatched"}
    assert len(mail.outbox) == 1
    from notifications import selectors

    assert {n.kind for n in selectors.inbox_for(user=user)} == {"tests.daily", "tests.must"}


def test_the_daily_digest_groups_waiting_items_by_kind_once_a_day(eager, make_source,
                                                                  django_capture_on_commit_callbacks):
    user = make_user(email="d@example.org", language="en")
    other = make_user(email="o@example.org")
    a, b = make_source("tests.a"), make_source("tests.b")
    for source in (a, b):
        Preference.objects.create(user=user, kind=source.kind, mode="digest")
    a.add(user, "1")
    a.add(user, "2")
    b.add(user, "3")
    a.add(other, "1")  # immediate for the other user
    for source in (a, b):
        _scan(source, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.digest_all(today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        services.digest_all(today=TODAY)  # a second run the same day sends nothing more
    digest = Notification.objects.get(kind=kinds.DIGEST_KIND)
    assert digest.recipient == user and not digest.in_inbox
    assert digest.subject == "Your daily digest: 3 notifications"
    assert "Test reminders tests.a (2)" in digest.body and "Test reminders tests.b (1)" in digest.body
    assert Notification.objects.filter(digest=digest, state="digested").count() == 3
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["d@example.org"]
    assert "Test reminders tests.a (2)" in mail.outbox[1].body


def test_a_failing_channel_retries_with_backoff_then_fails_without_blocking_email(
        eager, make_source, channel, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    eager.conf.CELERY_TASK_EAGER_PROPAGATES = False  # the task's Retry would surface here
    sms = channel("sms", fail_times=-1)
    user = make_user(email="x@example.org")
    source = make_source()
    source.add(user, "k")
    _scan(source, django_capture_on_commit_callbacks)
    email = Delivery.objects.get(channel="email")
    failing = Delivery.objects.get(channel="sms")
    assert email.status == DeliveryStatus.SENT and len(mail.outbox) == 1
    assert failing.status == DeliveryStatus.PENDING and failing.attempts == 1
    assert failing.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)  # backoff: 60 s
    assert services.send_delivery(delivery_id=failing.pk) == ("noop", 0)  # not before its time
    for expected in [("retry", 120), ("failed", 0)]:
        Delivery.objects.filter(pk=failing.pk).update(next_attempt_at=timezone.now())
        assert services.send_delivery(delivery_id=failing.pk) == expected
    failing.refresh_from_db()
    assert failing.status == DeliveryStatus.FAILED and "gateway down" in failing.last_error
    assert sms.calls == 3


def test_a_delivery_whose_worker_died_is_taken_over_after_its_lease_and_poison_stops(make_source, channel, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    user = make_user(email="x@example.org")
    n = Notification.objects.create(recipient=user, kind="tests.x", key="k", subject="s", state="dispatched")
    d = Delivery.objects.create(notification=n, channel="email", status="sending", attempts=1,
                                claimed_at=timezone.now())
    assert services.send_delivery(delivery_id=d.pk) == ("noop", 0)  # another worker is sending it
    Delivery.objects.filter(pk=d.pk).update(claimed_at=timezone.now() - datetime.timedelta(hours=1))
    assert services.send_delivery(delivery_id=d.pk) == ("sent", 0)
    # a message that killed its worker on every try stops after the last one
    d2 = Delivery.objects.create(notification=n, channel="sms", status="sending", attempts=2,
                                 claimed_at=timezone.now() - datetime.timedelta(hours=1))
    assert services.send_delivery(delivery_id=d2.pk) == ("failed", 0)


def test_recover_requeues_what_lost_messages_left(eager, make_source, django_capture_on_commit_callbacks):
    user = make_user(email="r@example.org")
    old = timezone.now() - datetime.timedelta(minutes=10)
    Notification.objects.create(recipient=user, kind="tests.x", key="lost", subject="s", created_at=old)
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.recover()
    assert counts == {"notifications": 1, "deliveries": 0}
    assert Notification.objects.get().state == "dispatched" and len(mail.outbox) == 1


def test_a_source_that_keeps_failing_stops_for_the_day(make_source, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    source = make_source()
    source.items = None  # iterating None raises TypeError
    for _ in range(2):
        with pytest.raises(TypeError):
            services.scan_source(kind=source.kind, today=TODAY)
    run = services.scan_source(kind=source.kind, today=TODAY)
    assert run.status == "failed" and "TypeError" in run.last_error
    assert source.calls == 2


def test_notify_sends_an_event_once_after_commit(eager, django_capture_on_commit_callbacks):
    user = make_user(email="n@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        first = services.notify(recipient=user, kind="proposals.assigned", subject="A proposal was assigned",
                                url="/proposals/1/", key="proposal:1:assigned")
        assert len(mail.outbox) == 0  # nothing leaves before the commit
        again = services.notify(recipient=user, kind="proposals.assigned", subject="x", key="proposal:1:assigned")
    assert first.pk == again.pk and Notification.objects.count() == 1
    assert len(mail.outbox) == 1 and Delivery.objects.get().status == "sent"


def test_mandatory_kinds_cannot_be_switched_off(make_source):
    user = make_user()
    make_source("tests.must")
    kinds.mark_mandatory("tests.must")
    with pytest.raises(GuardFailed):
        services.preference_set(user=user, kind="tests.must", mode="off")
    assert services.preference_set(user=user, kind="tests.must", mode="digest").mode == "digest"
    with pytest.raises(GuardFailed):
        services.preference_set(user=user, kind="no.such.kind", mode="off")
    with pytest.raises(GuardFailed):
        services.preference_set(user=user, kind="tests.must", mode="loud")


def test_beat_schedules_exist_for_administrators():
    import importlib

    from django.apps import apps as django_apps
    from django_celery_beat.models import PeriodicTask

    # The rows come from a data migration; a transactional test that ran earlier on this worker may
    # have flushed them, so run the migration's function again — twice, since it must be idempotent.
    migration = importlib.import_module("notifications.migrations.0002_beat_schedules")
    migration.create(django_apps, None)
    migration.create(django_apps, None)
    reports = importlib.import_module("notifications.migrations.0004_sms_reports_schedule")
    reports.create(django_apps, None)
    reports.create(django_apps, None)

    tasks = dict(PeriodicTask.objects.filter(task__startswith="notifications.").values_list("task", "enabled"))
    assert tasks == {"notifications.scan": True, "notifications.digest": True, "notifications.recover": True,
                     "notifications.sms_reports": True}
    scan = PeriodicTask.objects.get(task="notifications.scan")
    assert str(scan.crontab.timezone) == "Asia/Shanghai"


def test_no_countdown_exceeds_the_visibility_timeout(settings):
    settings.CELERY_BROKER_VISIBILITY_TIMEOUT = 3600
    assert services.max_countdown() == 1800
    assert services.retry_delay(10) > services.max_countdown()  # such waits go through recover()


def test_a_scan_costs_a_constant_number_of_queries_per_batch(make_source, settings):
    from tests.helpers import count_queries

    settings.NOTIFICATIONS_BATCH_SIZE = 50
    users = [make_user() for _ in range(45)]
    small, big = make_source("tests.small"), make_source("tests.big")
    for user in users[:5]:
        small.add(user, "k")
    for user in users:
        big.add(user, "k")
    n_small, _ = count_queries(lambda: services.scan_source(kind=small.kind, today=TODAY))
    n_big, sqls = count_queries(lambda: services.scan_source(kind=big.kind, today=TODAY))
    assert n_small == n_big, "\n".join(sqls)


def test_a_unit_can_remind_three_days_and_again_one_day_before(eager, tree, make_source,
                                                                django_capture_on_commit_callbacks):
    user = make_user(email="s@example.org")
    source = make_source("tests.session", default_lead_days=1)
    UnitConfig.objects.create(unit=tree.county_a, key="notifications.lead_days", value={"tests.session": [3, 1]})
    due = TODAY + datetime.timedelta(days=3)
    source.add(user, "session:5", due=due, org_path=tree.township_a1.path)
    for day in range(5):  # the hourly scans of five days
        _scan(source, django_capture_on_commit_callbacks, today=TODAY + datetime.timedelta(days=day))
        _scan(source, django_capture_on_commit_callbacks, today=TODAY + datetime.timedelta(days=day))
    assert sorted(Notification.objects.values_list("key", flat=True)) == ["session:5:lead1", "session:5:lead3"]
    assert len(mail.outbox) == 2


def test_deactivated_users_and_users_without_email_are_skipped(make_source):
    user = make_user(email="")
    gone = make_user(email="gone@example.org", is_active=False)
    for u in (user, gone):
        n = Notification.objects.create(recipient=u, kind="tests.x", key="k", subject="s", state="dispatched")
        Delivery.objects.create(notification=n, channel="email")
    assert [services.send_delivery(delivery_id=d.pk) for d in Delivery.objects.order_by("pk")] == [
        ("skipped", 0), ("skipped", 0)]
    assert len(mail.outbox) == 0


def test_the_scan_command_runs_inline_for_a_given_day(make_source, django_capture_on_commit_callbacks):
    import io

    from django.core.management import CommandError, call_command

    from portal.celery import app

    user = make_user(email="c@example.org")
    source = make_source()
    source.add(user, "cmd")
    out = io.StringIO()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            call_command("scan_reminders", "--date", "2026-11-25", "--inline", stdout=out)
    finally:
        app.conf.CELERY_TASK_ALWAYS_EAGER = False
    assert "2026-11-25" in out.getvalue() and len(mail.outbox) == 1
    with pytest.raises(CommandError):
        call_command("scan_reminders", "--date", "25.11.2026")


def test_one_broken_notification_does_not_hold_up_its_batch(monkeypatch):
    from notifications import tasks

    done = []

    def dispatch(*, notification_id):
        if notification_id == 2:
            raise RuntimeError("broken row")
        done.append(notification_id)

    monkeypatch.setattr(services, "dispatch", dispatch)
    tasks.dispatch_many_task.run([1, 2, 3])
    assert done == [1, 3]
