"""Traffic lights on the reports dashboards (issue 19: the same colours in reminders and
dashboards): every deadline queue's open items counted red / yellow / green by portal.traffic's
rule with each unit's own yellow window; the cockpit's "overdue" is the same red."""

import datetime
import itertools
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from consultations.models import FollowUp, FollowUpStatus, Suggestion, SuggestionStatus, Topic
from organizations.services import config_set
from organizations.traffic import DUE_SOON_DAYS
from portal.overdue import overdue_in
from portal.traffic import RED, traffic_light
from proposals.models import Assignment, AssignmentStatus, Proposal, ProposalStatus
from reports.selectors import deadline_lights
from tests.factories import make_member

pytestmark = pytest.mark.django_db
_n = itertools.count(1)


def _today():
    return timezone.localdate()


def _due(days):
    return _today() + datetime.timedelta(days=days)


def _suggestion(unit, days, status=SuggestionStatus.PENDING):
    topic = Topic.objects.create(org_unit=unit, title=f"议题{next(_n)}", channel="residents")
    return Suggestion.objects.create(topic=topic, text=f"建议{next(_n)}", route="department", status=status,
                                     deadline=_due(days))


@pytest.fixture
def queues(tree, users):
    """County A: suggestions 5 days overdue (red), due in 2 days (yellow: default window 3), due in
    5 days in 东山街道 whose window is 7 days (yellow), due in 5 days elsewhere (green), due in 90
    days (green), one done (no light) and one 1 day overdue in county B (not county A's);
    a reply 40 days overdue and one due today (yellow); a follow-up review due in 10 days."""
    config_set(actor=users.admin, unit=tree.township_a2, key=DUE_SOON_DAYS, value=7)
    _suggestion(tree.township_a1, -5)
    _suggestion(tree.village_a1a, 2)
    _suggestion(tree.township_a2, 5)
    _suggestion(tree.township_a1, 5)
    _suggestion(tree.county_a, 90)
    _suggestion(tree.township_a1, -3, status=SuggestionStatus.DONE)
    _suggestion(tree.county_b, -1)
    proposal = Proposal.objects.create(org_unit=tree.county_a, proposer=make_member(tree.county_a),
                                       submitted_by=users.proposal, title="提案", case="案由",
                                       status=ProposalStatus.HANDLING, submitted_on=_today())
    Assignment.objects.create(proposal=proposal, unit=tree.dept_a, status=AssignmentStatus.ASSIGNED, due_on=_due(-40))
    Assignment.objects.create(proposal=proposal, unit=tree.dept_a, status=AssignmentStatus.ASSIGNED, due_on=_due(0))
    Assignment.objects.create(proposal=proposal, unit=tree.dept_a, status=AssignmentStatus.REPLIED, due_on=_due(-9))
    FollowUp.objects.create(topic=Topic.objects.create(org_unit=tree.county_a, title="回头看", channel="residents"),
                            due_on=_due(10), status=FollowUpStatus.DUE)
    cache.clear()


def _by_kind(lights):
    return {q.kind: (q.red, q.yellow, q.green) for q in lights}


def test_each_queue_is_counted_by_light_with_the_units_own_window(tree, queues, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # every queue in one query, the units' windows in one
        lights = _by_kind(deadline_lights(tree.county_a))
    assert lights["consultations.suggestion"] == (1, 2, 2)
    assert lights["proposals.reply"] == (1, 1, 0)
    assert lights["consultations.followup"] == (0, 0, 1)
    assert _by_kind(deadline_lights(tree.county_b))["consultations.suggestion"] == (1, 0, 0)
    assert _by_kind(deadline_lights(tree.township_a2))["consultations.suggestion"] == (0, 1, 0)


def test_the_counts_agree_with_the_light_of_every_item(tree, queues):
    """The grouped count and portal.traffic.traffic_light item by item: one rule."""
    from organizations.traffic import TrafficDays

    days = TrafficDays(_today().year)
    expected = {"red": 0, "yellow": 0, "green": 0}
    for s in Suggestion.objects.filter(topic__org_path__startswith=tree.county_a.path).select_related("topic"):
        light = traffic_light(s.deadline, days=days.for_path(s.topic.org_path), done=s.status == SuggestionStatus.DONE)
        if light:
            expected[light.code] += 1
    got = _by_kind(deadline_lights(tree.county_a))["consultations.suggestion"]
    assert got == (expected["red"], expected["yellow"], expected["green"])


def test_the_dashboard_shows_the_lights_and_a_cached_dashboard_reads_no_queue(client, tree, users, queues):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.periods import year_period
    from reports.services import facts_refresh

    facts_refresh(periods=[year_period(_today().year)])  # the tables come from the summary, then the cache
    client.force_login(users.clerk)
    url = reverse("reports:unit", args=[tree.county_a.pk]) + f"?year={_today().year}"
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    row = re.search(r'<tr data-queue="consultations.suggestion">(.*?)</tr>', html, re.S).group(1)
    assert re.findall(r'data-light="(\w+)">(\d+)<', row) == [("red", "1"), ("yellow", "2"), ("green", "2")]
    assert "Overdue" in html or "逾期" in html
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(url)
    assert again.status_code == 200 and 'data-queue="proposals.reply"' in again.content.decode()
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "consultations_suggestion" not in sql and "proposals_assignment" not in sql


def test_the_cockpits_overdue_items_are_exactly_the_red_ones(tree, queues):
    overdue = overdue_in([tree.county_a.path], today=_today())
    assert overdue.by_kind["consultations.suggestion"] == 1
    assert overdue.by_kind["proposals.reply"] == 1
    assert all(i.light(_today()).code == RED for i in overdue.items)
    lights = _by_kind(deadline_lights(tree.county_a))
    assert overdue.by_kind["consultations.suggestion"] == lights["consultations.suggestion"][0]
    assert overdue.by_kind["proposals.reply"] == lights["proposals.reply"][0]
    assert overdue.by_kind["consultations.followup"] == lights["consultations.followup"][0]
