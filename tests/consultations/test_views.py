import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import Topic, TopicStatus

from ..factories import make_member
from ..helpers import assert_constant_queries
from .conftest import advance

pytestmark = pytest.mark.django_db


def test_secretary_journey_through_the_pages(client, users, tree):
    today = timezone.localdate()
    client.force_login(users.secretary)
    r = client.post(reverse("consultations:topic_create"), {
        "org_unit": tree.village_a1a.pk, "title": "遛犬不牵绳", "description": "小区遛犬不牵绳，居民担心安全。",
        "channel": "resident", "category": "文明",
    })
    assert r.status_code == 302, r.content.decode()[:2000]
    topic = Topic.objects.get(title="遛犬不牵绳")
    assert client.get(r["Location"]).status_code == 200
    client.post(reverse("consultations:topic_submit", args=[topic.pk]))
    client.force_login(users.approver)
    page = client.get(reverse("consultations:approvals")).content.decode()
    assert "遛犬不牵绳" in page
    client.post(reverse("consultations:topic_approve", args=[topic.pk]), {"publish": "on"})
    client.force_login(users.secretary)
    client.post(reverse("consultations:research_add", args=[topic.pk]), {
        "kind": "forum", "done_on": f"{today:%Y年%m月%d日}", "findings": "座谈会8人参加", "team": "委员2人"})
    topic.refresh_from_db()
    assert topic.status == TopicStatus.RESEARCHED
    r = client.post(reverse("consultations:session_create", args=[topic.pk]), {
        "scheduled_on": today.isoformat(), "form": "bench", "venue": "小区板凳会"})
    assert r.status_code == 302
    session = topic.sessions.get()
    member = make_member(tree.county_a, posted_to=tree.township_a1)
    client.post(reverse("consultations:session_invite", args=[session.pk]), {"kind": "member", "member": member.pk})
    client.post(reverse("consultations:session_invite", args=[session.pk]), {"kind": "resident", "name": "居民王某"})
    assert session.participants.count() == 2
    assert client.get(reverse("consultations:session", args=[session.pk])).status_code == 200
    data = {f"p_{p.pk}": "attended" for p in session.participants.all()}
    session.refresh_from_db()
    r = client.post(reverse("consultations:session_hold", args=[session.pk]), {
        **data, "steps_done": ["brief", "consensus"], "residents_count": "20", "version": session.version})
    assert r.status_code == 302, r.content.decode()[-3000:]
    client.post(reverse("consultations:outcome", args=[topic.pk]), {"consensus": "1", "summary": "文明养犬宣传"})
    client.post(reverse("consultations:suggestion_add", args=[topic.pk]), {
        "text": "联合派出所、城管队执法", "route": "department", "handling_unit": tree.dept_a.pk,
        "deadline": (today + datetime.timedelta(days=20)).isoformat()})
    suggestion = topic.suggestions.get()
    client.force_login(users.dept)
    assert "联合派出所" in client.get(reverse("consultations:handling")).content.decode()
    client.post(reverse("consultations:suggestion", args=[suggestion.pk]), {"step": "accept"})
    r = client.post(reverse("consultations:suggestion", args=[suggestion.pk]), {"step": "feedback", "ending": "solved",
                                                                               "feedback": ""})
    assert r.status_code == 400  # no closing without feedback: the form says so
    client.post(reverse("consultations:suggestion", args=[suggestion.pk]), {
        "step": "feedback", "ending": "solved", "feedback": "已完成"})
    client.force_login(users.secretary)
    client.post(reverse("consultations:topic_close", args=[topic.pk]))
    topic.refresh_from_db()
    assert topic.status == TopicStatus.CLOSED
    r = client.post(reverse("consultations:followup", args=[topic.followups.get().pk]), {
        "done_on": today.isoformat(), "findings": "情况良好"})
    topic.refresh_from_db()
    assert topic.status == TopicStatus.REVIEWED
    page = client.get(reverse("consultations:topic", args=[topic.pk])).content.decode()
    assert "回头看" in page or "Follow-up" in page


def test_form_keeps_input_on_guard_failure(client, users, tree, topic):
    advance(topic, users, tree, to="researched")
    client.force_login(users.secretary)
    past = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    r = client.post(reverse("consultations:session_create", args=[topic.pk]), {
        "scheduled_on": past, "form": "hall", "venue": "我输入的会场"})
    assert r.status_code == 400
    body = r.content.decode()
    assert "我输入的会场" in body


def test_bad_dates_are_form_errors(client, users, tree, topic):
    advance(topic, users, tree, to="approved")
    client.force_login(users.secretary)
    r = client.post(reverse("consultations:research_add", args=[topic.pk]), {
        "kind": "visit", "done_on": "2026-13-45", "findings": "x"})
    assert r.status_code == 400


def test_upload_through_the_page(client, users, topic):
    client.force_login(users.secretary)
    r = client.post(reverse("consultations:attachment_add", args=[topic.pk]), {
        "file": SimpleUploadedFile("x.exe", b"MZ..."), "stage": "topic"})
    assert r.status_code == 400
    r = client.post(reverse("consultations:attachment_add", args=[topic.pk]), {
        "file": SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n...."), "stage": "topic"})
    assert r.status_code == 302
    a = topic.attachments.get()
    assert client.get(reverse("consultations:attachment", args=[a.pk])).status_code == 200
    client.force_login(users.secretary_b)
    assert client.get(reverse("consultations:attachment", args=[a.pk])).status_code == 404


@pytest.mark.parametrize("who,status", [
    ("secretary", 200), ("clerk", 200), ("approver", 200), ("leader", 200), ("city_clerk", 200), ("admin", 200),
    ("secretary_b", 404), ("clerk_b", 404), ("member", 404), ("dept", 404), ("nobody", 404),
])
def test_topic_page_by_role(client, users, topic, who, status):
    client.force_login(getattr(users, who))
    assert client.get(reverse("consultations:topic", args=[topic.pk])).status_code == status


@pytest.mark.parametrize("who", ["secretary_b", "clerk_b", "member", "dept", "leader"])
def test_others_cannot_move_the_topic(client, users, topic, who):
    client.force_login(getattr(users, who))
    client.post(reverse("consultations:topic_submit", args=[topic.pk]))
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DRAFT


def test_department_sees_only_routed_suggestions(client, users, tree, topic):
    advance(topic, users, tree, to="handling")
    s = topic.suggestions.get()
    other = services.suggestion_add(actor=users.secretary, topic=topic, text="社区划线", route="community",
                                    handling_unit=tree.village_a1a)
    client.force_login(users.dept)
    assert client.get(reverse("consultations:suggestion", args=[s.pk])).status_code == 200
    assert client.get(reverse("consultations:suggestion", args=[other.pk])).status_code == 404
    client.force_login(users.secretary_b)
    assert client.get(reverse("consultations:suggestion", args=[s.pk])).status_code == 404


def test_member_sees_and_answers_invitation(client, users, tree, topic):
    advance(topic, users, tree, to="scheduled")
    session = topic.sessions.get()
    member = make_member(tree.county_a, posted_to=tree.township_a1, user=users.member)
    p = services.participant_add(actor=users.secretary, session=session, kind="member", member=member)
    client.force_login(users.member)
    page = client.get(reverse("consultations:my_sessions")).content.decode()
    assert topic.title in page
    client.post(reverse("consultations:invitation_respond", args=[p.pk]), {"attending": "0", "reason": "出差"})
    p.refresh_from_db()
    assert p.attendance == "leave"
    client.force_login(users.secretary_b)
    assert client.post(reverse("consultations:invitation_respond", args=[p.pk]), {"attending": "1"}).status_code == 404


def test_topic_list_constant_queries(client, users, tree):
    client.force_login(users.secretary)
    n = iter(range(1000))

    def add(k):
        for _i in range(k):
            services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title=f"议题{next(n)}",
                                  description="d", channel="member")

    assert_constant_queries(lambda: client.get(reverse("consultations:topics")), add)


def test_other_lists_constant_queries(client, users, tree):
    def add(k):
        for _i in range(k):
            t = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="t", description="d",
                                      channel="member", planned_month=timezone.localdate())
            advance(t, users, tree, to="handling")

    for who, url, rows in [("secretary", "consultations:sessions", re.compile(r"/consultations/sessions/\d+/")),
                           ("dept", "consultations:handling", re.compile(r"/consultations/suggestions/\d+/")),
                           ("secretary", "consultations:plan", re.compile(r"/consultations/topics/\d+/"))]:
        client.force_login(getattr(users, who))
        assert_constant_queries(lambda url=url: client.get(reverse(url) + "?when=all"), add, small=1, large=3,
                                rows=rows)


def test_approval_queue_constant_queries(client, users, tree):
    client.force_login(users.approver)

    def add(k):
        for _i in range(k):
            t = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="t", description="d",
                                      channel="member")
            services.topic_submit(actor=users.secretary, topic=t)

    assert_constant_queries(lambda: client.get(reverse("consultations:approvals")), add)


def test_my_sessions_constant_queries(client, users, tree):
    member = make_member(tree.county_a, posted_to=tree.township_a1, user=users.member)
    client.force_login(users.member)

    def add(k):
        for _i in range(k):
            t = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="t", description="d",
                                      channel="member")
            advance(t, users, tree, to="researched")
            s = services.session_schedule(actor=users.secretary, topic=t, scheduled_on=timezone.localdate(),
                                          form="hall", venue="v")
            services.participant_add(actor=users.secretary, session=s, kind="member", member=member)

    assert_constant_queries(lambda: client.get(reverse("consultations:my_sessions")), add, small=1, large=5)


def test_record_page_query_count_does_not_grow_with_suggestions(client, users, tree, topic):
    advance(topic, users, tree, to="handling")
    client.force_login(users.secretary)
    url = reverse("consultations:topic", args=[topic.pk])

    def add(k):
        for _i in range(k):
            services.suggestion_add(actor=users.secretary, topic=topic, text="s", route="community",
                                    handling_unit=tree.village_a1a)

    assert_constant_queries(lambda: client.get(url), add, small=1, large=8)


def test_plan_page_and_unit_section(client, users, tree):
    client.force_login(users.clerk)
    assert client.get(reverse("consultations:plan") + f"?unit={tree.county_a.pk}&year=2026").status_code == 200
    assert client.get(reverse("consultations:plan") + f"?unit={tree.county_b.pk}").status_code == 404
    assert client.get(reverse("consultations:plan") + "?unit=abc&year=zz").status_code == 404
    assert client.get(reverse("consultations:plan") + "?year=zz").status_code == 200
    page = client.get(reverse("organizations:unit", args=[tree.township_a1.pk])).content.decode()
    assert "consultation-quota" in page


def test_home_panel(client, users):
    client.force_login(users.secretary)
    assert "consultation-panel" in client.get("/").content.decode()


def test_plan_page_constant_queries_over_children_and_quota_config(client, users, tree):
    from organizations.models import UnitConfig

    from ..factories import make_unit

    client.force_login(users.clerk)
    UnitConfig.objects.create(unit=tree.county_a, key="consultations.sessions_per_year", value=6)
    UnitConfig.objects.create(unit=tree.township_a1, key="consultations.sessions_per_year", year=2026, value=30)
    n = iter(range(1000))

    def add(k):
        for _i in range(k):
            make_unit(f"新街道{next(n)}", "township", tree.county_a)

    url = reverse("consultations:plan") + f"?unit={tree.county_a.pk}&year=2026"
    assert_constant_queries(lambda: client.get(url), add, small=1, large=10)
    page = client.get(url).content.decode()
    assert ">30<" in page and ">6<" in page


def test_list_counts_are_each_rows_own(client, users, tree):
    """The queue and the session list count suggestions and participants for the shown page only;
    each row's figure is its own."""
    from consultations.models import Attendance, SuggestionStatus

    t = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="计数", description="d",
                              channel="member")
    advance(t, users, tree, to="handling")
    services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="空", description="d",
                          channel="member")
    client.force_login(users.secretary)
    rows = {r.pk: r for r in client.get(reverse("consultations:topics")).context["page"].object_list}
    expected = t.suggestions.exclude(status=SuggestionStatus.DONE).count()
    assert expected > 0 and rows[t.pk].open_suggestions == expected
    assert all(r.open_suggestions == 0 for pk, r in rows.items() if pk != t.pk)
    sessions = list(client.get(reverse("consultations:sessions") + "?when=all").context["page"].object_list)
    assert any(s.n_participants for s in sessions)
    for s in sessions:
        assert s.n_participants == s.participants.count()
        assert s.n_attended == s.participants.filter(attendance=Attendance.ATTENDED).count()
