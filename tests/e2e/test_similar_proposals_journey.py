"""Similar proposals while drafting, in a real browser: a member types a title on the phone and the
earlier registered proposal on the same matter appears under the form, with its status and the
department's result — and the member can still save the draft (advisory, never blocking)."""

import datetime
import os

from django.utils import timezone

from organizations.models import Role, UnitKind
from proposals import services
from proposals.models import Proposal

from ..factories import make_member, make_unit, make_user
from .conftest import login, scroll_width

SHOTS = "/tmp/shots-similar"


def _earlier_replied_proposal(county, dept_unit):
    other = make_member(county, user=make_user(Role.MEMBER, county, username="zhangqiang"), name="张强")
    staff = make_user(Role.PROPOSAL_STAFF, county, username="tiwei")
    dept = make_user(Role.DEPARTMENT, dept_unit, username="chengguan")
    p = services.proposal_create(actor=other.user, member=other, title="关于老旧小区加装电梯财政补贴的建议",
                                 case="老旧小区多为六层以下住宅，没有电梯，老年居民上下楼困难。",
                                 suggestions=["设立加装电梯专项补贴", "简化审批流程"], category="urban")
    p = services.proposal_submit(actor=other.user, proposal=p)
    p = services.proposal_register(actor=staff, proposal=p)
    p = services.proposal_preassign(actor=staff, proposal=p, main_unit=dept_unit, co_units=[],
                                    due_on=timezone.localdate() + datetime.timedelta(days=60))
    p = services.proposal_assign_formally(actor=staff, proposal=p)
    a = p.assignments.get()
    services.contact_add(actor=dept, assignment=a, method="phone", contacted_on=timezone.localdate())
    services.reply_submit(actor=dept, assignment=a, reply_class="A", text="已设立专项补贴，审批时限压缩至15个工作日。",
                          lines=["已设立", "已简化"])
    return p


def test_member_typing_a_title_sees_similar_earlier_proposals(live_server, phone):
    county = make_unit("相山区", UnitKind.COUNTY)
    dept_unit = make_unit("相山区住建局", UnitKind.DEPARTMENT, county)
    earlier = _earlier_replied_proposal(county, dept_unit)
    make_member(county, user=make_user(Role.MEMBER, county, username="weiyuan"), name="刘芳")

    login(phone, live_server, "weiyuan")
    phone.goto(f"{live_server.url}/proposals/new/")
    assert phone.locator("[data-similar]").count() == 0
    phone.locator("#id_title").press_sequentially("老旧小区加装电梯", delay=30)
    row = phone.locator(f'#similar-panel [data-similar="proposal-{earlier.pk}"]')
    row.wait_for()
    text = row.inner_text()
    assert "老旧小区加装电梯财政补贴" in text
    assert any(words in text for words in ("高度相似", "较为相似", "部分相似"))
    assert "已立案" in text or "已答复" in text or earlier.get_status_display() in text
    assert "相山区住建局" in text and "已解决或采纳" in text  # the department's result class
    assert "张强" not in text and "15个工作日" not in text  # not the member's to read
    assert row.locator("a").count() == 0
    os.makedirs(SHOTS, exist_ok=True)
    phone.screenshot(path=f"{SHOTS}/similar-while-typing-375.png", full_page=True)
    assert scroll_width(phone) <= 375

    # Advisory only: the member goes on and saves the draft.
    phone.fill("#id_case", "加装电梯资金筹措难。")
    phone.fill("#id_suggestions", "提高补贴标准")
    phone.click("#main-form button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/proposals/*/")
    assert Proposal.objects.filter(title="老旧小区加装电梯", proposer__name="刘芳").exists()
