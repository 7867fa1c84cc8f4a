"""A member on a phone sees the bell's count, opens the inbox, marks a reminder read (htmx) and
chooses a daily digest for one kind. Screenshots go to $SHOTS_DIR when set."""

import os

from notifications.models import Notification, Preference
from portal.reminders import SOURCES, reminder_source

from ..factories import make_user
from .conftest import login, scroll_width


def _shot(page, name):
    folder = os.environ.get("SHOTS_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def _inbox_for(user):
    for i, subject in enumerate(["提案办理答复将于11月28日到期（提案第12号）", "请于本月8日参加委员接待日（三堤口街道）",
                                 "协商会议“老旧小区加装电梯”将于3天后召开"]):
        Notification.objects.create(recipient=user, kind="tests.e2e", key=f"k{i}", subject=subject, url="/",
                                    state="dispatched")


def test_member_reads_reminders_and_picks_a_digest_on_a_phone(live_server, phone, page):
    reminder_source("tests.e2e", "会议提醒（测试）")(lambda today: [])
    try:
        user = make_user(None, None, username="member_e2e", display_name="张委员")
        _inbox_for(user)
        login(phone, live_server, "member_e2e")
        phone.wait_for_selector("#notification-bell [data-unread='3']")
        _shot(phone, "home-bell-375.png")
        phone.click("#notification-bell")
        phone.wait_for_selector("text=提案办理答复将于11月28日到期")
        assert scroll_width(phone) <= 375
        _shot(phone, "inbox-375.png")
        first = Notification.objects.get(key="k2")  # newest first
        phone.click(f"#notification-{first.pk} button[type=submit]")
        phone.wait_for_selector(f"#notification-{first.pk}:not(.list-group-item-warning)")
        phone.wait_for_selector("#notification-bell [data-unread='2']")
        first.refresh_from_db()
        assert first.read_at is not None
        phone.goto(f"{live_server.url}/notifications/preferences/")
        phone.check("#mode-tests\\.e2e-digest")
        _shot(phone, "preferences-375.png")
        phone.click("button[type=submit].btn-primary")
        phone.wait_for_selector(".alert-success")
        assert Preference.objects.get(user=user, kind="tests.e2e").mode == "digest"

        login(page, live_server, "member_e2e")
        page.goto(f"{live_server.url}/notifications/")
        page.wait_for_selector("#notification-bell [data-unread='2']")
        _shot(page, "inbox-1280.png")
        page.goto(f"{live_server.url}/notifications/preferences/")
        _shot(page, "preferences-1280.png")
    finally:
        SOURCES.pop("tests.e2e", None)
