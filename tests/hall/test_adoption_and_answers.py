"""Departments answer residents at volume (limited per account, not by the residents' limit), and
staff record whether a resident's suggestion was adopted or implemented, with a reply — by page and
by API, per role, with bad input refused."""

import pytest
from django.urls import reverse

from hall.models import Comment
from organizations.models import Role
from portal.models import AuditEvent
from tests.factories import make_user

from .conftest import make_comment, make_consultation

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(tree):
    return make_user(Role.RESIDENT, tree.village_a1a, display_name="张兰")


def test_a_department_answers_hundreds_of_comments_in_a_sitting_while_residents_stay_limited(
        client, tree, users, resident):
    c = make_consultation(tree.township_a1)
    residents = [make_user(Role.RESIDENT, tree.village_a1a) for _ in range(3)]
    comments = [make_comment(c, residents[i % 3], body=f"建议{i}") for i in range(250)]
    client.force_login(users.dept)
    codes = {client.post(reverse("hall:comment", args=[c.pk]), {"body": f"答复{cm.pk}", "reply_to": cm.pk}
                         ).status_code for cm in comments}
    assert codes == {302}
    assert Comment.objects.filter(kind=Comment.Kind.OFFICIAL).count() == 250
    # residents, from the same office IP as the department, are limited as before (10 per 10 minutes)
    client.force_login(resident)
    codes = [client.post(reverse("hall:comment", args=[c.pk]), {"body": f"留言{i}"}).status_code for i in range(12)]
    assert codes[:10] == [302] * 10 and set(codes[10:]) == {429}


def test_official_answers_have_their_own_per_account_limit(client, tree, users, settings):
    settings.HALL_RATE_LIMITS = {"official_answer": (5, 3600)}
    c = make_consultation(tree.township_a1)
    target = make_comment(c, make_user(Role.RESIDENT, tree.village_a1a))
    client.force_login(users.dept)
    codes = [client.post(reverse("hall:comment", args=[c.pk]), {"body": f"答复{i}", "reply_to": target.pk},
                         REMOTE_ADDR=f"10.1.0.{i}").status_code for i in range(7)]
    assert codes[:5] == [302] * 5 and set(codes[5:]) == {429}
    # a second handler of the same department is counted on his own account
    other = make_user(Role.DEPARTMENT, tree.dept_a)
    client.force_login(other)
    assert client.post(reverse("hall:comment", args=[c.pk]), {"body": "另一位答复", "reply_to": target.pk}
                       ).status_code == 302


def test_secretary_records_adoption_with_a_reply_on_the_page_and_the_resident_sees_it(client, tree, users,
                                                                                        resident):
    c = make_consultation(tree.township_a1)
    s = make_comment(c, resident, body="增设充电桩")
    client.force_login(users.secretary)
    page = client.get(reverse("hall:manage_consultation", args=[c.pk])).content.decode()
    assert "增设充电桩" in page and reverse("hall:manage_comment_adoption", args=[s.pk]) in page
    response = client.post(reverse("hall:manage_comment_adoption", args=[s.pk]),
                           {"adoption": "implemented", "reply": "已在东门增设 12 个充电桩"})
    assert response.status_code == 302
    s.refresh_from_db()
    assert (s.adoption, s.adoption_reply, s.adopted_by) == ("implemented", "已在东门增设 12 个充电桩", users.secretary)
    event = AuditEvent.objects.get(action="hall.comment.adoption")
    assert event.after["adoption"] == "implemented" and event.actor == users.secretary
    public = client.get(reverse("hall:consultation", args=[c.pk])).content.decode()
    assert "已在东门增设 12 个充电桩" in public and 'data-adoption="implemented"' in public


def test_adoption_bad_input_is_refused_with_a_message_and_nothing_saved(client, tree, users, resident):
    c = make_consultation(tree.township_a1)
    s = make_comment(c, resident)
    official = make_comment(c, users.dept, kind=Comment.Kind.OFFICIAL, reply_to=s)
    hidden = make_comment(c, resident, status=Comment.Status.HIDDEN)
    client.force_login(users.secretary)
    url = reverse("hall:manage_comment_adoption", args=[s.pk])
    for data in ({"adoption": "implemented", "reply": "  "}, {"adoption": "bogus", "reply": "好"},
                 {"reply": "好"}, {"adoption": "adopted", "reply": "长" * 2001}):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200 and response.context["messages"]
    for target in (official, hidden):
        client.post(reverse("hall:manage_comment_adoption", args=[target.pk]), {"adoption": "adopted", "reply": "好"})
    assert not Comment.objects.exclude(adoption="").exists()
    assert not AuditEvent.objects.filter(action="hall.comment.adoption").exists()


@pytest.mark.parametrize("role, allowed", [
    ("secretary", True), ("clerk", True), ("admin", True), ("secretary_b", False), ("clerk_b", False),
    ("approver", False), ("member", False), ("dept", False), ("leader", False), ("proposal", False),
    ("nobody", False),
])
def test_adoption_api_per_role(client, tree, users, resident, role, allowed):
    c = make_consultation(tree.township_a1)
    s = make_comment(c, resident)
    client.force_login(getattr(users, role))
    response = client.post(f"/api/v1/hall/comments/{s.pk}/adoption/", {"adoption": "adopted", "reply": "采纳"},
                           content_type="application/json")
    if allowed:
        assert response.status_code == 200
        assert response.json()["adoption"] == "adopted" and response.json()["adoption_reply"] == "采纳"
    else:
        assert response.status_code in (403, 404)
        s.refresh_from_db()
        assert s.adoption == ""


def test_adoption_api_bad_input_gives_clear_errors(client, tree, users, resident):
    c = make_consultation(tree.township_a1)
    s = make_comment(c, resident)
    member_post = make_comment(c, users.member, kind=Comment.Kind.MEMBER)
    client.force_login(users.clerk)
    url = f"/api/v1/hall/comments/{s.pk}/adoption/"
    assert client.post(url, {"adoption": "maybe", "reply": "x"}, content_type="application/json").status_code == 400
    response = client.post(url, {"adoption": "adopted", "reply": " "}, content_type="application/json")
    assert response.status_code == 400
    assert client.post(url, "not json", content_type="application/json").status_code == 400
    response = client.post(f"/api/v1/hall/comments/{member_post.pk}/adoption/", {"adoption": "adopted", "reply": "x"},
                           content_type="application/json")
    assert response.status_code == 409
    assert client.post("/api/v1/hall/comments/987654/adoption/", {"adoption": "adopted", "reply": "x"},
                       content_type="application/json").status_code == 404
    assert not Comment.objects.exclude(adoption="").exists()


def test_adopted_suggestions_are_counted_by_the_day_staff_recorded_them(client, tree, users, resident):
    from django.utils import timezone

    from reports.selectors import compute_direct

    c = make_consultation(tree.township_a1)
    a, b, n = (make_comment(c, resident, body=t) for t in ("甲", "乙", "丙"))
    client.force_login(users.secretary)
    for comment, value in ((a, "adopted"), (b, "implemented"), (n, "not_adopted")):
        client.post(reverse("hall:manage_comment_adoption", args=[comment.pk]), {"adoption": value, "reply": "答复"})
    today = timezone.localdate()
    v = compute_direct([tree.county_a], today.replace(month=1, day=1), today.replace(month=12, day=31))
    assert v["hall.suggestions_adopted"][tree.county_a.pk] == 2
    assert v["hall.suggestions_implemented"][tree.county_a.pk] == 1


def test_adoptions_count_by_the_day_they_were_decided_not_the_day_they_were_typed(client, tree, users, resident):
    """A suggestion of last spring adopted in June and recorded today counts in last year's June;
    the date is set on the page and in the API, never in the future, never before the suggestion."""
    import datetime

    from django.utils import timezone

    from reports.selectors import compute_direct

    today = timezone.localdate()
    last_year = today.year - 1
    spring = timezone.make_aware(datetime.datetime(last_year, 3, 2, 10))
    c = make_consultation(tree.township_a1)
    a, b, late = (make_comment(c, resident, body=t, created_at=spring) for t in ("甲", "乙", "丙"))
    client.force_login(users.secretary)
    assert client.post(reverse("hall:manage_comment_adoption", args=[a.pk]),
                       {"adoption": "implemented", "reply": "已落实", "adopted_on": f"{last_year}年6月5日"}).status_code == 302
    response = client.post(f"/api/v1/hall/comments/{b.pk}/adoption/",
                           {"adoption": "adopted", "reply": "采纳", "adopted_on": f"{last_year}-06-20"},
                           content_type="application/json")
    assert response.status_code == 200 and response.json()["adopted_on"] == f"{last_year}-06-20"
    a.refresh_from_db()
    assert a.adopted_on == datetime.date(last_year, 6, 5) and timezone.localdate(a.adopted_at) == today
    event = AuditEvent.objects.get(action="hall.comment.adoption", target_id=a.pk)
    assert event.after["adopted_on"] == f"{last_year}-06-05"

    def counted(year):
        v = compute_direct([tree.county_a], datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        return v["hall.suggestions_adopted"][tree.county_a.pk], v["hall.suggestions_implemented"][tree.county_a.pk]

    assert counted(last_year) == (2, 1)
    assert counted(today.year) == (0, 0)
    # a date in the future, before the suggestion, or garbage: refused with a message, nothing saved
    url = reverse("hall:manage_comment_adoption", args=[late.pk])
    for bad in ((today + datetime.timedelta(days=1)).isoformat(), f"{last_year}-03-01", "下周三"):
        response = client.post(url, {"adoption": "adopted", "reply": "好", "adopted_on": bad}, follow=True)
        assert response.status_code == 200 and response.context["messages"], bad
    response = client.post(f"/api/v1/hall/comments/{late.pk}/adoption/",
                           {"adoption": "adopted", "reply": "好", "adopted_on": "2099-01-01"},
                           content_type="application/json")
    assert response.status_code == 400 and "adopted_on" in response.json().get("errors", response.json())
    late.refresh_from_db()
    assert late.adoption == "" and late.adopted_on is None
