"""The one-page session record: schedule → invite many → attendance → held → outcome and
suggestions in one submit, pre-filled, atomic, and every bad input refused clearly."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import Attendance, Outcome, Participant, Session, SessionStatus, TopicStatus
from members.models import DutyRecord, DutyStatus, LeadType, Workroom, WorkroomStatus
from portal.models import AuditEvent

from ..factories import make_member
from .conftest import advance

pytestmark = pytest.mark.django_db


def _page(client, topic):
    return reverse("consultations:session_record", args=[topic.pk])


def _post_data(today, **extra):
    data = {"scheduled_on": today.isoformat(), "form": "council", "venue": "庆相桥社区协商议事厅",
            "others_kind": "resident", "consensus": "1", "hold": "1",
            "suggestions-TOTAL_FORMS": "0", "suggestions-INITIAL_FORMS": "0",
            "suggestions-MIN_NUM_FORMS": "0", "suggestions-MAX_NUM_FORMS": "50"}
    data.update(extra)
    return data


def _rows(rows):
    data = {"suggestions-TOTAL_FORMS": str(len(rows)), "suggestions-INITIAL_FORMS": str(len(rows))}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"suggestions-{i}-{key}"] = value
    return data


@pytest.fixture
def researched(topic, users, tree):
    return advance(topic, users, tree, to="researched")


@pytest.fixture
def six_members(tree):
    return [make_member(tree.county_a, posted_to=tree.township_a1, name=f"委员{i}") for i in range(6)]


def test_canonical_session_is_recorded_in_one_submit(client, users, tree, researched, six_members, settings):
    # One submit writes 12 participants, 6 duty records and 5 suggestions, each change audited
    # on its own (the single-step services are composed): repeated INSERTs are the point here,
    # not an N+1 read.
    settings.PORTAL_NPLUSONE_THRESHOLD = 40
    today = timezone.localdate()
    client.force_login(users.secretary)
    client.cookies["django_language"] = "en"
    others = "\n".join(["居民甲", "居民乙，庆相桥社区", "居民丙, 庆相桥社区", "物业经理, 幸福物业", "居民丁", "居民戊"])
    rows = [{"text": f"建议{i}", "route": "community", "deadline": (today + datetime.timedelta(days=30)).isoformat()}
            for i in range(4)]
    rows.append({"text": "协调城管执法", "route": "department", "handling_unit": tree.dept_a.pk, "deadline": ""})
    r = client.post(_page(client, researched), _post_data(
        today, members=[m.pk for m in six_members], others=others, steps_done=["brief", "consensus"],
        residents_count="20", votes_for="11", votes_against="1", summary="居民充分发言", outcome_summary="启用车库",
        **_rows(rows)))
    assert r.status_code == 302, r.content.decode()[-4000:]
    researched.refresh_from_db()
    assert researched.status == TopicStatus.HANDLING
    session = researched.sessions.get()
    assert session.status == SessionStatus.HELD
    assert session.participants.count() == 12
    assert session.participants.filter(attendance=Attendance.ATTENDED).count() == 12
    assert session.participants.get(name="居民乙").organisation == "庆相桥社区"
    assert session.participants.get(name="居民甲").organisation == tree.township_a1.name  # default unit
    assert researched.suggestions.count() == 5
    outcome = Outcome.objects.get(topic=researched)
    # Minutes drafted from the record, not typed again.
    assert "居民充分发言" in outcome.minutes and "协调城管执法" in outcome.minutes and "委员0" in outcome.minutes
    assert DutyRecord.objects.filter(kind="session_attended", member__in=six_members).count() == 6
    assert AuditEvent.objects.filter(action="consultations.participant.add_many").count() == 1


def test_page_prefills_venue_standing_and_research_members_and_deadline(client, users, tree, topic):
    today = timezone.localdate()
    standing = make_member(tree.county_a, posted_to=tree.township_a1, name="常委甲")
    researcher = make_member(tree.county_a, posted_to=tree.township_a1, name="调研乙")
    other = make_member(tree.county_a, posted_to=tree.township_a1, name="普通丙")
    room = Workroom.objects.create(name="委员之家", org_unit=tree.village_a1a, lead_type=LeadType.LIAISON_GROUP,
                                   status=WorkroomStatus.PLAQUED, place="庆相桥社区委员之家")
    room.members.add(standing)
    advance(topic, users, tree, to="approved")
    services.research_add(actor=users.secretary, topic=topic, kind="visit", done_on=today, findings="走访",
                          members=[researcher])
    client.force_login(users.secretary)
    client.cookies["django_language"] = "en"
    page = client.get(_page(client, topic)).content.decode()
    assert 'value="庆相桥社区协商议事厅"' not in page and "庆相桥社区委员之家" in page  # no session yet: the workroom
    assert f'value="{standing.pk}" checked' in page
    assert f'value="{researcher.pk}" checked' in page
    assert f'value="{other.pk}">' in page
    assert (today + datetime.timedelta(days=30)).isoformat() in page
    # No placeholder that looks like a value.
    assert 'placeholder="2026-11-25"' not in page and 'placeholder="14:30"' not in page


def test_error_keeps_everything_typed_and_saves_nothing(client, users, tree, researched, six_members):
    today = timezone.localdate()
    client.force_login(users.secretary)
    client.cookies["django_language"] = "en"
    rows = [{"text": "好建议", "route": "department", "handling_unit": "", "deadline": ""}]  # department missing
    r = client.post(_page(client, researched), _post_data(
        today, members=[m.pk for m in six_members], others="居民甲\n居民乙", outcome_summary="结果文字",
        summary="会议经过文字", **_rows(rows)))
    assert r.status_code == 400
    page = r.content.decode()
    assert "会议经过文字" in page and "结果文字" in page and "居民甲" in page and "好建议" in page
    assert f'value="{six_members[0].pk}" checked' in page
    assert not Session.objects.filter(topic=researched).exists()
    assert not Participant.objects.exists()
    researched.refresh_from_db()
    assert researched.status == TopicStatus.RESEARCHED


@pytest.mark.parametrize("others, message", [
    ("居民甲\n居民乙\n居民甲", "repeats line 1"),
    ("<script>alert(1)</script>", "cannot contain"),
    ("\n".join(f"居民{i}" for i in range(500)), "500 lines pasted"),
])
def test_bad_pasted_lists_are_refused_with_a_clear_message(client, users, researched, others, message):
    client.force_login(users.secretary)
    client.cookies["django_language"] = "en"
    r = client.post(_page(client, researched), _post_data(timezone.localdate(), others=others))
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not Participant.objects.exists()
    assert "<script>alert(1)</script>" not in r.content.decode()


def test_a_name_of_two_members_must_be_ticked_and_a_name_of_one_invites_that_member(client, users, tree,
                                                                                 researched):
    make_member(tree.county_a, posted_to=tree.township_a1, name="王伟")
    make_member(tree.county_a, posted_to=tree.township_a1, name="王伟")
    single = make_member(tree.county_a, posted_to=tree.township_a1, name="李娜")
    client.force_login(users.secretary)
    client.cookies["django_language"] = "en"
    r = client.post(_page(client, researched), _post_data(timezone.localdate(), others="王伟"))
    assert r.status_code == 400 and "matches 2 members" in r.content.decode()
    r = client.post(_page(client, researched), _post_data(timezone.localdate(), others="李娜", hold="0"))
    assert r.status_code == 302
    p = Participant.objects.get()
    assert p.member == single and p.kind == "member"


def test_future_session_takes_leave_marks_then_is_rescheduled_and_held_without_cancelling(client, users, tree,
                                                                                          researched):
    today = timezone.localdate()
    member = make_member(tree.county_a, posted_to=tree.township_a1, name="请假委员")
    client.force_login(users.secretary)
    client.cookies["django_language"] = "en"
    future = today + datetime.timedelta(days=1)
    r = client.post(_page(client, researched), _post_data(future, members=[member.pk], others="居民甲", hold="0"))
    assert r.status_code == 302
    session = Session.objects.get()
    assert session.status == SessionStatus.PLANNED and session.scheduled_on == future
    p_member = session.participants.get(member=member)
    p_res = session.participants.get(name="居民甲")
    # Before the day: mark leave.
    r = client.post(_page(client, researched), _post_data(future, hold="0", version=session.version,
                                                          **{f"p_{p_member.pk}": "leave", f"p_{p_res.pk}": "attended"}))
    assert r.status_code == 302
    p_member.refresh_from_db()
    assert p_member.attendance == Attendance.LEAVE
    # Holding a session dated tomorrow is refused, with a clear message.
    session.refresh_from_db()
    r = client.post(_page(client, researched), _post_data(future, version=session.version,
                                                          **{f"p_{p_member.pk}": "leave", f"p_{p_res.pk}": "attended"}))
    assert r.status_code == 400 and "future" in r.content.decode()
    # It actually took place today: change the date in the same submit; no cancel needed.
    r = client.post(_page(client, researched), _post_data(today, version=session.version,
                                                          **{f"p_{p_member.pk}": "leave", f"p_{p_res.pk}": "attended"}))
    assert r.status_code == 302, r.content.decode()[-3000:]
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD and session.scheduled_on == today
    assert Session.objects.count() == 1
    assert AuditEvent.objects.filter(action="consultations.session.reschedule").exists()
    p_member.refresh_from_db()
    assert p_member.attendance == Attendance.LEAVE


def test_attendance_is_corrected_after_held_with_duty_records_following(client, users, tree, topic):
    topic = advance(topic, users, tree, to="consulted")
    session = topic.sessions.get()
    p_member = session.participants.get(kind="member")
    assert DutyRecord.objects.filter(member=p_member.member, status=DutyStatus.AUTO).exists() or \
        DutyRecord.objects.filter(member=p_member.member).exclude(status=DutyStatus.WITHDRAWN).exists()
    client.force_login(users.secretary)
    client.cookies["django_language"] = "en"
    url = reverse("consultations:session_record_for", args=[session.pk])
    base = _post_data(session.scheduled_on, version=session.version, hold="", residents_count="15",
                      **{f"p_{p.pk}": "attended" for p in session.participants.all()})
    base[f"p_{p_member.pk}"] = "absent"
    r = client.post(url, base)
    assert r.status_code == 400 and "Reason" in r.content.decode()  # a correction needs its reason
    late = make_member(tree.county_a, posted_to=tree.township_a1, name="补登委员")
    r = client.post(url, {**base, "correction_reason": "签到表核对", "members": [late.pk]})
    assert r.status_code == 302, r.content.decode()[-3000:]
    p_member.refresh_from_db()
    session.refresh_from_db()
    assert p_member.attendance == Attendance.ABSENT and session.residents_count == 15
    assert DutyRecord.objects.get(member=p_member.member, kind="session_attended").status == DutyStatus.WITHDRAWN
    assert DutyRecord.objects.get(member=late, kind="session_attended").status != DutyStatus.WITHDRAWN
    event = AuditEvent.objects.filter(action="consultations.attendance.correct").get()
    assert event.note == "签到表核对"


def test_resubmitting_the_same_people_saves_nobody_twice(client, users, tree, researched):
    member = make_member(tree.county_a, posted_to=tree.township_a1, name="重复委员")
    client.force_login(users.secretary)
    client.cookies["django_language"] = "en"
    today = timezone.localdate() + datetime.timedelta(days=2)
    assert client.post(_page(client, researched), _post_data(today, members=[member.pk], others="居民甲",
                                                             hold="0")).status_code == 302
    session = Session.objects.get()
    r = client.post(_page(client, researched), _post_data(today, members=[member.pk], others="居民甲", hold="0",
                                                          version=session.version))
    assert r.status_code == 400
    assert Participant.objects.count() == 2


def test_other_township_secretary_cannot_open_or_post_the_page(client, users, researched):
    client.force_login(users.secretary_b)
    assert client.get(_page(client, researched)).status_code == 404
    assert client.post(_page(client, researched), _post_data(timezone.localdate())).status_code == 404
    client.force_login(users.member)
    assert client.get(_page(client, researched)).status_code == 404
    assert not Session.objects.exists()


def test_session_page_and_old_step_urls_still_work(client, users, tree, topic):
    topic = advance(topic, users, tree, to="scheduled")
    session = topic.sessions.get()
    client.force_login(users.secretary)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("consultations:session", args=[session.pk])).content.decode()
    assert reverse("consultations:session_record_for", args=[session.pk]) in page
    assert client.get(reverse("consultations:session_record_for", args=[session.pk])).status_code == 200
    r = client.post(reverse("consultations:session_invite", args=[session.pk]), {"kind": "resident", "name": "老路居民"})
    assert r.status_code == 302
