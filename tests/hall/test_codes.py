"""Member and workroom codes (委员码 / 工作室码): residents write to a member or workroom by
scanning a printed code; the addressee answers, or turns the message into a topic or a 社情民意
item; counts reach the duty file, the workroom page and the dashboard. Scoped for every role."""

import datetime
import re

import pytest
from django.urls import reverse

from consultations.models import Topic
from hall.codes import selectors, services
from hall.models import CodeMessage, ContactCode
from members.models import DutyRecord, Workroom, WorkroomStatus
from organizations.models import Role
from portal.audit import timeline_for
from portal.errors import GuardFailed, NotAllowed
from portal.metrics import METRICS
from proposals.models import OpinionItem
from tests.factories import make_member, make_user
from tests.helpers import assert_constant_queries

from .conftest import solve

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, users):
    """A county-A member (with an account) posted to 三堤口街道, another member of county A, and
    a plaqued workroom of 三堤口街道 led by a third member."""
    member_user = make_user(Role.MEMBER, tree.county_a, username="weiyuan", display_name="委员 王芳")
    member = make_member(tree.county_a, posted_to=tree.township_a1, user=member_user, name="王芳")
    other_user = make_user(Role.MEMBER, tree.county_a, username="other_member")
    other = make_member(tree.county_a, posted_to=tree.township_a2, user=other_user, name="李强")
    lead_user = make_user(Role.MEMBER, tree.county_a, username="lead_member")
    lead = make_member(tree.county_a, posted_to=tree.township_a1, user=lead_user, name="赵敏")
    room = Workroom.objects.create(org_unit=tree.township_a1, name="三堤口委员工作室", lead_member=lead,
                                   status=WorkroomStatus.PLAQUED)
    room.members.add(lead)
    return type("W", (), {"member": member, "member_user": member_user, "other": other, "other_user": other_user,
                          "lead": lead, "lead_user": lead_user, "room": room})


def _write(client, slug, **extra):
    url = reverse("hall:code_write", args=[slug])
    token, answer = solve(client.get(url))
    data = {"title": "小区门口积水", "body": "下雨天门口积水很深，老人出行不便", "contact_name": "张先生",
            "contact_phone": "13900002222", "challenge_token": token, "challenge_answer": answer}
    data.update(extra)
    return client.post(url, data)


def _code(world, users, *, workroom=False):
    if workroom:
        return services.code_for(actor=users.secretary, workroom=world.room)
    return services.code_for(actor=world.member_user, member=world.member)


# --- Codes ---------------------------------------------------------------------------------------


def test_codes_are_random_slugs_not_ids_and_stay_the_same_until_renewed(world, users):
    code = _code(world, users)
    assert len(code.slug) >= 16 and str(world.member.pk) != code.slug
    assert services.code_for(actor=users.clerk, member=world.member) == code  # printed again: the same code
    other = services.code_for(actor=world.other_user, member=world.other)
    assert other.slug != code.slug
    renewed = services.code_renew(actor=world.member_user, member=world.member)
    assert renewed.slug != code.slug and not ContactCode.objects.get(pk=code.pk).is_active
    with pytest.raises(services.CodeUnavailable):
        services.code_lookup(code.slug)


@pytest.mark.parametrize("who", ["other_member", "secretary", "clerk_b", "dept", "nobody", "leader"])
def test_only_the_member_and_the_office_over_them_may_print_a_member_code(client, world, users, who):
    actor = {"other_member": world.other_user}.get(who) or getattr(users, who)
    with pytest.raises(NotAllowed):
        services.code_for(actor=actor, member=world.member)
    client.force_login(actor)
    # the leader sees the member's file (403: not theirs to print); the others do not see it (404)
    expected = 403 if who == "leader" else 404
    assert client.get(reverse("hall:code_print", args=["member", world.member.pk])).status_code == expected
    assert client.get(reverse("hall:code_qr", args=["member", world.member.pk])).status_code == expected


def test_the_member_and_the_clerk_print_the_code_with_name_unit_and_qr(client, world, users):
    for actor in (world.member_user, users.clerk, users.admin):
        client.force_login(actor)
        page = client.get(reverse("hall:code_print", args=["member", world.member.pk]))
        html = page.content.decode()
        assert page.status_code == 200 and "王芳" in html and "相山区" in html and "<svg" in html
        slug = ContactCode.objects.get(member=world.member, is_active=True).slug
        assert reverse("hall:code_write", args=[slug]) in html
        qr = client.get(reverse("hall:code_qr", args=["member", world.member.pk]))
        assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"
    assert ContactCode.objects.filter(member=world.member).count() == 1


def test_workroom_codes_for_its_people_and_the_secretary_only(client, world, users):
    for actor in (world.lead_user, users.secretary, users.clerk):
        client.force_login(actor)
        assert client.get(reverse("hall:code_print", args=["workroom", world.room.pk])).status_code == 200
    for actor in (world.other_user, users.secretary_b, users.dept):
        client.force_login(actor)
        assert client.get(reverse("hall:code_print", args=["workroom", world.room.pk])).status_code == 404
    client.force_login(users.secretary)
    assert client.get(reverse("hall:code_print", args=["nonsense", world.room.pk])).status_code == 404


def test_renewing_from_the_print_page_retires_the_old_code(client, world, users):
    old = _code(world, users)
    client.force_login(world.member_user)
    response = client.post(reverse("hall:code_print", args=["member", world.member.pk]))
    assert response.status_code == 302
    page = client.get(reverse("hall:code_write", args=[old.slug]))
    assert page.status_code == 404 and "不再有效" in page.content.decode()
    assert "hall.code.renew" in {e.action for e in timeline_for(world.member)}


# --- The resident's form ---------------------------------------------------------------------------


def test_a_resident_writes_without_an_account_and_reads_the_answer_by_tracking_code(client, world, users):
    code = _code(world, users)
    form = client.get(reverse("hall:code_write", args=[code.slug]))
    assert "王芳" in form.content.decode()
    response = _write(client, code.slug)
    message = CodeMessage.objects.get()
    assert response.status_code == 302 and message.tracking_code in response["Location"]
    assert message.member == world.member and message.org_unit == tree_unit(world)
    assert message.submitter is None and message.received_on == datetime.date.today()
    track = client.get(reverse("hall:track_detail", args=[message.tracking_code]))
    html = track.content.decode()
    assert track.status_code == 200 and "小区门口积水" in html
    assert "13900002222" not in html and "张先生" not in html  # never on a public page
    services.message_answer(actor=world.member_user, message=message, reply="已联系物业，本周疏通")
    assert "已联系物业，本周疏通" in client.get(reverse("hall:track_detail", args=[message.tracking_code])).content.decode()


def tree_unit(world):
    return world.member.postings.get().org_unit


@pytest.mark.parametrize("slug", ["x", "A" * 16, "A" * 40, "..%5C..", "%E4%BD%A0%E5%A5%BD", "%3Cscript%3E"])
def test_unknown_codes_get_a_friendly_translated_page(client, world, slug):
    response = client.get(f"/hall/to/{slug}/")
    assert response.status_code == 404 and "不再有效" in response.content.decode()
    response = client.post(f"/hall/to/{slug}/", {"title": "t", "body": "b"})
    assert response.status_code == 404 and not CodeMessage.objects.exists()


def test_codes_of_inactive_members_and_closed_workrooms_stop_working(client, world, users):
    member_code, room_code = _code(world, users), _code(world, users, workroom=True)
    world.member.is_active = False
    world.member.save()
    world.room.status = WorkroomStatus.REVOKED
    world.room.save()
    for code in (member_code, room_code):
        assert client.get(reverse("hall:code_write", args=[code.slug])).status_code == 404


def test_bad_input_is_refused_with_a_message_and_stores_nothing(client, world, users):
    code = _code(world, users)
    assert _write(client, code.slug, challenge_answer="99").status_code == 400
    assert _write(client, code.slug, title="").status_code == 400
    assert _write(client, code.slug, body="x" * 3001).status_code == 400
    assert _write(client, code.slug, contact_phone="call me").status_code == 400
    assert not CodeMessage.objects.exists()


def test_the_form_is_rate_limited_like_the_halls_other_forms(client, world, users, settings):
    settings.HALL_RATE_LIMITS = {"submit": (2, 3600)}
    code = _code(world, users)
    assert _write(client, code.slug).status_code == 302
    assert _write(client, code.slug).status_code == 302
    response = _write(client, code.slug)
    assert response.status_code == 429 and CodeMessage.objects.count() == 2


# --- Inbox, answers, hand-overs ---------------------------------------------------------------------


def _message(world, users, *, workroom=False, **kw):
    code = _code(world, users, workroom=workroom)
    return services.message_create(code=code, title=kw.pop("title", "路灯不亮"), body="三号楼前路灯坏了",
                                   contact_phone="13900003333", **kw)


def test_the_inbox_is_scoped_to_the_addressee_and_the_staff_over_the_unit(client, world, users):
    mine = _message(world, users, title="给王芳的信")
    room = _message(world, users, workroom=True, title="给工作室的信")
    seen = {
        world.member_user: {"给王芳的信"},
        world.lead_user: {"给工作室的信"},
        users.secretary: {"给王芳的信", "给工作室的信"},
        users.clerk: {"给王芳的信", "给工作室的信"},
        users.admin: {"给王芳的信", "给工作室的信"},
        world.other_user: set(), users.secretary_b: set(), users.clerk_b: set(), users.dept: set(),
        users.leader: set(), users.approver: set(), users.nobody: set(),
    }
    for actor, titles in seen.items():
        client.force_login(actor)
        html = client.get(reverse("hall:code_inbox") + "?status=all").content.decode()
        assert {t for t in ("给王芳的信", "给工作室的信") if t in html} == titles, actor.username
        for message in (mine, room):
            status = client.get(reverse("hall:code_message", args=[message.pk])).status_code
            assert status == (200 if message.title in titles else 404), (actor.username, message.title)
    client.force_login(users.secretary)
    html = client.get(reverse("hall:code_inbox") + "?status=all&mine=1").content.decode()
    assert "给王芳的信" not in html  # "only those addressed to me"
    assert client.get(reverse("hall:code_message", args=[999999])).status_code == 404


def test_contact_details_are_shown_to_the_addressee_only_inside_the_portal(client, world, users):
    message = _message(world, users)
    client.force_login(world.member_user)
    assert "13900003333" in client.get(reverse("hall:code_message", args=[message.pk])).content.decode()


def test_the_member_answers_once_and_the_answer_is_audited(client, world, users):
    message = _message(world, users)
    client.force_login(world.member_user)
    url = reverse("hall:code_message", args=[message.pk])
    assert client.post(url, {"action": "answer", "reply": ""}).status_code == 400
    assert client.post(url, {"action": "answer", "reply": "已转告社区，谢谢"}).status_code == 302
    message.refresh_from_db()
    assert message.status == CodeMessage.Status.ANSWERED and message.answered_by == world.member_user
    assert message.answered_on == datetime.date.today()
    with pytest.raises(GuardFailed):
        services.message_answer(actor=world.member_user, message=message, reply="again")
    assert {"hall.code_message.create", "hall.code_message.answer"} <= {e.action for e in timeline_for(message)}


@pytest.mark.parametrize("who", ["other_member", "secretary_b", "clerk_b", "dept", "leader", "nobody"])
def test_nobody_else_may_answer(world, users, who):
    actor = {"other_member": world.other_user}.get(who) or getattr(users, who)
    message = _message(world, users)
    with pytest.raises(NotAllowed):
        services.message_answer(actor=actor, message=message, reply="x")


def test_the_secretary_turns_a_message_into_a_consultation_topic(client, world, users):
    message = _message(world, users)
    client.force_login(users.secretary)
    response = client.post(reverse("hall:code_message", args=[message.pk]),
                           {"action": "topic", "reply": "已列为议题", "title": "三号楼路灯维修", "description": ""})
    assert response.status_code == 302
    message.refresh_from_db()
    topic = Topic.objects.get()
    assert message.status == CodeMessage.Status.TOPIC and message.topic == topic
    assert topic.org_unit == tree_unit(world) and topic.title == "三号楼路灯维修"
    assert topic.source_ref == f"hall-code:{message.tracking_code}" and topic.channel == "resident"
    assert message.converted_on == message.answered_on == datetime.date.today()


def test_a_member_without_a_secretary_role_is_not_offered_the_topic_and_cannot_force_it(client, world, users):
    message = _message(world, users)
    client.force_login(world.member_user)
    page = client.get(reverse("hall:code_message", args=[message.pk])).content.decode()
    assert 'value="opinion"' in page and 'value="topic"' not in page
    response = client.post(reverse("hall:code_message", args=[message.pk]), {"action": "topic", "reply": "x"})
    assert response.status_code == 400
    with pytest.raises(NotAllowed):
        services.message_to_topic(actor=world.member_user, message=message, title="", description="", reply="x")
    assert not Topic.objects.exists()


def test_the_member_turns_a_message_into_a_public_opinion_item(client, world, users):
    message = _message(world, users)
    client.force_login(world.member_user)
    response = client.post(reverse("hall:code_message", args=[message.pk]),
                           {"action": "opinion", "reply": "已作为社情民意报送", "title": "老旧小区照明问题",
                            "description": "多个小区路灯失修"})
    assert response.status_code == 302
    message.refresh_from_db()
    item = OpinionItem.objects.get()
    assert message.status == CodeMessage.Status.OPINION and message.opinion_ref == str(item.pk)
    assert item.member == world.member and item.source_ref == f"hall-code:{message.tracking_code}"
    assert item.title == "老旧小区照明问题" and item.org_unit == users.clerk.role_assignments.get().unit
    assert DutyRecord.objects.filter(member=world.member, kind="opinion_submitted").exists()


def test_counts_reach_the_duty_file_the_workroom_page_and_the_dashboard(client, world, users):
    a, b, c = (_message(world, users) for _ in range(3))
    room = _message(world, users, workroom=True)
    services.message_answer(actor=world.member_user, message=a, reply="好的")
    services.message_to_opinion(actor=world.member_user, message=b, title="", content="", reply="已报送")
    services.message_to_topic(actor=users.secretary, message=room, title="", description="", reply="已立题")
    assert selectors.counts(member=world.member) == {"received": 3, "answered": 2, "topics": 0, "opinions": 1,
                                                     "waiting": 1}
    client.force_login(users.clerk)
    html = client.get(reverse("members:detail", args=[world.member.pk])).content.decode()
    assert re.search(r'data-count="received">3<', html) and re.search(r'data-count="opinions">1<', html)
    html = client.get(reverse("members:workroom", args=[world.room.pk])).content.decode()
    assert re.search(r'data-count="received">1<', html) and re.search(r'data-count="topics">1<', html)
    client.force_login(world.member_user)
    html = client.get(reverse("members:me")).content.decode()
    assert re.search(r'data-count="answered">2<', html)

    today = datetime.date.today()
    tree_units = [world.member.org_unit, tree_unit(world), users.secretary_b.role_assignments.get().unit]
    values = {key: METRICS[key].func(tree_units, today, today) for key in (
        "hall.code_messages", "hall.code_messages_answered", "hall.code_messages_topics",
        "hall.code_messages_opinions")}
    county, township, other = (u.pk for u in tree_units)
    assert values["hall.code_messages"] == {county: 4, township: 4, other: 0}
    assert values["hall.code_messages_answered"][county] == 3
    assert values["hall.code_messages_topics"][township] == 1
    assert values["hall.code_messages_opinions"][township] == 1
    # Counted by the day it happened: a message received last year is not in this year's figures.
    CodeMessage.objects.filter(pk=c.pk).update(received_on=today.replace(year=today.year - 1))
    assert METRICS["hall.code_messages"].func(tree_units, today.replace(month=1, day=1), today)[county] == 3


def test_the_inbox_runs_a_constant_number_of_queries(client, world, users):
    code = _code(world, users)
    client.force_login(users.secretary)

    def add(n):
        for i in range(n):
            services.message_create(code=code, title=f"信{i}", body="内容")

    assert_constant_queries(lambda: client.get(reverse("hall:code_inbox")), add,
                            rows=re.compile(r'href="/hall/letters/(\d+)/"'))


def test_the_residents_phone_is_masked_once_the_message_is_answered(client, world, users):
    message = _message(world, users)
    client.force_login(world.member_user)
    url = reverse("hall:code_message", args=[message.pk])
    assert '<span id="contact-phone">13900003333</span>' in client.get(url).content.decode()  # to call back
    services.message_answer(actor=world.member_user, message=message, reply="已转告社区，谢谢")
    page = client.get(url).content.decode()
    assert "13900003333" not in page and '<span id="contact-phone">139****3333</span>' in page
