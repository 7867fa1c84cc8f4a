"""The API of member and workroom codes and of the residents' messages (群众来信): every role and
scope sees exactly what the pages show it, writes go through the same services (audited,
guarded: 409 on a second answer or on a code already replaced), creates are idempotent."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from consultations.models import Topic
from hall.codes import services
from hall.models import CodeMessage, ContactCode
from portal.audit import timeline_for
from portal.models import AuditEvent
from proposals.models import OpinionItem

from ..helpers import assert_constant_queries
from .test_codes import _code, _message, world  # noqa: F401 - the fixture is used by name

pytestmark = pytest.mark.django_db

MESSAGES = "/api/v1/code-messages/"
CODES = "/api/v1/contact-codes/"


@pytest.fixture
def api():
    return APIClient()


def _actor(name, world, users):  # noqa: F811 - `world` is the fixture's value here
    return {"member_user": world.member_user, "other_user": world.other_user,
            "lead_user": world.lead_user}.get(name) or getattr(users, name)


# Who sees a message to the member (posted to 三堤口, county A) and one to the 三堤口 workroom.
MESSAGE_SCOPE = {
    "member_user": {"member"},
    "lead_user": {"workroom"},
    "secretary": {"member", "workroom"},
    "clerk": {"member", "workroom"},
    "city_clerk": {"member", "workroom"},
    "admin": {"member", "workroom"},
    "other_user": set(), "secretary_b": set(), "clerk_b": set(), "dept": set(), "leader": set(),
    "approver": set(), "proposal": set(), "member": set(), "nobody": set(),
}


@pytest.mark.parametrize("who", sorted(MESSAGE_SCOPE))
def test_messages_are_listed_and_read_in_scope_only(api, world, users, who):  # noqa: F811
    messages = {"member": _message(world, users, title="给王芳的信"),
                "workroom": _message(world, users, workroom=True, title="给工作室的信")}
    api.force_authenticate(_actor(who, world, users))
    r = api.get(MESSAGES)
    assert r.status_code == 200
    assert {row["title"] for row in r.json()["results"]} == {messages[k].title for k in MESSAGE_SCOPE[who]}
    for key, message in messages.items():
        r = api.get(f"{MESSAGES}{message.pk}/")
        assert r.status_code == (200 if key in MESSAGE_SCOPE[who] else 404), (who, key)
        r = api.post(f"{MESSAGES}{message.pk}/answer/", {"reply": "已收到"}, format="json")
        if key not in MESSAGE_SCOPE[who]:
            assert r.status_code == 404, (who, key)
    assert CodeMessage.objects.filter(status=CodeMessage.Status.NEW).count() == 2 - len(MESSAGE_SCOPE[who])


# Who may see, retire and reissue the member's code (county A) and the workroom's (三堤口).
CODE_SCOPE = {
    "member_user": {"member"},
    "lead_user": {"workroom"},
    "secretary": {"workroom"},  # a secretary prints workroom codes, not members' (the office does)
    "clerk": {"member", "workroom"},
    "city_clerk": {"member", "workroom"},
    "admin": {"member", "workroom"},
    "other_user": set(), "secretary_b": set(), "clerk_b": set(), "dept": set(), "leader": set(),
    "approver": set(), "proposal": set(), "member": set(), "nobody": set(),
}


@pytest.mark.parametrize("who", sorted(CODE_SCOPE))
def test_codes_are_listed_and_retired_in_scope_only(api, world, users, who):  # noqa: F811
    codes = {"member": _code(world, users), "workroom": _code(world, users, workroom=True)}
    api.force_authenticate(_actor(who, world, users))
    r = api.get(CODES)
    assert r.status_code == 200
    assert {row["code"] for row in r.json()["results"]} == {codes[k].slug for k in CODE_SCOPE[who]}
    for key, code in codes.items():
        assert api.get(f"{CODES}{code.pk}/").status_code == (200 if key in CODE_SCOPE[who] else 404)
        r = api.post(f"{CODES}{code.pk}/retire/")
        assert r.status_code == (200 if key in CODE_SCOPE[who] else 404), (who, key)
        code.refresh_from_db()
        assert code.is_active is (key not in CODE_SCOPE[who])


def test_filters_of_codes_and_messages(api, world, users):  # noqa: F811
    member_code = _code(world, users)
    services.code_renew(actor=world.member_user, member=world.member)
    room_code = _code(world, users, workroom=True)
    api.force_authenticate(users.clerk)
    rows = api.get(CODES, {"member": world.member.pk}).json()["results"]
    assert len(rows) == 2 and {r["kind"] for r in rows} == {"member"} and rows[0]["name"] == "王芳"
    rows = api.get(CODES, {"member": world.member.pk, "is_active": "false"}).json()["results"]
    assert [r["id"] for r in rows] == [member_code.pk] and rows[0]["write_url"] == f"/hall/to/{member_code.slug}/"
    assert [r["id"] for r in api.get(CODES, {"workroom": world.room.pk}).json()["results"]] == [room_code.pk]
    assert api.get(CODES, {"member": "x"}).status_code == 400

    a, b = _message(world, users, title="甲"), _message(world, users, workroom=True, title="乙")
    services.message_answer(actor=world.member_user, message=a, reply="好的")
    api.force_authenticate(users.secretary)
    titles = lambda **q: {r["title"] for r in api.get(MESSAGES, q).json()["results"]}  # noqa: E731
    assert titles() == {"甲", "乙"} and titles(state="open") == {"乙"} and titles(state="done") == {"甲"}
    assert titles(status="answered") == {"甲"} and titles(workroom=world.room.pk) == {"乙"}
    assert titles(mine="true") == set() and titles(mine="false") == {"甲", "乙"}  # oversees, not addressed
    api.force_authenticate(world.lead_user)
    assert titles(mine="true") == {"乙"}
    assert api.get(MESSAGES, {"state": "later"}).status_code == 400
    assert b.pk


def test_the_member_answers_through_the_api_once_and_it_is_audited(api, world, users):  # noqa: F811
    message = _message(world, users)
    api.force_authenticate(world.member_user)
    detail = api.get(f"{MESSAGES}{message.pk}/").json()
    assert detail["contact_phone"] == "13900003333" and detail["actions"] == ["answer", "opinion"]
    assert api.post(f"{MESSAGES}{message.pk}/answer/", {"reply": ""}, format="json").status_code == 400
    assert api.post(f"{MESSAGES}{message.pk}/answer/", {"reply": "x" * 2001}, format="json").status_code == 400
    r = api.post(f"{MESSAGES}{message.pk}/answer/", {"reply": "已转告社区，谢谢"}, format="json")
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["status"] == "answered" and body["reply"] == "已转告社区，谢谢" and body["actions"] == []
    assert body["contact_phone"] == "139****3333" and body["answered_by"] == world.member_user.pk
    r = api.post(f"{MESSAGES}{message.pk}/answer/", {"reply": "again"}, format="json")
    assert r.status_code == 409 and r.json()["detail"]
    assert [e.action for e in timeline_for(message)].count("hall.code_message.answer") == 1


def test_the_secretary_turns_a_message_into_a_topic_and_a_member_may_not(api, world, users):  # noqa: F811
    message = _message(world, users)
    api.force_authenticate(world.member_user)
    r = api.post(f"{MESSAGES}{message.pk}/topic/", {"reply": "已列为议题"}, format="json")
    assert r.status_code == 403 and not Topic.objects.exists()
    api.force_authenticate(users.secretary)
    assert api.get(f"{MESSAGES}{message.pk}/").json()["actions"] == ["answer", "topic", "opinion"]
    r = api.post(f"{MESSAGES}{message.pk}/topic/", {"reply": "已列为议题", "title": "三号楼路灯维修"}, format="json")
    assert r.status_code == 200, r.json()
    topic = Topic.objects.get()
    assert r.json()["status"] == "topic" and r.json()["topic"] == topic.pk and topic.title == "三号楼路灯维修"
    assert topic.source_ref == f"hall-code:{message.tracking_code}"
    assert AuditEvent.objects.filter(action="hall.code_message.topic").count() == 1
    assert api.post(f"{MESSAGES}{message.pk}/opinion/", {"reply": "x"}, format="json").status_code == 409


def test_the_member_turns_a_message_into_a_public_opinion_item(api, world, users):  # noqa: F811
    message = _message(world, users)
    api.force_authenticate(world.member_user)
    r = api.post(f"{MESSAGES}{message.pk}/opinion/", {"reply": "已作为社情民意报送", "title": "老旧小区照明问题",
                                                        "content": "多个小区路灯失修"}, format="json")
    assert r.status_code == 200, r.json()
    item = OpinionItem.objects.get()
    assert r.json()["opinion_item"] == item.pk and item.member == world.member and item.title == "老旧小区照明问题"
    assert AuditEvent.objects.filter(action="hall.code_message.opinion").count() == 1


def test_a_department_and_a_stranger_cannot_hand_a_message_over(api, world, users):  # noqa: F811
    message = _message(world, users)
    for actor in (users.dept, users.secretary_b, world.other_user):
        api.force_authenticate(actor)
        for verb in ("answer", "topic", "opinion"):
            assert api.post(f"{MESSAGES}{message.pk}/{verb}/", {"reply": "x"}, format="json").status_code == 404
    api.force_authenticate(None)
    assert api.get(MESSAGES).status_code in (401, 403)
    assert api.post(f"{CODES}1/retire/").status_code in (401, 403)
    message.refresh_from_db()
    assert message.status == CodeMessage.Status.NEW


def test_reissuing_a_code_makes_one_new_code_and_stops_the_old_one(api, client, world, users):  # noqa: F811
    old = _code(world, users)
    api.force_authenticate(users.clerk)
    r = api.post(f"{CODES}{old.pk}/reissue/", HTTP_IDEMPOTENCY_KEY="reissue-1")
    assert r.status_code == 201, r.json()
    again = api.post(f"{CODES}{old.pk}/reissue/", HTTP_IDEMPOTENCY_KEY="reissue-1")
    assert again.status_code == 201 and again.json() == r.json() and again["Idempotent-Replayed"] == "true"
    new = ContactCode.objects.get(pk=r.json()["id"])
    old.refresh_from_db()
    assert new.is_active and not old.is_active and new.member == world.member and new.slug != old.slug
    assert ContactCode.objects.filter(member=world.member).count() == 2
    assert client.get(reverse("hall:code_write", args=[old.slug])).status_code == 404
    assert client.get(reverse("hall:code_write", args=[new.slug])).status_code == 200
    # A second office renewing the same (now stale) code is told so, and nothing is made.
    r = api.post(f"{CODES}{old.pk}/reissue/", HTTP_IDEMPOTENCY_KEY="reissue-2")
    assert r.status_code == 409 and r.json()["detail"]
    assert api.post(f"{CODES}{old.pk}/retire/").status_code == 409
    assert ContactCode.objects.filter(member=world.member).count() == 2
    assert AuditEvent.objects.filter(action="hall.code.renew").count() == 1


def test_retiring_a_code_is_audited_and_the_print_page_makes_a_new_one(api, client, world, users):  # noqa: F811
    code = _code(world, users, workroom=True)
    message = services.message_create(code=code, title="信", body="内容")
    api.force_authenticate(world.lead_user)
    r = api.post(f"{CODES}{code.pk}/retire/")
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert client.get(reverse("hall:code_write", args=[code.slug])).status_code == 404
    assert CodeMessage.objects.filter(pk=message.pk).exists()  # its messages stay
    event = AuditEvent.objects.get(action="hall.code.retire")
    assert event.actor == world.lead_user
    fresh = services.code_for(actor=world.lead_user, workroom=world.room)
    assert fresh.pk != code.pk and fresh.is_active


def test_the_inbox_list_runs_the_same_queries_for_one_message_or_a_full_page(api, world, users):  # noqa: F811
    api.force_authenticate(users.secretary)

    def add(n):
        for i in range(n):
            _message(world, users, workroom=bool(i % 2), title=f"来信{i}")

    assert_constant_queries(lambda: api.get(MESSAGES), add, large=25)  # one full page (PAGE_SIZE 25)


def test_the_codes_list_runs_the_same_queries_however_many_codes(api, world, users):  # noqa: F811
    api.force_authenticate(users.clerk)

    def add(n):
        for _ in range(n):  # each reissue keeps the retired code listed beside the new one
            services.code_reissue(actor=users.clerk, code=_code(world, users))

    assert_constant_queries(lambda: api.get(CODES), add, large=12)
