"""The secretary's journey from a topic to a closed and reviewed outcome on a phone, the
approver's decision, and a member answering an invitation; screenshots go to /tmp/shots-consult/."""

import os

from django.utils import timezone

from consultations import services
from consultations.models import Topic, TopicStatus
from organizations.models import Role, UnitKind

from ..factories import make_member, make_unit, make_user
from .conftest import login, scroll_width

SHOTS = os.environ.get("SHOTS_DIR", "/tmp/shots-consult")


def _shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _world():
    county = make_unit("相山区", UnitKind.COUNTY)
    township = make_unit("三堤口街道", UnitKind.TOWNSHIP, county, liaison_body_name="三堤口街道政协联络组")
    village = make_unit("庆相桥社区", UnitKind.VILLAGE, township)
    make_unit("相山区城管局", UnitKind.DEPARTMENT, county)
    secretary = make_user(Role.SECRETARY, township, username="sec", display_name="秘书陈红")
    approver = make_user(Role.APPROVER, township, username="appr", display_name="党工委周强")
    member_user = make_user(Role.MEMBER, county, username="mem", display_name="委员刘芳")
    member = make_member(county, posted_to=township, user=member_user, name="刘芳")
    return township, village, secretary, approver, member


def _fits(page, width):
    assert scroll_width(page) <= width


def test_secretary_takes_a_topic_through_the_whole_loop_on_a_phone(live_server, phone):
    township, village, secretary, approver, member = _world()
    p = phone
    p.set_default_timeout(40000)  # a slow shared CI machine
    login(p, live_server, "sec")
    p.goto(f"{live_server.url}/consultations/topics/new/")
    p.select_option("#id_org_unit", str(village.pk))
    p.fill("#id_title", "小区停车难")
    p.fill("#id_description", "庆相桥社区停车位不足，车辆占用消防通道。")
    p.select_option("#id_channel", "resident")
    p.fill("#id_category", "民生")
    p.click("main form button[type=submit]")
    p.wait_for_selector("#next-step")
    topic = Topic.objects.get(title="小区停车难")
    _shot(p, "record-draft-375")
    p.click("#act-submit")
    p.wait_for_selector("text=待审核")

    p.context.clear_cookies()
    login(p, live_server, "appr")
    p.goto(f"{live_server.url}/consultations/approvals/")
    p.click("text=小区停车难")
    p.click("#act-approve")
    p.wait_for_selector("#published-badge")

    p.context.clear_cookies()
    login(p, live_server, "sec")
    p.goto(f"{live_server.url}/consultations/topics/{topic.pk}/")
    p.fill("#research_findings", "走访三个小区，车位缺口约300个。")
    p.fill("#research_team", "委员2人、社区干部1人")
    p.locator("#form-research form").first.locator("button[type=submit]").click()
    p.wait_for_selector("#act-session")
    p.click("#act-session")
    # One page: date, people, attendance, outcome and suggestions, one submit.
    p.wait_for_selector("#session-record")
    p.wait_for_load_state()  # its script (the member filter) runs once the page has loaded
    p.fill("#id_scheduled_on", timezone.localdate().isoformat())
    p.fill("#id_venue", "庆相桥社区协商议事厅")
    p.fill("[data-member-filter]", "刘芳")
    p.check(f"input[name=members][value='{member.pk}']")
    p.fill("#id_others", "居民代表王某")
    p.fill("#id_residents_count", "25")
    p.fill("#id_outcome_summary", "协调开发商启用地下停车场，补增300个车位。")
    p.fill("#id_suggestions-0-text", "社区两委协调开发商开放地下车库")
    _shot(p, "session-375")
    p.click("#act-record-held")
    p.wait_for_selector(".suggestion")
    _shot(p, "record-handling-375")
    p.locator(".suggestion a").first.click()
    p.select_option("#id_ending", "solved")
    p.fill("#id_feedback", "已开放地下车库，补增车位300个。")
    p.click("#act-feedback")
    p.wait_for_selector("text=已开放地下车库")
    p.goto(f"{live_server.url}/consultations/topics/{topic.pk}/")
    p.click("#act-close")
    p.wait_for_selector("#act-followup")
    p.click("#act-followup")
    p.fill("#id_findings", "回头看：车位运行良好。")
    p.click("main form button[type=submit]")
    p.wait_for_selector("#topic-status")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.REVIEWED
    _shot(p, "record-reviewed-375")
    _fits(p, 375)


def test_member_sees_and_answers_an_invitation_on_a_phone(live_server, phone):
    township, village, secretary, approver, member = _world()
    topic = services.topic_create(actor=secretary, org_unit=village, title="遛犬不牵绳", description="安全隐患",
                                  channel="resident")
    services.topic_submit(actor=secretary, topic=topic)
    services.topic_approve(actor=approver, topic=topic)
    services.research_add(actor=secretary, topic=topic, kind="forum", done_on=timezone.localdate(), findings="座谈")
    session = services.session_schedule(actor=secretary, topic=topic,
                                        scheduled_on=timezone.localdate() + timezone.timedelta(days=3),
                                        form="bench", venue="小区板凳会")
    services.participant_add(actor=secretary, session=session, kind="member", member=member)
    phone.set_default_timeout(40000)
    login(phone, live_server, "mem")
    phone.goto(f"{live_server.url}/consultations/my-sessions/")
    phone.wait_for_selector("text=遛犬不牵绳")
    _shot(phone, "my-sessions-375")
    phone.click("text=我会参加")
    phone.wait_for_selector(".invitation >> text=已确认")
    _fits(phone, 375)


def test_desktop_pages(live_server, page):
    township, village, secretary, approver, member = _world()
    from tests.consultations.conftest import advance  # noqa: F401 - the same helper as the service tests

    for i, title in enumerate(["新老濉河违法建设", "雨污分流工程", "烂尾楼安全隐患"]):
        t = services.topic_create(actor=secretary, org_unit=village, title=title, description="描述",
                                  channel=["resident", "member", "party_gov"][i], category="城市管理")
        if i:
            services.topic_submit(actor=secretary, topic=t)
    page.set_default_timeout(40000)
    login(page, live_server, "sec")
    page.goto(f"{live_server.url}/consultations/")
    page.wait_for_selector("#topics")
    _shot(page, "topics-1280")
    page.goto(f"{live_server.url}/consultations/plan/")
    _shot(page, "plan-1280")
    page.goto(f"{live_server.url}/consultations/topics/{t.pk}/")
    _shot(page, "record-1280")
