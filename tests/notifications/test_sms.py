"""The SMS channel through the real Aliyun SDK against a local fake of the provider's HTTP API
(tests/notifications/fake_aliyun.py): sent at the right hour, held through quiet hours, opt-out,
one SMS per digest and per batch, provider errors retried, delivery reports recorded."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from notifications import services, sms
from notifications.models import (
    ChannelOptOut,
    Delivery,
    DeliveryStatus,
    Notification,
    Preference,
    ReportStatus,
)
from portal.models import AuditEvent
from tests.factories import make_user

from .fake_aliyun import FakeAliyunSms

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 11, 25)
KEY_ID = "LTAI5tFakeKeyForTests"


def at(hour, minute=0, day=DAY):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def fake_sms(settings):
    fake = FakeAliyunSms(KEY_ID).start()
    settings.NOTIFICATIONS_CHANNELS = ["email", "sms"]
    settings.SMS_PROVIDER = "aliyun"
    settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = KEY_ID, "fake-secret"
    settings.SMS_SIGN_NAME = "有事好商量"
    settings.SMS_TEMPLATES = {"default": "SMS_100", "digest": "SMS_200"}
    settings.SMS_ENDPOINT, settings.SMS_PROTOCOL = fake.endpoint, "http"
    settings.SMS_QUIET_HOURS = "21:00-08:00"
    settings.SMS_URGENT_KINDS = ["tests.urgent"]
    settings.SMS_MANDATORY_KINDS = ["tests.overdue"]
    yield fake
    fake.stop()


def _person(**fields):
    return make_user(phone="138 0013 8000", language="zh-hans", email="p@example.org", **fields)


def _scan(source, capture, today=DAY):
    with capture(execute=True):
        services.scan_source(kind=source.kind, today=today)


def test_an_sms_goes_through_the_sdk_to_the_provider_at_the_right_hour(eager, fake_sms, make_source,
                                                                       django_capture_on_commit_callbacks):
    user = _person()
    source = make_source("tests.deadline")
    source.add(user, "reply:1", due=DAY - datetime.timedelta(days=2), subject="提案答复")
    with time_machine.travel(at(10), tick=False):
        _scan(source, django_capture_on_commit_callbacks)
    [sent] = fake_sms.sent
    assert sent["phone"] == "13800138000" and sent["sign"] == "有事好商量" and sent["template"] == "SMS_100"
    assert sent["params"] == {"title": "【逾期】提案答复", "count": "1"}  # overdue: the red light's label
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.provider_id == sent["biz_id"] and delivery.provider_request_id
    assert sent["out_id"] == delivery.idempotency_key and delivery.address == "13800138000"
    assert delivery.sent_at == at(10)
    assert len(mail.outbox) == 1  # e-mail goes as before


def test_quiet_hours_hold_the_sms_until_eight_and_urgent_kinds_go_at_once(eager, fake_sms, make_source,
                                                                          django_capture_on_commit_callbacks):
    user = _person()
    normal, urgent = make_source("tests.deadline"), make_source("tests.urgent")
    normal.add(user, "late", subject="晚上的提醒")
    urgent.add(user, "now", subject="明天上午开会")
    with time_machine.travel(at(22, 30), tick=False):
        _scan(normal, django_capture_on_commit_callbacks)
        _scan(urgent, django_capture_on_commit_callbacks)
    assert [s["params"]["title"] for s in fake_sms.sent] == ["明天上午开会"]
    held = Delivery.objects.get(channel="sms", notification__kind="tests.deadline")
    assert held.status == DeliveryStatus.PENDING and held.attempts == 0
    assert held.next_attempt_at == at(8, 0, DAY + datetime.timedelta(days=1))
    assert len(mail.outbox) == 2  # e-mail has no quiet hours
    with time_machine.travel(at(7, 59, DAY + datetime.timedelta(days=1)), tick=False):
        assert services.send_delivery(delivery_id=held.pk) == ("noop", 0)
    with (time_machine.travel(at(8, 2, DAY + datetime.timedelta(days=1)), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        services.recover()  # the beat's sweep finds it due
    held.refresh_from_db()
    assert held.status == DeliveryStatus.SENT and held.attempts == 1
    assert [s["params"]["title"] for s in fake_sms.sent] == ["明天上午开会", "晚上的提醒"]


def test_quiet_hours_span_midnight():
    assert sms.quiet_until(at(20, 59)) is None
    assert sms.quiet_until(at(21, 0)) == at(8, 0, DAY + datetime.timedelta(days=1))
    assert sms.quiet_until(at(3, 15)) == at(8, 0)
    assert sms.quiet_until(at(8, 0)) is None


def test_a_user_refuses_sms_on_the_settings_page_but_mandatory_kinds_still_come(
        eager, fake_sms, make_source, client, django_capture_on_commit_callbacks):
    user = _person()
    client.force_login(user)
    page = client.get(reverse("notifications:preferences"))
    assert page.status_code == 200 and 'name="sms"' in page.text
    response = client.post(reverse("notifications:preferences"), {"sms-form": "1", "sms": "off"})
    assert response.status_code == 302
    assert ChannelOptOut.objects.filter(user=user, channel="sms").exists()
    assert AuditEvent.objects.filter(action="notifications.sms_opt_out", actor=user).count() == 1
    normal, overdue = make_source("tests.deadline"), make_source("tests.overdue")
    normal.add(user, "a", subject="一般提醒")
    overdue.add(user, "b", subject="答复已逾期")
    with time_machine.travel(at(10), tick=False):
        _scan(normal, django_capture_on_commit_callbacks)
        _scan(overdue, django_capture_on_commit_callbacks)
    statuses = dict(Delivery.objects.filter(channel="sms").values_list("notification__kind", "status"))
    assert statuses == {"tests.deadline": DeliveryStatus.SKIPPED, "tests.overdue": DeliveryStatus.SENT}
    assert [s["params"]["title"] for s in fake_sms.sent] == ["答复已逾期"]
    page = client.get(reverse("notifications:preferences"))
    assert "Test reminders tests.overdue" in page.text  # listed as still coming by SMS
    client.post(reverse("notifications:preferences"), {"sms-form": "1", "sms": "on"})
    assert not ChannelOptOut.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="notifications.sms_opt_in", actor=user).count() == 1


def test_one_sms_per_digest_and_one_per_batch_of_reminders(eager, fake_sms, make_source,
                                                           django_capture_on_commit_callbacks):
    digest_user, batch_user = _person(), make_user(phone="13900139000", language="zh-hans")
    daily = make_source("tests.daily")
    Preference.objects.create(user=digest_user, kind="tests.daily", mode="digest")
    for key in ("1", "2", "3"):
        daily.add(digest_user, key, subject=f"待办{key}")
        daily.add(batch_user, key, subject=f"待办{key}")
    with time_machine.travel(at(9), tick=False):
        _scan(daily, django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            services.digest_all(today=DAY)
    by_phone = {}
    for sent in fake_sms.sent:
        by_phone.setdefault(sent["phone"], []).append(sent)
    assert len(by_phone["13800138000"]) == 1 and len(by_phone["13900139000"]) == 1
    assert by_phone["13800138000"][0]["template"] == "SMS_200"  # the digest template
    assert by_phone["13800138000"][0]["params"]["count"] == "3"
    assert by_phone["13900139000"][0]["template"] == "SMS_200"
    assert by_phone["13900139000"][0]["params"] == {"title": "待办1", "count": "3"}
    batch = Delivery.objects.filter(channel="sms", notification__recipient=batch_user)
    assert {d.status for d in batch} == {DeliveryStatus.SENT}
    assert {d.provider_id for d in batch} == {by_phone["13900139000"][0]["biz_id"]}


def test_a_provider_error_is_retried_then_sent_once(eager, fake_sms, make_source, settings,
                                                    django_capture_on_commit_callbacks):
    eager.conf.CELERY_TASK_EAGER_PROPAGATES = False  # the task's Retry would surface here
    user = _person()
    source = make_source("tests.deadline")
    source.add(user, "k", subject="提醒")
    fake_sms.fail_next(1)
    with time_machine.travel(at(10), tick=False):
        _scan(source, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "ServiceUnavailable" in delivery.last_error and fake_sms.sent == []
    assert delivery.next_attempt_at == at(10, 1)  # backoff: 60 s
    fake_sms.refuse_next("isv.BUSINESS_LIMIT_CONTROL")  # throttled: a business error, also retried
    with time_machine.travel(at(10, 1), tick=False):
        assert services.send_delivery(delivery_id=delivery.pk) == ("retry", 120)
    with time_machine.travel(at(10, 3), tick=False):
        assert services.send_delivery(delivery_id=delivery.pk) == ("sent", 0)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3 and len(fake_sms.sent) == 1


def test_a_number_the_provider_refuses_is_skipped_not_retried(eager, fake_sms, make_source,
                                                              django_capture_on_commit_callbacks):
    user = _person()
    source = make_source("tests.deadline")
    source.add(user, "k")
    fake_sms.refuse_next("isv.MOBILE_NUMBER_ILLEGAL")
    with time_machine.travel(at(10), tick=False):
        _scan(source, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == DeliveryStatus.SKIPPED and "MOBILE_NUMBER_ILLEGAL" in delivery.last_error


def test_delivery_reports_are_recorded(eager, fake_sms, make_source, django_capture_on_commit_callbacks):
    a, b = _person(), make_user(phone="13900139000")
    source = make_source("tests.deadline")
    source.add(a, "k")
    source.add(b, "k")
    with time_machine.travel(at(10), tick=False):
        _scan(source, django_capture_on_commit_callbacks)
    to_a, to_b = (Delivery.objects.get(channel="sms", notification__recipient=u) for u in (a, b))
    with time_machine.travel(at(10, 5), tick=False):
        assert sms.record_reports() == {"delivered": 0, "undelivered": 0, "waiting": 2, "unknown": 0}
        fake_sms.report(to_a.provider_id, 3, "DELIVERED")
        fake_sms.report(to_b.provider_id, 2, "MK:0001")
        call_command("shell", "-c", "from notifications.tasks import sms_reports_task; sms_reports_task()")
    to_a.refresh_from_db()
    to_b.refresh_from_db()
    assert (to_a.report, to_a.report_code) == (ReportStatus.DELIVERED, "DELIVERED")
    assert (to_b.report, to_b.report_code) == (ReportStatus.UNDELIVERED, "MK:0001")
    assert to_a.reported_at == at(10, 5)
    queried = {(q["PhoneNumber"], q["BizId"], q["SendDate"]) for q in fake_sms.queries}
    assert ("13800138000", to_a.provider_id, "20261125") in queried
    with time_machine.travel(at(10, 5, DAY + datetime.timedelta(days=4)), tick=False):
        assert sms.record_reports()["unknown"] == 0  # reported ones are left alone


def test_sms_settings_are_checked_for_deployment(settings):
    from notifications.checks import sms_configuration

    settings.NOTIFICATIONS_CHANNELS = ["email"]
    assert sms_configuration(None) == []
    settings.NOTIFICATIONS_CHANNELS = ["email", "sms"]
    settings.SMS_ACCESS_KEY_ID = ""
    settings.SMS_TEMPLATES = {}
    errors = [e.msg for e in sms_configuration(None)]
    assert any("SMS_ACCESS_KEY_ID" in e for e in errors) and any("default" in e for e in errors)


def test_nothing_is_left_behind_in_the_notification_itself(eager, fake_sms, make_source,
                                                           django_capture_on_commit_callbacks):
    """The label is added to the SMS text only: the stored subject stays as the source wrote it."""
    user = _person()
    source = make_source("tests.deadline")
    source.add(user, "k", due=DAY, subject="今天到期")
    with time_machine.travel(at(10), tick=False):
        _scan(source, django_capture_on_commit_callbacks)
    assert Notification.objects.get().subject == "今天到期"
    assert fake_sms.sent[0]["params"]["title"] == "【临期】今天到期"
    assert timezone.now() != at(10)  # time travel ended


def test_a_member_without_an_account_phone_is_reached_at_the_directory_number(
        eager, fake_sms, make_source, tree, django_capture_on_commit_callbacks):
    from tests.factories import make_member

    user = make_user(language="zh-hans")
    make_member(tree.county_a, user=user, phone="139-0013-9000")
    source = make_source("tests.deadline")
    source.add(user, "k", subject="委员提醒")
    with time_machine.travel(at(10), tick=False):
        _scan(source, django_capture_on_commit_callbacks)
    assert [s["phone"] for s in fake_sms.sent] == ["13900139000"]
