"""Live sessions, the screening queue, metrics and constant query counts."""

import datetime

import pytest
from django.urls import reverse

from hall import metrics, services
from hall.models import LiveQuestion, LiveSession, Submission
from organizations.models import Role
from tests.factories import make_user
from tests.helpers import assert_constant_queries

from .conftest import make_comment, make_consultation, make_live, make_submission, solve

pytestmark = pytest.mark.django_db


def test_live_page_counts_views_and_takes_questions(client, tree):
    s = make_live(tree.township_a1, stream_url="https://live.example.invalid/x", agenda="1. 通报情况")
    url = reverse("hall:live", args=[s.pk])
    page = client.get(url)
    assert "通报情况" in page.content.decode() and "https://live.example.invalid/x" in page.content.decode()
    token, answer = solve(page)
    response = client.post(url, {"name": "李明", "body": "公共收益怎么公示？", "challenge_token": token,
                                 "challenge_answer": answer})
    assert response.status_code == 302
    q = LiveQuestion.objects.get()
    assert q.status == LiveQuestion.Status.PENDING and q.asker_label == "李**"
    s.refresh_from_db()
    assert s.view_count == 1 and s.participant_count == 1
    # Not shown until staff take it up.
    assert "公共收益怎么公示" not in client.get(url).content.decode()


def test_live_questions_after_the_end_are_refused(client, tree):
    s = make_live(tree.township_a1, starts=-5, hours=1)
    url = reverse("hall:live", args=[s.pk])
    token, answer = solve(client.get(reverse("hall:live", args=[make_live(tree.township_a1).pk])))
    client.post(url, {"body": "迟到", "challenge_token": token, "challenge_answer": answer})
    assert not LiveQuestion.objects.exists()


def test_secretary_answers_a_live_question_and_it_shows(client, tree, users):
    s = make_live(tree.township_a1)
    q = services.live_question_add(session=s, body="电梯谁修？")
    client.force_login(users.secretary)
    client.post(reverse("hall:manage_live", args=[s.pk]), {"question": q.pk, "answer": "物业负责", "show": "on"})
    client.logout()
    html = client.get(reverse("hall:live", args=[s.pk])).content.decode()
    assert "电梯谁修" in html and "物业负责" in html


def test_secretary_publishes_a_draft_live_session(client, tree, users):
    s = make_live(tree.township_a1, status=LiveSession.Status.DRAFT)
    client.force_login(users.secretary)
    client.post(reverse("hall:manage_live", args=[s.pk]), {"action": "publish", "version": s.version})
    s.refresh_from_db()
    assert s.status == LiveSession.Status.PUBLISHED


def test_secretary_declines_with_a_reply_the_resident_sees(client, tree, users):
    sub = make_submission(tree.village_a1a, internal_note="")
    client.force_login(users.secretary)
    response = client.post(reverse("hall:manage_submission", args=[sub.pk]), {"decision": "decline", "reply": ""})
    assert response.status_code == 400
    client.post(reverse("hall:manage_submission", args=[sub.pk]),
                {"decision": "decline", "reply": "已转社区居委会处理", "internal_note": "重复问题"})
    sub.refresh_from_db()
    assert sub.status == Submission.Status.DECLINED
    client.logout()
    html = client.get(reverse("hall:track_detail", args=[sub.tracking_code])).content.decode()
    assert "已转社区居委会处理" in html and "重复问题" not in html


def test_screening_twice_is_refused(tree, users):
    sub = make_submission(tree.village_a1a)
    services.submission_decline(actor=users.secretary, submission=sub, reply="不属于协商范围")
    from portal.errors import GuardFailed

    with pytest.raises(GuardFailed):
        services.submission_decline(actor=users.secretary, submission=sub, reply="again")


def test_queue_shows_only_the_secretarys_subtree(client, tree, users):
    make_submission(tree.village_a1a, title="我们社区的事")
    make_submission(tree.village_b1a, title="别的县的事")
    client.force_login(users.secretary)
    html = client.get(reverse("hall:manage")).content.decode()
    assert "我们社区的事" in html and "别的县的事" not in html


def test_queue_has_constant_queries(client, tree, users):
    client.force_login(users.secretary)
    assert_constant_queries(lambda: client.get(reverse("hall:manage")),
                            lambda n: [make_submission(tree.village_a1a) for _ in range(n)])


def test_public_pages_have_constant_queries(client, tree):
    resident = make_user(Role.RESIDENT, tree.village_a1a)
    c = make_consultation(tree.township_a1)

    def add(n):
        for _ in range(n):
            make_consultation(tree.township_a1)
            make_live(tree.township_a1)
            comment = make_comment(c, resident)
            make_comment(c, resident, reply_to=comment, kind="official")

    assert_constant_queries(lambda: client.get(reverse("hall:place", args=[tree.township_a1.pk])), add)
    assert_constant_queries(lambda: client.get(reverse("hall:consultation", args=[c.pk])), add)
    # (the front page lists places only: nothing there grows with consultations)


def test_moderation_queue_has_constant_queries(client, tree, users):
    resident = make_user(Role.RESIDENT, tree.village_a1a)
    c = make_consultation(tree.township_a1)
    client.force_login(users.secretary)
    assert_constant_queries(lambda: client.get(reverse("hall:manage_moderation")),
                            lambda n: [make_comment(c, resident, status="pending") for _ in range(n)])


def test_metrics_count_the_subtree(tree):
    resident = make_user(Role.RESIDENT, tree.village_a1a)
    make_submission(tree.village_a1a)
    make_submission(tree.village_b1a)
    c = make_consultation(tree.township_a1, view_count=7, opens=-10, closes=-1, result="done")
    make_comment(c, resident)
    make_comment(c, resident)
    services.rating_add(actor=resident, consultation=c, value="satisfied")
    make_live(tree.township_a1, view_count=100, participant_count=9)
    today = datetime.date.today()
    start, end = today - datetime.timedelta(days=30), today + datetime.timedelta(days=1)
    units = [tree.county_a, tree.county_b, tree.city]
    assert metrics.submissions(units, start, end) == {tree.county_a.pk: 1, tree.county_b.pk: 1, tree.city.pk: 2}
    assert metrics.comments(units, start, end)[tree.county_a.pk] == 2
    assert metrics.participants(units, start, end)[tree.county_a.pk] == 1 + 9
    assert metrics.views(units, start, end)[tree.county_a.pk] == 107
    assert metrics.ratings(units, start, end) == {tree.county_a.pk: 1, tree.county_b.pk: 0, tree.city.pk: 1}
    assert metrics.satisfied(units, start, end)[tree.city.pk] == 1


def test_signup_creates_a_resident_of_a_community(client, tree):
    url = reverse("hall:signup")
    token, answer = solve(client.get(url))
    response = client.post(url, {"unit": tree.village_a1a.pk, "username": "lan", "display_name": "兰",
                                 "password": "a-Long-pass-2026", "challenge_token": token, "challenge_answer": answer})
    assert response.status_code == 302
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="lan")
    assert user.role_assignments.get().role == Role.RESIDENT
    from portal.models import AuditEvent

    # granted through organizations.role_assign, so the grant is audited like any other
    assert AuditEvent.objects.filter(action="role.assign", actor=user).exists()


def test_only_the_resident_role_can_be_self_granted(tree):
    from organizations.services import role_assign
    from portal.errors import NotAllowed

    person = make_user(None, None, username="self_u")
    with pytest.raises(NotAllowed):
        role_assign(actor=person, user=person, role=Role.SECRETARY, unit=tree.village_a1a)
    role_assign(actor=person, user=person, role=Role.RESIDENT, unit=tree.village_a1a)


def test_signup_refuses_a_township_and_weak_passwords(client, tree):
    url = reverse("hall:signup")
    token, answer = solve(client.get(url))
    response = client.post(url, {"unit": tree.township_a1.pk, "username": "lan", "display_name": "兰",
                                 "password": "123", "challenge_token": token, "challenge_answer": answer})
    assert response.status_code == 200 and b"lan" in response.content
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="lan").exists()


def test_live_questions_partial_refreshes_shown_questions_only(client, tree):
    s = make_live(tree.township_a1)
    LiveQuestion.objects.create(session=s, asker_label="a", body="已采纳的问题", status=LiveQuestion.Status.SHOWN)
    LiveQuestion.objects.create(session=s, asker_label="b", body="待处理的问题")
    html = client.get(reverse("hall:live_questions", args=[s.pk])).content.decode()
    assert "已采纳的问题" in html and "待处理的问题" not in html and "<html" not in html
    assert 'hx-trigger="every 20s"' in client.get(reverse("hall:live", args=[s.pk])).content.decode()


def test_home_page_shows_what_waits_in_the_hall_for_a_secretary(client, tree, users):
    make_submission(tree.village_a1a)
    client.force_login(users.secretary)
    html = client.get("/").content.decode()
    assert 'id="hall-panel"' in html
    client.force_login(users.member)
    assert 'id="hall-panel"' not in client.get("/").content.decode()


def test_secretaries_are_reminded_of_topics_waiting_for_screening(tree, users):
    from django.utils import timezone

    from hall.reminders import screening_waiting

    make_submission(tree.village_a1a, created_at=timezone.now() - datetime.timedelta(days=5))
    make_submission(tree.village_a1a)  # fresh: not yet
    make_submission(tree.village_b1a, created_at=timezone.now() - datetime.timedelta(days=5))
    reminders = list(screening_waiting(datetime.date.today()))
    by_user = {r.recipient_id: r for r in reminders}
    assert by_user[users.secretary.pk].subject and "1" in str(by_user[users.secretary.pk].subject)
    assert users.secretary_b.pk in by_user and users.member.pk not in by_user
    assert str(by_user[users.clerk.pk].subject).startswith("1")


def test_secretary_creates_a_live_session_draft(client, tree, users):
    client.force_login(users.secretary)
    url = reverse("hall:manage_live_new")
    bad = client.post(url, {"unit": tree.township_a1.pk, "title": "x", "starts_at": "2026-12-01 21:00",
                            "ends_at": "2026-12-01 19:00", "stream_url": "javascript:alert(1)"})
    assert bad.status_code == 400 and not LiveSession.objects.exists()
    other = client.post(url, {"unit": tree.township_b1.pk, "title": "x", "starts_at": "2026-12-01 19:00",
                              "ends_at": "2026-12-01 21:00"})
    assert other.status_code == 400 and not LiveSession.objects.exists()
    ok = client.post(url, {"unit": tree.township_a1.pk, "title": "板凳会直播", "starts_at": "2026-12-01 19:00",
                           "ends_at": "2026-12-01 21:00", "stream_url": "https://live.example.invalid/a"})
    assert ok.status_code == 302
    s = LiveSession.objects.get()
    assert s.status == LiveSession.Status.DRAFT
    assert client.get(reverse("hall:live", args=[s.pk])).status_code == 404
