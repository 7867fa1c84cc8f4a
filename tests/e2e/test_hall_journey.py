"""A resident on a 375-px phone proposes a topic for their community, keeps the tracking code and
follows it until the secretary turns it into a consultation topic; screenshots of the hall's pages."""

import datetime
import os
import re

import pytest
from django.utils import timezone

from hall.models import Comment, LiveSession, OnlineConsultation, Question, Submission
from organizations.models import Role, UnitKind

from ..factories import make_unit, make_user
from .conftest import login, scroll_width

SHOTS = os.environ.get("HALL_SHOTS", "/tmp/shots-hall")


@pytest.fixture(autouse=True)
def _own_counters(settings):
    import uuid

    settings.HALL_CACHE_PREFIX = f"hall-e2e-{uuid.uuid4().hex}"


def _world():
    city = make_unit("淮北市", UnitKind.CITY)
    county = make_unit("相山区", UnitKind.COUNTY, city)
    township = make_unit("三堤口街道", UnitKind.TOWNSHIP, county, liaison_body_name="三堤口街道政协联络组")
    community = make_unit("庆相桥社区", UnitKind.VILLAGE, township)
    make_unit("虎山北路社区", UnitKind.VILLAGE, township)
    return city, county, township, community


def _png(path):
    from PIL import Image

    Image.new("RGB", (800, 600), (30, 120, 200)).save(path, format="PNG")
    return path


def _solve(page):
    label = page.locator("label[for=id_challenge_answer]").inner_text()
    a, b = re.search(r"(\d+)\s*\+\s*(\d+)", label).groups()
    page.fill("#id_challenge_answer", str(int(a) + int(b)))


def _fits(page):
    assert scroll_width(page) <= page.viewport_size["width"]


def test_resident_proposes_a_topic_on_a_phone_and_follows_it_until_it_becomes_a_topic(
        live_server, phone, page, tmp_path):
    city, county, township, community = _world()
    make_user(Role.SECRETARY, township, username="sec", display_name="秘书 陈红")
    os.makedirs(SHOTS, exist_ok=True)

    # The resident browses city → county → township and proposes a topic, without an account.
    phone.goto(f"{live_server.url}/hall/")
    phone.click("text=淮北市")
    phone.click("text=相山区")
    phone.click("text=三堤口街道")
    _fits(phone)
    phone.click("#submit-topic")
    phone.select_option("#id_unit", str(community.pk))
    phone.fill("#id_title", "邱楼路路灯坏了一半")
    phone.fill("#id_body", "晚上路灯 200 多盏坏了 53 盏，老人出行不便，建议尽快维修。")
    phone.fill("#id_location", "邱楼路北段")
    phone.set_input_files("#id_photos", _png(tmp_path / "lamp.png"))
    _solve(phone)
    phone.screenshot(path=f"{SHOTS}/submit-375.png", full_page=True)
    _fits(phone)
    phone.click("button[type=submit]:has-text('提交')")
    code = phone.locator("#tracking-code").inner_text().strip()
    assert len(code) >= 20
    phone.click("#follow")
    assert phone.locator("#status").inner_text().strip() == "待筛选"
    phone.screenshot(path=f"{SHOTS}/track-375.png", full_page=True)

    # The secretary screens it in one step on the office PC.
    login(page, live_server, "sec")
    page.goto(f"{live_server.url}/hall/manage/")
    page.screenshot(path=f"{SHOTS}/manage-queue-1280.png", full_page=True)
    page.click("text=邱楼路路灯坏了一半")
    page.check("input[name=decision][value=accept]")
    page.fill("#id_reply", "已列入三堤口街道协商议题，将组织现场协商。")
    page.screenshot(path=f"{SHOTS}/manage-screen-1280.png", full_page=True)
    page.click("#screen-form button[type=submit]")
    page.wait_for_selector("#topic-link")
    assert Submission.objects.get().topic_id is not None

    # The resident reloads the tracking page and sees what became of it.
    phone.goto(f"{live_server.url}/hall/track/{code}/")
    assert phone.locator("#status").inner_text().strip() == "已转为协商议题"
    assert "已列入三堤口街道协商议题" in phone.locator("#reply").inner_text()
    assert phone.locator("#became").is_visible()
    _fits(phone)
    phone.screenshot(path=f"{SHOTS}/track-accepted-375.png", full_page=True)


def test_hall_pages_fit_a_phone_and_a_desktop(live_server, phone, page):
    city, county, township, community = _world()
    resident = make_user(Role.RESIDENT, community, username="res", display_name="张兰")
    now = timezone.now()
    c = OnlineConsultation.objects.create(
        org_unit=township, title="城区交通拥堵网络协商", background="上下学高峰拥堵明显。" * 10,
        opens_at=now - datetime.timedelta(days=1), closes_at=now + datetime.timedelta(days=9), status="published")
    Question.objects.create(consultation=c, text="您平时主要怎么出行？", choices=["步行", "公交", "电动车", "私家车"])
    top = Comment.objects.create(consultation=c, author=resident, author_label="张**", body="建议错峰放学" * 5,
                                 support_count=12)
    Comment.objects.create(consultation=c, author=resident, author_label="相山区城管局", body="已增设临时停车点",
                           kind="official", reply_to=top)
    LiveSession.objects.create(org_unit=township, title="小区事务大家谈：公共收益怎么管",
                               starts_at=now - datetime.timedelta(minutes=30), ends_at=now + datetime.timedelta(hours=1),
                               stream_url="https://live.example.invalid/x", agenda="1. 通报\n2. 提问", status="published")
    for viewport, width in ((phone, 375), (page, 1280)):
        for name, url in [("index", "/hall/"), ("place", f"/hall/place/{township.pk}/"),
                          ("consultation", f"/hall/c/{c.pk}/"),
                          ("live", f"/hall/live/{LiveSession.objects.get().pk}/")]:
            viewport.goto(f"{live_server.url}{url}")
            assert viewport.locator("h1").count() >= 1
            _fits(viewport)
            viewport.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)
    # A signed-in resident comments from the phone.
    login(phone, live_server, "res")
    phone.goto(f"{live_server.url}/hall/c/{c.pk}/")
    phone.fill("#id_body", "学校门口可以设即停即走车道")
    phone.click("#comment-form button[type=submit]")
    phone.wait_for_selector("text=学校门口可以设即停即走车道")
    phone.screenshot(path=f"{SHOTS}/consultation-commented-375.png", full_page=True)
