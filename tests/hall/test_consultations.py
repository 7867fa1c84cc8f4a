"""Online consultations (网络协商): comments, moderation, supports, reports, questionnaire, ratings."""

import pytest
from django.urls import reverse

from hall import services
from hall.models import Comment, OnlineConsultation, QuestionnaireResponse, Rating, Support
from organizations.models import Role, UnitConfig
from tests.factories import make_member, make_user

from .conftest import make_comment, make_consultation, make_question

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(tree):
    return make_user(Role.RESIDENT, tree.village_a1a, display_name="张兰")


def test_resident_comments_and_it_shows_masked(client, tree, resident):
    c = make_consultation(tree.township_a1)
    client.force_login(resident)
    response = client.post(reverse("hall:comment", args=[c.pk]), {"body": "建议错峰停车"})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert comment.kind == Comment.Kind.RESIDENT and comment.status == Comment.Status.VISIBLE
    client.logout()
    html = client.get(reverse("hall:consultation", args=[c.pk])).content.decode()
    assert "建议错峰停车" in html and "张**" in html and "张兰" not in html


def test_anonymous_visitor_is_sent_to_login_to_comment(client, tree):
    c = make_consultation(tree.township_a1)
    response = client.post(reverse("hall:comment", args=[c.pk]), {"body": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Comment.objects.exists()


def test_script_injection_in_a_comment_is_escaped(client, tree, resident):
    c = make_consultation(tree.township_a1)
    client.force_login(resident)
    client.post(reverse("hall:comment", args=[c.pk]), {"body": '<script>alert("x")</script><b onclick=1>hi</b>'})
    html = client.get(reverse("hall:consultation", args=[c.pk])).content.decode()
    assert '<script>alert("x")</script>' not in html and "<b onclick" not in html
    assert "&lt;script&gt;" in html


def test_commenting_after_the_period_closed_is_refused(client, tree, resident):
    c = make_consultation(tree.township_a1, opens=-10, closes=-1)
    client.force_login(resident)
    response = client.post(reverse("hall:comment", args=[c.pk]), {"body": "迟到的意见"})
    assert response.status_code == 409 and not Comment.objects.exists()
    assert "不在意见征集期" in response.content.decode() or "not open" in response.content.decode()


def test_commenting_before_it_opens_is_refused(client, tree, resident):
    c = make_consultation(tree.township_a1, opens=2, closes=5)
    client.force_login(resident)
    assert client.post(reverse("hall:comment", args=[c.pk]), {"body": "早"}).status_code == 409
    assert not Comment.objects.exists()


def test_comments_on_a_draft_consultation_are_404(client, tree, resident):
    c = make_consultation(tree.township_a1, status=OnlineConsultation.Status.DRAFT)
    client.force_login(resident)
    assert client.post(reverse("hall:comment", args=[c.pk]), {"body": "x"}).status_code == 404


def test_pre_moderation_holds_resident_comments_until_a_moderator_shows_them(client, tree, resident, users):
    UnitConfig.objects.create(unit=tree.county_a, key="hall.moderation", value="pre")
    c = make_consultation(tree.township_a1)
    client.force_login(resident)
    client.post(reverse("hall:comment", args=[c.pk]), {"body": "待审核的意见"})
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert "待审核的意见" not in client.get(reverse("hall:consultation", args=[c.pk])).content.decode()
    client.force_login(users.secretary)
    assert "待审核的意见" in client.get(reverse("hall:manage_moderation")).content.decode()
    client.post(reverse("hall:manage_comment", args=[comment.pk]), {"visible": "1"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE


def test_post_moderation_is_the_default_and_a_moderator_can_hide(client, tree, resident, users):
    c = make_consultation(tree.township_a1)
    comment = services.comment_add(actor=resident, consultation=c, body="广告 加微信")
    assert comment.status == Comment.Status.VISIBLE
    client.force_login(users.secretary)
    client.post(reverse("hall:manage_comment", args=[comment.pk]), {"visible": "0"})
    assert "广告" not in client.get(reverse("hall:consultation", args=[c.pk])).content.decode()


def test_secretary_of_another_county_cannot_moderate(client, tree, resident, users):
    c = make_consultation(tree.township_a1)
    comment = make_comment(c, resident)
    client.force_login(users.secretary_b)
    assert client.post(reverse("hall:manage_comment", args=[comment.pk]), {"visible": "0"}).status_code == 404
    comment.refresh_from_db()
    assert comment.status == Comment.Status.VISIBLE


def test_departments_answer_officially_and_members_post_as_members(client, tree, resident, users):
    c = make_consultation(tree.county_a)
    suggestion = make_comment(c, resident)
    client.force_login(users.dept)
    client.post(reverse("hall:comment", args=[c.pk]), {"body": "城管局将增设临时停车点", "reply_to": suggestion.pk})
    answer = Comment.objects.get(reply_to=suggestion)
    assert answer.kind == Comment.Kind.OFFICIAL and answer.author_label == "相山区城管局"
    member_user = make_user(Role.MEMBER, tree.county_a, display_name="刘芳")
    make_member(tree.county_a, user=member_user)
    client.force_login(member_user)
    client.post(reverse("hall:comment", args=[c.pk]), {"body": "委员建议"})
    assert Comment.objects.get(body="委员建议").kind == Comment.Kind.MEMBER
    html = client.get(reverse("hall:consultation", args=[c.pk])).content.decode()
    assert "城管局将增设临时停车点" in html and "官方答复" in html or "Official answer" in html


def test_residents_cannot_post_official_answers(client, tree, resident):
    c = make_consultation(tree.county_a)
    suggestion = make_comment(c, resident)
    client.force_login(resident)
    response = client.post(reverse("hall:comment", args=[c.pk]), {"body": "冒充", "reply_to": suggestion.pk})
    assert response.status_code == 403 and not Comment.objects.filter(body="冒充").exists()


def test_support_counts_once_per_person(client, tree, resident):
    c = make_consultation(tree.township_a1)
    comment = make_comment(c, resident)
    client.force_login(resident)
    for _ in range(3):
        client.post(reverse("hall:support", args=[comment.pk]))
    comment.refresh_from_db()
    assert comment.support_count == 1 and Support.objects.count() == 1


def test_hidden_comments_cannot_be_supported_or_reported(client, tree, resident):
    c = make_consultation(tree.township_a1)
    comment = make_comment(c, resident, status=Comment.Status.HIDDEN)
    client.force_login(resident)
    assert client.post(reverse("hall:support", args=[comment.pk])).status_code == 404
    assert client.post(reverse("hall:report", args=[comment.pk])).status_code == 404


def test_abuse_reports_reach_the_moderation_queue_and_many_reports_hide(client, tree, resident, users):
    c = make_consultation(tree.township_a1)
    comment = make_comment(c, resident, body="骂人的话")
    client.force_login(resident)
    client.post(reverse("hall:report", args=[comment.pk]), {"reason": "辱骂"})
    client.force_login(users.secretary)
    assert "骂人的话" in client.get(reverse("hall:manage_moderation")).content.decode()
    for _i in range(services.HIDE_AFTER_REPORTS):
        services.report_add(actor=make_user(Role.RESIDENT, tree.village_a1a), comment=comment)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_comment_burst_is_rate_limited_per_account(client, tree, resident, settings):
    settings.HALL_RATE_LIMITS = {"comment": (3, 600)}
    c = make_consultation(tree.township_a1)
    client.force_login(resident)
    codes = [client.post(reverse("hall:comment", args=[c.pk]), {"body": f"刷屏{i}"}, REMOTE_ADDR=f"10.0.0.{i}"
                         ).status_code for i in range(6)]
    assert codes[:3] == [302] * 3 and set(codes[3:]) == {429}
    assert Comment.objects.count() == 3


def test_questionnaire_is_answered_once_and_results_show_after_close(client, tree, resident):
    c = make_consultation(tree.township_a1)
    q = make_question(c)
    client.force_login(resident)
    assert client.post(reverse("hall:questionnaire", args=[c.pk]), {f"q{q.pk}": "1"}).status_code == 302
    assert client.post(reverse("hall:questionnaire", args=[c.pk]), {f"q{q.pk}": "0"}).status_code == 409
    assert client.post(reverse("hall:questionnaire", args=[c.pk]), {f"q{q.pk}": "9"}).status_code in (400, 409)
    assert QuestionnaireResponse.objects.get().answers == {str(q.pk): 1}


def test_bad_questionnaire_answers_are_refused(client, tree, resident):
    c = make_consultation(tree.township_a1)
    q = make_question(c)
    client.force_login(resident)
    for value in ["", "abc", "-1", "7"]:
        assert client.post(reverse("hall:questionnaire", args=[c.pk]), {f"q{q.pk}": value}).status_code == 409
    assert not QuestionnaireResponse.objects.exists()


def test_rating_once_per_person_and_only_after_close_with_result(client, tree, resident):
    open_c = make_consultation(tree.township_a1)
    client.force_login(resident)
    assert client.post(reverse("hall:rate", args=[open_c.pk]), {"value": "satisfied"}).status_code == 409
    closed = make_consultation(tree.township_a1, opens=-10, closes=-1, result="增设了 300 个车位")
    assert client.post(reverse("hall:rate", args=[closed.pk]), {"value": "satisfied"}).status_code == 302
    response = client.post(reverse("hall:rate", args=[closed.pk]), {"value": "not"})
    assert response.status_code == 409
    assert Rating.objects.get().value == "satisfied"
    assert client.post(reverse("hall:rate", args=[closed.pk]), {"value": "bogus"}).status_code == 400


def test_staff_create_publish_and_publish_result(client, tree, users):
    client.force_login(users.secretary)
    response = client.post(reverse("hall:manage_consultations"), {
        "unit": tree.township_a1.pk, "title": "老旧小区加装电梯", "background": "背景",
        "opens_at": "2026-01-01 09:00", "closes_at": "2026-01-10 18:00",
        "questions": "您支持加装吗？|支持|不支持|看情况"})
    assert response.status_code == 302
    c = OnlineConsultation.objects.get()
    assert c.status == "draft" and c.questions.get().choices == ["支持", "不支持", "看情况"]
    assert client.get(reverse("hall:consultation", args=[c.pk])).status_code == 404
    client.post(reverse("hall:manage_consultation", args=[c.pk]), {"action": "publish", "version": c.version})
    c.refresh_from_db()
    assert c.status == "published"
    client.post(reverse("hall:manage_consultation", args=[c.pk]), {"result": "已加装 12 部", "version": c.version})
    c.refresh_from_db()
    assert c.result == "已加装 12 部"


def test_stale_publish_is_refused(client, tree, users):
    c = make_consultation(tree.township_a1, status="draft")
    client.force_login(users.secretary)
    client.post(reverse("hall:manage_consultation", args=[c.pk]), {"action": "publish", "version": c.version + 5})
    c.refresh_from_db()
    assert c.status == "draft"


def test_closing_before_opening_is_a_form_error(client, tree, users):
    client.force_login(users.secretary)
    response = client.post(reverse("hall:manage_consultations"), {
        "unit": tree.township_a1.pk, "title": "x", "background": "y",
        "opens_at": "2026-01-10 09:00", "closes_at": "2026-01-01 18:00"})
    assert response.status_code == 400 and not OnlineConsultation.objects.exists()


def test_secretary_cannot_create_for_another_county(client, tree, users):
    client.force_login(users.secretary)
    response = client.post(reverse("hall:manage_consultations"), {
        "unit": tree.township_b1.pk, "title": "x", "background": "y",
        "opens_at": "2026-01-01 09:00", "closes_at": "2026-01-10 18:00"})
    assert response.status_code == 400 and not OnlineConsultation.objects.exists()


def test_views_are_counted(client, tree):
    c = make_consultation(tree.township_a1)
    for _ in range(3):
        client.get(reverse("hall:consultation", args=[c.pk]))
    c.refresh_from_db()
    assert c.view_count == 3
