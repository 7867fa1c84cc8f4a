"""Traffic lights on the department's proposal inbox (答复期限), the proposal page and supervision."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.models import Assignment

from ..helpers import assert_constant_queries
from .conftest import to_state

pytestmark = pytest.mark.django_db


def _lights(html):
    return [part.split('"', 1)[0] for part in html.split('data-light="')[1:]]


def _due(proposal, days):
    Assignment.objects.filter(proposal=proposal, status="assigned").update(
        due_on=timezone.localdate() + datetime.timedelta(days=days))


def test_inbox_detail_and_supervision_show_the_reply_deadline_lights(client, world):
    u = world.users
    late = to_state(world, "handling", title="逾期的提案")
    soon = to_state(world, "handling", title="快到期的提案")
    _due(late, -3)
    _due(soon, 2)
    client.force_login(u.dept)
    html = client.get(reverse("proposals:inbox"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "red" in _lights(html) and "yellow" in _lights(html) and "逾期" in html and "临期" in html
    assert 'data-count="red">1<' in html and 'data-count="yellow">1<' in html
    detail = client.get(reverse("proposals:detail", args=[late.pk])).content.decode()
    assert "red" in _lights(detail)
    client.force_login(u.leader)
    supervision = client.get(reverse("proposals:supervision")).content.decode()
    assert "逾期的提案" in supervision and "red" in _lights(supervision)
    counts = dict(re.findall(r'data-count="(\w+)">(\d+)<', supervision))
    assert int(counts["red"]) >= 1 and int(counts["yellow"]) >= 1  # each proposal may have co-handlers
    home = client.get(reverse("home")).content.decode()
    assert "Replies due soon" in home or "即将到期的答复" in home


def test_the_inbox_costs_constant_queries_with_lights(client, world):
    client.force_login(world.users.dept)

    def add(k):
        for i in range(k):
            _due(to_state(world, "handling", title=f"提案{k}-{i}"), i - 2)

    assert_constant_queries(lambda: client.get(reverse("proposals:inbox")), add)
