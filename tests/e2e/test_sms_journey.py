"""A department officer on a phone sees the red light (逾期) on an overdue suggestion, refuses SMS
on the settings page — and still gets the overdue reminder by SMS, because overdue kinds are
mandatory for SMS: the real Aliyun SDK sends it to the local fake provider at 10:00; a scan at
22:30 would have held it until 08:00. Screenshots go to $SHOTS_DIR when set."""

import datetime
import os
import zoneinfo

import time_machine
from django.utils import timezone

from consultations import services
from consultations.models import Suggestion
from notifications import services as engine
from notifications.models import ChannelOptOut, Delivery
from portal.celery import app as celery_app
from tests.consultations.conftest import advance
from tests.notifications.fake_aliyun import FakeAliyunSms

from .conftest import login, scroll_width

KEY_ID = "LTAI5tFakeKeyForE2E"


def _shot(page, name):
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def test_an_overdue_suggestion_is_red_and_its_sms_goes_out_at_the_right_hour(live_server, phone, users, tree,
                                                                            settings):
    fake = FakeAliyunSms(KEY_ID).start()
    settings.NOTIFICATIONS_CHANNELS = ["email", "sms"]
    settings.SMS_PROVIDER, settings.SMS_SIGN_NAME = "aliyun", "淮北市政协"
    settings.SMS_ACCESS_KEY_ID, settings.SMS_ACCESS_KEY_SECRET = KEY_ID, "fake-secret"
    settings.SMS_TEMPLATES = {"default": "SMS_4001", "digest": "SMS_4002"}
    settings.SMS_ENDPOINT, settings.SMS_PROTOCOL = fake.endpoint, "http"
    conf = celery_app.conf
    old = conf.task_always_eager, conf.task_eager_propagates
    conf.CELERY_TASK_ALWAYS_EAGER, conf.CELERY_TASK_EAGER_PROPAGATES = True, True
    try:
        dept = users.dept
        dept.phone, dept.language = "13800138000", "zh-hans"
        dept.save(update_fields=["phone", "language"])
        today = timezone.localdate()
        topic = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="小区停车难",
                                      description="d", channel="member", planned_month=today)
        advance(topic, users, tree, to="handling")
        Suggestion.objects.filter(topic=topic).update(deadline=today - datetime.timedelta(days=2))

        login(phone, live_server, dept.username)
        phone.goto(f"{live_server.url}/consultations/handling/")
        phone.wait_for_selector("#handling-list [data-light='red']")
        assert "逾期" in phone.inner_text("#handling-list")
        assert scroll_width(phone) <= 375
        _shot(phone, "handling-traffic-375.png")

        phone.goto(f"{live_server.url}/notifications/preferences/")
        phone.check("#sms-off")
        phone.click("#sms ~ form button[type=submit]")
        phone.wait_for_selector(".alert-success")
        assert ChannelOptOut.objects.filter(user=dept, channel="sms").exists()
        assert "仍会以短信发送" in phone.inner_text("body")
        _shot(phone, "sms-settings-375.png")

        shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
        with time_machine.travel(datetime.datetime.combine(today, datetime.time(10, 0), tzinfo=shanghai)):
            engine.scan_source(kind="consultations.suggestion_overdue", today=today)
        # (the "suggestion routed to your department" event went out by SMS before the opt-out)
        to_dept = [s for s in fake.sent if s["phone"] == "13800138000" and "【逾期】" in s["params"]["title"]]
        assert len(to_dept) == 1 and to_dept[0]["sign"] == "淮北市政协"
        assert to_dept[0]["params"]["title"].startswith("【逾期】“小区停车难”")
        delivery = Delivery.objects.get(channel="sms", notification__recipient=dept,
                                        notification__kind="consultations.suggestion_overdue")
        assert delivery.status == "sent" and delivery.provider_id == to_dept[0]["biz_id"]
        assert timezone.localtime(delivery.sent_at).hour == 10
    finally:
        conf.CELERY_TASK_ALWAYS_EAGER, conf.CELERY_TASK_EAGER_PROPAGATES = old
        fake.stop()
