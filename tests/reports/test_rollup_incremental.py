"""The refresh in proportion to change: additive counts are recomputed at the unit a write touched
and rolled up to its ancestors by difference; rates from their parts. The summary must still equal
a direct recomputation, after several changes at different depths in one refresh."""

import datetime

import pytest

from members.models import DutyRecord
from organizations.models import OrgUnit
from portal import metrics as contract
from reports.periods import month_period, quarter_period, year_period
from reports.selectors import compute_direct, numbers_for
from reports.services import facts_refresh
from tests.factories import make_member

from .conftest import IN_PERIOD, YEAR, duty

pytestmark = pytest.mark.django_db

Y = year_period(YEAR)
PERIODS = [Y, quarter_period(YEAR, 2), quarter_period(YEAR, 4), month_period(YEAR, 5)]


@pytest.fixture
def counted_calls():
    """`test.duties`: an additive count of duty records that remembers which units each call
    computed; the registry is restored afterwards."""
    saved = dict(contract.METRICS)
    calls: list[set[str]] = []

    @contract.metric("test.duties", "Duties", section="Test", additive=True, sources=[contract.Source("members.DutyRecord")])
    def duties(units, start, end):
        units = list(units)
        calls.append({u.name for u in units})
        return contract.subtree_counts(DutyRecord.objects.filter(occurred_on__range=(start, end)), units)

    yield calls
    contract.METRICS.clear()
    contract.METRICS.update(saved)


def _assert_summary_equals_direct(period):
    units = list(OrgUnit.objects.filter(is_active=True).order_by("path"))
    snap = numbers_for(units, period)
    assert snap.from_snapshot
    assert snap.values == compute_direct(units, period.start, period.end)
    return snap.values


def test_one_change_counts_only_the_unit_it_touched_and_moves_its_ancestors(tree, world, counted_calls):
    facts_refresh(periods=PERIODS)
    counted_calls.clear()
    duty(world["m1"], tree.village_a1a)  # 1 May: the year, Q2 and May
    facts_refresh(periods=PERIODS)
    # one narrow count per period holding the day, never the county, city or province (each run
    # twice: portal.metrics.compute_grouped notes the counts, then answers them from one query per table)
    assert counted_calls == [{"庆相桥社区"}] * 3 * 2
    values = _assert_summary_equals_direct(Y)
    assert [values["test.duties"][u.pk] for u in (tree.province, tree.county_a, tree.township_a1)] == [6, 4, 3]


def test_changes_at_several_depths_in_one_refresh_equal_direct_recomputation(tree, world, counted_calls):
    facts_refresh(periods=PERIODS)
    county_member = make_member(tree.county_a, name="孙六")
    duty(county_member, tree.county_a, title="县里")  # the county itself, above a touched village
    duty(world["m1"], tree.village_a1a, title="又一次")
    duty(world["m4"], tree.village_b1a, datetime.date(YEAR, 11, 3), title="十一月")  # Q4 and the year only
    DutyRecord.objects.get(title="协商").delete()  # 东山街道 loses its only record
    moved = DutyRecord.objects.get(title="调研二")  # 31 December → 1 May: Q4 loses it, Q2 and May gain it
    moved.occurred_on = IN_PERIOD
    moved.save()
    withdrawn = DutyRecord.objects.get(title="调研一")
    withdrawn.status = "withdrawn"  # no longer counted by the members' metrics
    withdrawn.save()
    counted_calls.clear()
    facts_refresh(periods=PERIODS)
    assert all("安徽省" not in units and "淮北市" not in units for units in counted_calls)
    for period in PERIODS:
        _assert_summary_equals_direct(period)
    # the same again with nothing changed since: nothing computed, nothing written
    result = facts_refresh(periods=PERIODS)
    assert (result.computed, result.written) == (0, 0)


def test_a_rate_follows_its_parts(tree, world):
    facts_refresh(periods=[Y])
    newcomer = make_member(tree.village_b1a, name="周七")  # the register grows: the share falls
    duty(newcomer, tree.village_b1a)
    facts_refresh(periods=[Y])
    values = _assert_summary_equals_direct(Y)
    assert values["members.active_share"][tree.county_b.pk] == 100.0
    DutyRecord.objects.filter(member=newcomer).delete()
    facts_refresh(periods=[Y])
    values = _assert_summary_equals_direct(Y)
    assert values["members.active_share"][tree.county_b.pk] == 50.0


def test_every_additive_metric_declares_where_its_records_are_marked():
    """An additive metric is rolled up from the units its sources' marks name: without sources it
    could not be."""
    for m in contract.METRICS.values():
        if m.additive:
            assert m.sources, m.key
            assert not m.parts, m.key
