"""The SMS channel through the real Tencent Cloud SDK (`tencentcloud-sdk-python-sms`) against a
local fake of Tencent's HTTP API (tests/notifications/fake_tencent.py): sent at the right hour,
held through quiet hours, opt-out, one SMS per digest and per batch, provider errors retried
with a Chinese message, delivery reports pulled (PullSmsSendStatus) in the same beat task."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from notifications import services, sms
from notifications.models import ChannelOptOut, Delivery, DeliveryStatus, Preference, ReportStatus
from tests.factories import make_user

from .fake_tencent import FakeTencentSms

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2026, 11, 25)
SECRET_ID = "AKIDFakeSecretIdForTests"
APP_ID = "1400787878"


def at(hour, minute=0, day=DAY):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def fake_sms(settings):
    fake = FakeTencentSms(SECRET_ID, APP_ID).start()
    settings.NOTIFICATIONS_CHANNELS = ["email", "sms"]
    settings.SMS_PROVIDER = "tencent"
    settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = SECRET_ID, "fake-secret-key"
    settings.SMS_SDK_APP_ID = APP_ID
    settings.SMS_SIGN_NAME = "有事好商量"
    settings.SMS_TEMPLATES = {"default": "100001", "digest": "100002"}
    settings.SMS_ENDPOINT, settings.SMS_PROTOCOL, settings.SMS_REGION = fake.endpoint, "http", ""
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


def test_an_sms_goes_through_the_tencent_sdk_at_the_right_hour(eager, fake_sms, make_source,
                                                               django_capture_on_commit_callbacks):
    user = _person()
    source = make_source("tests.deadline")
    source.add(user, "reply:1", due=DAY - datetime.timedelta(days=2), subject="提案答复")
    with time_machine.travel(at(10), tick=False):
        _scan(source, django_capture_on_commit_callbacks)
    [sent] = fake_sms.sent
    assert sent["phone"] == "+8613800138000" and sent["sign"] == "有事好商量" and sent["template"] == "100001"
    assert sent["app_id"] == APP_ID
    assert sent["params"] == ["【逾期】提案答复"]  # {1}: the title with the red light's label
    [request] = fake_sms.requests
    assert request["action"] == "SendSms" and request["language"] == "zh-CN"
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == DeliveryStatus.SENT
    assert delivery.provider_id == sent["serial_no"] and delivery.provider_request_id
    assert sent["session"] == delivery.idempotency_key and delivery.address == "+8613800138000"
    assert delivery.sent_at == at(10)
    assert len(mail.outbox) == 1


def test_quiet_hours_hold_the_sms_until_eight_and_urgent_kinds_go_at_once(eager, fake_sms, make_source,
                                                                          django_capture_on_commit_callbacks):
    user = _person()
    normal, urgent = make_source("tests.deadline"), make_source("tests.urgent")
    normal.add(user, "late", subject="晚上的提醒")
    urgent.add(user, "now", subject="明天上午开会")
    with time_machine.travel(at(22, 30), tick=False):
        _scan(normal, django_capture_on_commit_callbacks)
        _scan(urgent, django_capture_on_commit_callbacks)
    assert [s["params"][0] for s in fake_sms.sent] == ["明天上午开会"]
    held = Delivery.objects.get(channel="sms", notification__kind="tests.deadline")
    assert held.status == DeliveryStatus.PENDING and held.attempts == 0
    assert held.next_attempt_at == at(8, 0, DAY + datetime.timedelta(days=1))
    with (time_machine.travel(at(8, 2, DAY + datetime.timedelta(days=1)), tick=False),
          django_capture_on_commit_callbacks(execute=True)):
        services.recover()
    held.refresh_from_db()
    assert held.status == DeliveryStatus.SENT and held.attempts == 1
    assert [s["params"][0] for s in fake_sms.sent] == ["明天上午开会", "晚上的提醒"]


def test_a_user_who_refused_sms_still_gets_mandatory_kinds(eager, fake_sms, make_source,
                                                           django_capture_on_commit_callbacks):
    user = _person()
    sms.sms_opt_out_set(user=user, opted_out_=True)
    assert ChannelOptOut.objects.filter(user=user, channel="sms").exists()
    normal, overdue = make_source("tests.deadline"), make_source("tests.overdue")
    normal.add(user, "a", subject="一般提醒")
    overdue.add(user, "b", subject="答复已逾期")
    with time_machine.travel(at(10), tick=False):
        _scan(normal, django_capture_on_commit_callbacks)
        _scan(overdue, django_capture_on_commit_callbacks)
    statuses = dict(Delivery.objects.filter(channel="sms").values_list("notification__kind", "status"))
    assert statuses == {"tests.deadline": DeliveryStatus.SKIPPED, "tests.overdue": DeliveryStatus.SENT}
    assert [s["params"][0] for s in fake_sms.sent] == ["答复已逾期"]


def test_one_sms_per_digest_and_one_per_batch_with_the_count_as_the_second_variable(
        eager, fake_sms, make_source, django_capture_on_commit_callbacks):
    digest_user, batch_user = _person(), make_user(phone="+8613900139000", language="zh-hans")
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
    assert len(by_phone["+8613800138000"]) == 1 and len(by_phone["+8613900139000"]) == 1
    assert by_phone["+8613800138000"][0]["template"] == "100002"
    assert by_phone["+8613800138000"][0]["params"][1] == "3"
    assert by_phone["+8613900139000"][0]["params"] == ["待办1", "3"]
    batch = Delivery.objects.filter(channel="sms", notification__recipient=batch_user)
    assert {d.status for d in batch} == {DeliveryStatus.SENT}
    assert {d.provider_id for d in batch} == {by_phone["+8613900139000"][0]["serial_no"]}


def test_provider_errors_are_retried_with_a_chinese_message_then_sent_once(eager, fake_sms, make_source,
                                                                           django_capture_on_commit_callbacks):
    eager.conf.CELERY_TASK_EAGER_PROPAGATES = False
    user = _person()
    source = make_source("tests.deadline")
    source.add(user, "k", subject="提醒")
    fake_sms.fail_next(1)
    with time_machine.travel(at(10), tick=False):
        _scan(source, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1 and fake_sms.sent == []
    assert "腾讯云短信：短信服务暂时不可用，将重试（ServerNetworkError）" in delivery.last_error
    assert delivery.next_attempt_at == at(10, 1)
    fake_sms.refuse_next("LimitExceeded.PhoneNumberThirtySecondLimit")  # throttled: retried
    with time_machine.travel(at(10, 1), tick=False):
        assert services.send_delivery(delivery_id=delivery.pk) == ("retry", 120)
    delivery.refresh_from_db()
    assert "30 秒内" in delivery.last_error and "LimitExceeded.PhoneNumberThirtySecondLimit" in delivery.last_error
    fake_sms.error_next("AuthFailure.SecretIdNotFound")  # a whole-request error: retried too
    with time_machine.travel(at(10, 3), tick=False):
        assert services.send_delivery(delivery_id=delivery.pk) == ("retry", 240)
    delivery.refresh_from_db()
    assert "SecretId" in delivery.last_error and "AuthFailure.SecretIdNotFound" in delivery.last_error
    with time_machine.travel(at(10, 7), tick=False):
        assert services.send_delivery(delivery_id=delivery.pk) == ("sent", 0)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 4 and len(fake_sms.sent) == 1


def test_a_number_the_provider_refuses_is_skipped_not_retried(eager, fake_sms, make_source,
                                                              django_capture_on_commit_callbacks):
    user = _person()
    source = make_source("tests.deadline")
    source.add(user, "k")
    fake_sms.refuse_next("LimitExceeded.PhoneNumberDailyLimit")
    with time_machine.travel(at(10), tick=False):
        _scan(source, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(channel="sms")
    assert delivery.status == DeliveryStatus.SKIPPED and delivery.attempts == 1
    assert "当日短信条数已达上限" in delivery.last_error and "PhoneNumberDailyLimit" in delivery.last_error
    assert len(fake_sms.requests) == 1


def test_delivery_reports_are_pulled_in_the_beat_task(eager, fake_sms, make_source,
                                                      django_capture_on_commit_callbacks):
    a, b = _person(), make_user(phone="13900139000")
    source = make_source("tests.deadline")
    source.add(a, "k")
    source.add(b, "k")
    with time_machine.travel(at(10), tick=False):
        _scan(source, django_capture_on_commit_callbacks)
    to_a, to_b = (Delivery.objects.get(channel="sms", notification__recipient=u) for u in (a, b))
    with time_machine.travel(at(10, 5), tick=False):
        assert sms.record_reports() == {"delivered": 0, "undelivered": 0, "waiting": 2, "unknown": 0}
        fake_sms.report(to_a.provider_id, "SUCCESS", "DELIVRD")
        fake_sms.report(to_b.provider_id, "FAIL", "MN:0001")
        call_command("shell", "-c", "from notifications.tasks import sms_reports_task; sms_reports_task()")
    to_a.refresh_from_db()
    to_b.refresh_from_db()
    assert (to_a.report, to_a.report_code) == (ReportStatus.DELIVERED, "DELIVRD")
    assert (to_b.report, to_b.report_code) == (ReportStatus.UNDELIVERED, "MN:0001")
    assert to_a.reported_at == at(10, 5)
    assert all(p["SmsSdkAppId"] == APP_ID and p["Limit"] == 100 for p in fake_sms.pulls)
    with time_machine.travel(at(10, 6), tick=False):
        assert sms.record_reports() == {"delivered": 0, "undelivered": 0, "waiting": 0, "unknown": 0}


def test_a_receipt_pulled_after_three_days_replaces_no_report(eager, fake_sms, make_source,
                                                              django_capture_on_commit_callbacks):
    """Tencent's status queue hands each receipt out once: a late one is recorded when the next
    pull comes, even for a message already marked 'no report'."""
    first, second = _person(), make_user(phone="13900139000")
    source = make_source("tests.deadline")
    source.add(first, "k")
    with time_machine.travel(at(10), tick=False):
        _scan(source, django_capture_on_commit_callbacks)
    late = Delivery.objects.get(channel="sms")
    later = DAY + datetime.timedelta(days=4)
    with time_machine.travel(at(10, 0, later), tick=False):
        assert sms.record_reports()["unknown"] == 1
        assert fake_sms.pulls == []  # nothing waits: the queue is not asked
        source.add(second, "k")
        _scan(source, django_capture_on_commit_callbacks, today=later)
    fake_sms.report(late.provider_id, "SUCCESS", "DELIVRD")
    with time_machine.travel(at(10, 10, later), tick=False):
        assert sms.record_reports() == {"delivered": 1, "undelivered": 0, "waiting": 1, "unknown": 0}
    late.refresh_from_db()
    assert (late.report, late.reported_at) == (ReportStatus.DELIVERED, at(10, 10, later))


def test_tencent_settings_are_checked_for_deployment(settings):
    from notifications.checks import sms_configuration

    settings.NOTIFICATIONS_CHANNELS = ["email", "sms"]
    settings.SMS_PROVIDER = "tencent"
    settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = SECRET_ID, "k"
    settings.SMS_SIGN_NAME = "有事好商量"
    settings.SMS_SDK_APP_ID = ""
    settings.SMS_TEMPLATES = {"default": "SMS_100"}
    errors = [e.msg for e in sms_configuration(None)]
    assert any("SMS_SDK_APP_ID" in e for e in errors)
    assert any("SMS_TEMPLATES" in e for e in errors)  # Tencent template ids are numbers
    settings.SMS_SDK_APP_ID = APP_ID
    settings.SMS_TEMPLATES = {"default": "100001", "digest": "100002"}
    assert sms_configuration(None) == []
    settings.SMS_PROVIDER = "huawei"
    assert any("aliyun, tencent" in e.msg for e in sms_configuration(None))
