"""The proposal journey in a real browser: a member submits on a phone, the proposal committee
registers and assigns, the department replies, the member rates on the phone."""

import os

from organizations.models import Role, UnitKind
from proposals.models import Proposal, ProposalStatus

from ..factories import make_member, make_unit, make_user
from .conftest import login, scroll_width

SHOTS = "/tmp/shots-proposals"


def _shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_member_submits_staff_registers_department_replies_member_rates(live_server, page, phone):
    county = make_unit("相山区", UnitKind.COUNTY)
    dept_unit = make_unit("相山区城管局", UnitKind.DEPARTMENT, county)
    member_user = make_user(Role.MEMBER, county, username="weiyuan")
    make_member(county, user=member_user, name="刘芳")
    make_user(Role.PROPOSAL_STAFF, county, username="tiwei")
    make_user(Role.DEPARTMENT, dept_unit, username="chengguan")

    # 1. The member drafts and submits on a phone.
    login(phone, live_server, "weiyuan")
    phone.goto(f"{live_server.url}/proposals/mine/")
    phone.click("#new-proposal")
    phone.fill("#id_title", "关于加强校园周边交通安全的建议")
    phone.select_option("#id_category", "education")
    phone.fill("#id_case", "上下学高峰时段校园周边拥堵。")
    phone.fill("#id_suggestions", "增设护学岗\n设置限速标志")
    _shot(phone, "01-member-form-375")
    phone.click("#main-form button[type=submit]")
    phone.click("#submit-proposal")
    phone.wait_for_selector("#proposal-status >> text=审查中")
    _shot(phone, "02-member-submitted-375")
    assert scroll_width(phone) <= 375
    proposal = Proposal.objects.get()

    # 2. The proposal committee registers and assigns (desktop).
    login(page, live_server, "tiwei")
    page.goto(f"{live_server.url}/proposals/review/")
    _shot(page, "03-review-queue-1280")
    page.click(f"a[href='/proposals/{proposal.pk}/']")
    page.click("#form-register button[type=submit]")
    page.wait_for_selector("#proposal-number")
    page.select_option("#form-preassign select[name=main_unit]", str(dept_unit.pk))
    page.click("#form-preassign button[type=submit]")
    page.click("#assign-formally")
    page.wait_for_selector("#proposal-status >> text=办理中")
    _shot(page, "04-staff-assigned-1280")

    # 3. The department records contact and replies line by line.
    page.context.clear_cookies()
    login(page, live_server, "chengguan")
    page.goto(f"{live_server.url}/proposals/inbox/")
    _shot(page, "05-department-inbox-1280")
    page.click(f"a[href='/proposals/{proposal.pk}/']")
    page.select_option("#form-contact select[name$=method]", "phone")
    page.fill("#form-contact input[name$=contacted_on]", _today())
    page.click("#form-contact button[type=submit]")
    page.select_option("#form-reply select[name$=reply_class]", "A")
    page.fill("#form-reply textarea[name$=-text]", "已全部采纳。")
    page.fill("#form-reply textarea[name$=line_1]", "已在5所学校增设护学岗")
    page.fill("#form-reply input[name$=document_number]", "相城管函〔2026〕1号")
    page.click("#form-reply button[type=submit]")
    page.wait_for_selector("#proposal-status >> text=已答复，待评价")
    _shot(page, "06-department-replied-1280")

    # 4. The member rates on the phone.
    phone.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    phone.check("#form-rate input[name=attitude][value=satisfied]")
    phone.check("#form-rate input[name=result][value=basic]")
    _shot(phone, "07-member-rates-375")
    phone.click("#form-rate button[type=submit]")
    phone.wait_for_selector("#proposal-status >> text=已办结")
    _shot(phone, "08-member-closed-375")
    assert scroll_width(phone) <= 375
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CLOSED and proposal.satisfaction_result == "basic"


def _today():
    from django.utils import timezone

    return timezone.localdate().strftime("%Y年%m月%d日")
