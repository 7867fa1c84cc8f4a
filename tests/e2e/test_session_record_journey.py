"""The one-page session record in a browser at 1280 px: pre-ticked standing members, member search,
a pasted list with a mistake (kept on the error, fixed, saved once), attendance toggles, suggestion
rows added on the page; then a correction after the session is held."""

import datetime

from django.utils import timezone

from consultations import services
from consultations.models import Attendance, Participant, Session, TopicStatus
from members.models import LeadType, Workroom, WorkroomStatus
from organizations.models import Role, UnitKind

from ..factories import make_member, make_unit, make_user
from .conftest import login
from .test_consultation_journey import _fits, _shot


def test_a_secretary_records_a_whole_session_on_one_page(live_server, page, settings):
    # One submit writes 12 participants, 6 duty records and 5 suggestions, each change audited on
    # its own by the composed services: repeated INSERTs here are the record, not an N+1 read.
    settings.PORTAL_NPLUSONE_THRESHOLD = 40
    county = make_unit("相山区", UnitKind.COUNTY)
    township = make_unit("三堤口街道", UnitKind.TOWNSHIP, county, liaison_body_name="三堤口街道政协联络组")
    make_unit("相山区城管局", UnitKind.DEPARTMENT, county)
    secretary = make_user(Role.SECRETARY, township, username="sec", display_name="秘书陈红")
    approver = make_user(Role.APPROVER, township, username="appr")
    standing = [make_member(county, posted_to=township, name=f"常驻委员{i}") for i in range(5)]
    extra = make_member(county, posted_to=township, name="孔文")
    for i in range(20):
        make_member(county, posted_to=township, name=f"其他委员{i:02d}")
    room = Workroom.objects.create(name="委员之家", org_unit=township, lead_type=LeadType.LIAISON_GROUP,
                                   status=WorkroomStatus.PLAQUED, place="三堤口街道委员之家")
    room.members.set(standing)
    topic = services.topic_create(actor=secretary, org_unit=township, title="加装电梯费用分摊", description="分歧",
                                  channel="resident")
    services.topic_submit(actor=secretary, topic=topic)
    services.topic_approve(actor=approver, topic=topic)
    services.research_add(actor=secretary, topic=topic, kind="visit", findings="走访",
                          done_on=timezone.localdate() - datetime.timedelta(days=3))

    p = page
    p.set_default_timeout(40000)
    login(p, live_server, "sec")
    p.goto(f"{live_server.url}/consultations/topics/{topic.pk}/")
    p.click("#act-session")
    p.wait_for_selector("#session-record")
    p.wait_for_load_state()  # its script (the member filter) runs once the page has loaded
    assert p.input_value("#id_venue") == "三堤口街道委员之家"
    assert p.locator("input[name=members]:checked").count() == 5
    p.fill("[data-member-filter]", "孔")
    assert p.locator(".member-option:not(.d-none)").count() == 1
    p.check(f"input[name=members][value='{extra.pk}']")
    assert p.inner_text("[data-ticked-count]") == "6"
    p.fill("#id_others", "居民甲\n居民乙, 庆相桥社区\n居民甲\n<b>坏</b>")
    p.fill("#id_residents_count", "20")
    p.fill("#id_outcome_summary", "按楼层分摊")
    for i in range(5):
        if not p.locator(f"#id_suggestions-{i}-text").count():
            p.click("#add-suggestion-row")
        p.fill(f"#id_suggestions-{i}-text", f"建议{i + 1}")
    p.click("#act-record-held")
    p.wait_for_selector("#record-errors")
    # Everything typed is kept; the mistakes are named by line.
    assert "第3行与第1行重复" in p.content() and "第4行" in p.content()
    assert p.input_value("#id_suggestions-4-text") == "建议5"
    assert p.locator(f"input[name=members][value='{extra.pk}']").is_checked()
    assert not Session.objects.exists()
    p.fill("#id_others", "居民甲\n居民乙, 庆相桥社区\n居民丙\n居民丁\n物业经理, 幸福物业\n社区民警, 派出所")
    _shot(p, "session-record-1280")
    p.click("#act-record-held")
    p.wait_for_selector("#topic-status")
    topic.refresh_from_db()
    session = Session.objects.get()
    assert topic.status == TopicStatus.HANDLING
    assert session.participants.count() == 12 and topic.suggestions.count() == 5
    assert "居民乙（庆相桥社区）" in topic.outcome.minutes
    _fits(p, 1280)

    # After the session: one member was in fact absent.
    p.goto(f"{live_server.url}/consultations/sessions/{session.pk}/")
    p.click("#act-record")
    absent = Participant.objects.get(session=session, member=extra)
    p.click(f"label[for='id_p_{absent.pk}_2']")
    p.fill("#id_correction_reason", "核对签到表")
    p.click("#act-correct")
    p.wait_for_selector("#topic-status")
    absent.refresh_from_db()
    assert absent.attendance == Attendance.ABSENT
