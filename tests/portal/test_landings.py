"""Each role lands where its work is."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import Route

from ..consultations.conftest import advance
from ..factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(users, tree):
    return services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="小区停车难",
                                 description="停车位不足", channel="resident")


def _get(client, user, url="/"):
    client.force_login(user)
    return client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_resident_lands_in_the_hall_on_their_own_topics(client, tree):
    resident = make_user("resident", tree.township_a1, username="resident_u")
    response = _get(client, resident)
    assert response.status_code == 302 and response["Location"] == reverse("hall:my")


def test_staff_with_a_resident_role_too_still_get_the_home_page(client, users, tree):
    from organizations.services import role_assign

    role_assign(actor=users.admin, user=users.secretary, role="resident", unit=tree.township_a1)
    assert _get(client, users.secretary).status_code == 200


def test_department_sees_open_suggestions_first_and_each_opens(client, users, tree, topic):
    advance(topic, users, tree, to="handling")
    today = timezone.localdate()
    open_one = topic.suggestions.get()
    done_one = services.suggestion_add(actor=users.secretary, topic=topic, text="增设充电桩", route=Route.DEPARTMENT,
                                       handling_unit=tree.dept_a, deadline=today + datetime.timedelta(days=3))
    services.suggestion_close(actor=users.dept, suggestion=done_one, ending="solved", feedback="已增设")

    html = _get(client, users.dept).content.decode()
    assert 'id="department-panel"' in html
    assert html.index('id="department-panel"') < html.index('id="my-scope"')
    assert reverse("consultations:suggestion", args=[open_one.pk]) in html
    assert reverse("consultations:suggestion", args=[done_one.pk]) not in html

    inbox = client.get(reverse("consultations:handling")).content.decode()
    assert reverse("consultations:suggestion", args=[open_one.pk]) in inbox
    assert reverse("consultations:suggestion", args=[done_one.pk]) not in inbox
    done = client.get(reverse("consultations:handling") + "?show=done").content.decode()
    assert reverse("consultations:suggestion", args=[done_one.pk]) in done
    for s in (open_one, done_one):
        assert client.get(reverse("consultations:suggestion", args=[s.pk])).status_code == 200


def test_secretary_sees_todays_sessions_and_overdue_work_first(client, users, tree, topic):
    advance(topic, users, tree, to="scheduled")  # the session is scheduled for today
    html = _get(client, users.secretary).content.decode()
    assert 'id="today-work"' in html
    assert reverse("consultations:session", args=[topic.sessions.get().pk]) in html
    assert html.index('id="consultation-panel"') < html.index('id="my-scope"')


def test_member_sees_invitations_and_duties_before_the_role_card(client, users, tree, topic):
    from members.models import Member

    member = Member.objects.create(org_unit=tree.county_a, name="刘芳", user=users.member)
    advance(topic, users, tree, to="researched")
    topic.refresh_from_db()
    session = services.session_schedule(actor=users.secretary, topic=topic,
                                        scheduled_on=timezone.localdate() + datetime.timedelta(days=2),
                                        form="council", venue="议事厅", agenda="议程")
    services.participant_add(actor=users.secretary, session=session, kind="member", member=member)
    html = _get(client, users.member).content.decode()
    assert html.index('id="invitation-panel"') < html.index('id="my-scope"')


def test_clerk_and_leader_see_headline_figures_first(client, users):
    for user in (users.clerk, users.leader):
        html = _get(client, user).content.decode()
        assert html.index('id="reports-panel"') < html.index('id="my-scope"'), user
