"""(a) A resident on a 375-px phone opens a member's code, writes, keeps the tracking code; the
member signs in, answers from the inbox; the resident reads the answer. (b) The public search
shows a public proposal with its reply and hides a private one, on a phone."""

import os
import re
import uuid

import pytest

from hall.codes import services as code_services
from hall.models import CodeMessage
from organizations.models import Role, UnitKind

from ..factories import make_member, make_unit, make_user
from .conftest import login, scroll_width

SHOTS = os.environ.get("HALL_SHOTS", "/tmp/shots-hall")


@pytest.fixture(autouse=True)
def _own_counters(settings):
    settings.HALL_CACHE_PREFIX = f"hall-e2e-{uuid.uuid4().hex}"


def _fits(page):
    assert scroll_width(page) <= page.viewport_size["width"]


def _solve(page):
    label = page.locator("label[for=id_challenge_answer]").inner_text()
    a, b = re.search(r"(\d+)\s*\+\s*(\d+)", label).groups()
    page.fill("#id_challenge_answer", str(int(a) + int(b)))


def test_a_resident_scans_a_member_code_on_a_phone_and_reads_the_members_answer(live_server, phone, page):
    city = make_unit("淮北市", UnitKind.CITY)
    county = make_unit("相山区", UnitKind.COUNTY, city)
    township = make_unit("三堤口街道", UnitKind.TOWNSHIP, county)
    user = make_user(Role.MEMBER, county, username="wf", display_name="王芳")
    member = make_member(county, posted_to=township, user=user, name="王芳")
    code = code_services.code_for(actor=user, member=member)
    os.makedirs(SHOTS, exist_ok=True)

    # The resident scans the plaque: the phone opens the form addressed to the member.
    phone.goto(f"{live_server.url}/hall/to/{code.slug}/")
    assert "王芳" in phone.locator("#addressee").inner_text()
    phone.fill("#id_title", "小区门口积水")
    phone.fill("#id_body", "下雨天小区门口积水很深，老人出行不便，希望帮忙反映。")
    phone.fill("#id_contact_phone", "13900002222")
    _solve(phone)
    _fits(phone)
    phone.screenshot(path=f"{SHOTS}/code-write-375.png", full_page=True)
    phone.click("button[type=submit]")
    tracking = phone.locator("#tracking-code").inner_text().strip()
    assert len(tracking) >= 20
    phone.click("#follow")
    assert phone.locator("#status").inner_text().strip() == "待答复"
    _fits(phone)

    # The member signs in, finds the message in the inbox and answers it.
    login(page, live_server, "wf")
    page.goto(f"{live_server.url}/members/me/")
    assert page.locator("#code-counts [data-count=received]").inner_text().strip() == "1"
    page.click("#code-section >> text=群众来信")
    page.click("#letters >> text=小区门口积水")
    assert "13900002222" in page.locator("main").inner_text()  # the member sees the contact, the public never
    page.check("input[name=action][value=answer]")
    page.fill("#id_reply", "已联系社区和物业，本周内疏通排水口。")
    page.click("#handle-form button[type=submit]")
    page.wait_for_selector("#reply")
    assert CodeMessage.objects.get().status == CodeMessage.Status.ANSWERED

    # The resident reloads the tracking page and reads the answer.
    phone.goto(f"{live_server.url}/hall/track/{tracking}/")
    assert phone.locator("#status").inner_text().strip() == "已答复"
    assert "本周内疏通排水口" in phone.locator("#reply").inner_text()
    assert "13900002222" not in phone.content()
    _fits(phone)
    phone.screenshot(path=f"{SHOTS}/code-answered-375.png", full_page=True)


def test_the_public_search_shows_a_public_proposal_and_its_reply_and_hides_a_private_one(live_server, phone):
    from proposals import services
    from tests.proposals.conftest import to_state

    province = make_unit("安徽省", UnitKind.PROVINCE)
    city = make_unit("淮北市", UnitKind.CITY, province)
    county = make_unit("相山区", UnitKind.COUNTY, city)
    dept = make_unit("相山区城管局", UnitKind.DEPARTMENT, county)
    dept2 = make_unit("相山区教育局", UnitKind.DEPARTMENT, county)

    class World:
        pass

    world = World()
    world.tree = type("T", (), {"dept_a": dept})
    world.dept_a2 = dept2
    world.users = type("U", (), {"proposal": make_user(Role.PROPOSAL_STAFF, county, username="ps"),
                                 "dept": make_user(Role.DEPARTMENT, dept, username="d1")})
    world.dept2 = make_user(Role.DEPARTMENT, dept2, username="d2")
    world.member = make_member(county, user=make_user(Role.MEMBER, county, username="m1"), name="刘芳",
                               phone="13812345678")
    public = to_state(world, "replied", title="关于老旧小区加装电梯的建议")
    services.proposal_set_publication(actor=world.users.proposal, proposal=public, publication="public")
    private = to_state(world, "replied", title="关于老旧小区消防通道的建议")
    services.proposal_set_publication(actor=world.users.proposal, proposal=private, publication="private")

    phone.goto(f"{live_server.url}/hall/")
    phone.click("text=公开提案")
    phone.fill("#id_q", "老旧小区")
    phone.click("#public-search button[type=submit]")
    results = phone.locator("#results").inner_text()
    assert "关于老旧小区加装电梯的建议" in results and "已办理。" in results
    assert "消防通道" not in results and "13812345678" not in phone.content()
    _fits(phone)
    phone.screenshot(path=f"{SHOTS}/public-search-375.png", full_page=True)
    phone.click("text=关于老旧小区加装电梯的建议")
    assert "简化审批流程" in phone.locator("main").inner_text()
    _fits(phone)
