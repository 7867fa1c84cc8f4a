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


@pytest.fixture
def auth_cache(settings):
    from django.core.cache import cache

    from portal.accounts import authcache

    settings.PORTAL_AUTH_CACHE = True
    settings.SESSION_ENGINE = "portal.accounts.sessions"
    cache.delete(authcache.GENERATION_KEY)


def _reads_unit_settings(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url).content.decode()
    return any('"organizations_unitconfig"' in q["sql"] for q in ctx.captured_queries), html


def test_the_inbox_keeps_the_yellow_windows_until_a_unit_setting_changes(client, world, auth_cache):
    from organizations.models import UnitConfig
    from organizations.traffic import DUE_SOON_DAYS

    _due(to_state(world, "handling", title="五天后到期的提案"), 5)
    client.force_login(world.users.dept)
    url = reverse("proposals:inbox")
    client.get(url)
    client.get(url)  # the first request starts the generation, the second reads under it
    reads, html = _reads_unit_settings(client, url)
    assert not reads and 'data-count="yellow">0<' in html  # 5 days left, the default window is 3
    setting = UnitConfig.objects.create(unit=world.tree.county_a, key=DUE_SOON_DAYS, value=7)
    reads, html = _reads_unit_settings(client, url)
    assert reads and 'data-count="yellow">1<' in html and 'data-light="yellow"' in html  # at once
    assert not _reads_unit_settings(client, url)[0]
    setting.value = 4
    setting.save()
    assert 'data-count="yellow">0<' in client.get(url).content.decode()
    setting.value = 10
    setting.save()
    assert 'data-count="yellow">1<' in client.get(url).content.decode()
    setting.delete()
    assert 'data-count="yellow">0<' in client.get(url).content.decode()


def test_without_the_shared_cache_the_inbox_reads_the_windows_each_time(client, world, settings):
    settings.PORTAL_AUTH_CACHE = False
    client.force_login(world.users.dept)
    url = reverse("proposals:inbox")
    client.get(url)
    assert _reads_unit_settings(client, url)[0] and _reads_unit_settings(client, url)[0]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_tabs_are_what_the_tab_template_prints_for_each_role(rf, world, lang):
    from django.template import RequestContext, Template
    from django.template.loader import render_to_string
    from django.utils import translation

    from organizations.permissions import roles_of
    from proposals.templatetags.proposals_tabs import TABS

    u = world.users
    seen = set()
    for user in [u.dept, u.proposal, u.member, u.leader, u.admin, u.secretary, u.nobody]:
        request = rf.get("/")
        request.user = user
        roles = roles_of(user)
        tabs = [(key, label, url) for key, label, url, wanted in TABS if wanted is None or roles & wanted]
        for active in ["", "inbox", "list", "mine"]:
            with translation.override(lang):
                html = Template("{% load proposals_tabs %}{% proposal_tabs active %}").render(
                    RequestContext(request, {"active": active}))
                assert html == render_to_string("proposals/_tabs.html", {"tabs": tabs, "active": active}, request)
            seen.add(html)
    assert len(seen) > 8  # the roles' tab sets and the active tab each print differently
