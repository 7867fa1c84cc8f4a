"""Traffic lights on the department's suggestion queue: per suggestion, per unit setting, counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import Suggestion
from organizations.models import UnitConfig
from organizations.traffic import DUE_SOON_DAYS

from .conftest import advance

pytestmark = pytest.mark.django_db


def _topics_with_deadlines(users, tree, offsets):
    today = timezone.localdate()
    made = []
    for n, offset in enumerate(offsets):
        topic = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title=f"红绿灯议题{n}",
                                      description="d", channel="member", planned_month=today)
        advance(topic, users, tree, to="handling")
        Suggestion.objects.filter(topic=topic).update(deadline=today + datetime.timedelta(days=offset))
        made.append(topic)
    return made


def _lights(html):
    return [part.split('"', 1)[0] for part in html.split('data-light="')[1:]]


def test_the_handling_queue_shows_red_yellow_green_with_labels(client, users, tree):
    _topics_with_deadlines(users, tree, [-2, 1, 10])
    client.force_login(users.dept)
    html = client.get(reverse("consultations:handling"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert _lights(html) == ["red", "yellow", "green"]  # nearest deadline first
    assert "逾期" in html and "临期" in html and "正常" in html
    assert 'data-count="red">1<' in html and 'data-count="yellow">1<' in html


def test_a_unit_widens_its_yellow_window(client, users, tree):
    _topics_with_deadlines(users, tree, [10])
    UnitConfig.objects.create(unit=tree.county_a, key=DUE_SOON_DAYS, value=14)  # inherited by the township
    client.force_login(users.dept)
    html = client.get(reverse("consultations:handling")).content.decode()
    assert _lights(html) == ["yellow"] and 'data-count="yellow">1<' in html


def test_done_suggestions_have_no_light(client, users, tree):
    [topic] = _topics_with_deadlines(users, tree, [-2])
    Suggestion.objects.filter(topic=topic).update(status="done", closed_on=timezone.localdate())
    client.force_login(users.dept)
    assert _lights(client.get(reverse("consultations:handling") + "?show=done").content.decode()) == []


def test_the_department_home_panel_counts_lights(client, users, tree):
    _topics_with_deadlines(users, tree, [-2, -1, 2])
    client.force_login(users.dept)
    html = client.get(reverse("home")).content.decode()
    assert 'data-count="red">2<' in html and 'data-count="yellow">1<' in html


def test_the_office_home_panel_counts_lights_in_its_scope(client, users, tree):
    _topics_with_deadlines(users, tree, [-2, 1, 2, 30])
    client.force_login(users.secretary)
    html = client.get(reverse("home")).content.decode()
    panel = html[html.index('id="consultation-panel"'):]
    assert 'data-count="red">1<' in panel and 'data-count="yellow">2<' in panel
    assert 'data-light="red"' in panel  # the overdue list of the secretary's day
