"""Roll-up correctness: hand-counted fixtures, and the summary tables against direct
recomputation, including after a unit moves to another county."""

import pytest

from organizations.services import orgunit_move
from portal.metrics import METRICS
from reports.models import UnitFact
from reports.periods import Period, month_period, quarter_period, year_period
from reports.selectors import compute_direct, dashboard_for, numbers_for
from reports.services import facts_refresh

from .conftest import YEAR

pytestmark = pytest.mark.django_db

Y = year_period(YEAR)


def test_member_metrics_roll_up_over_each_subtree_as_counted_by_hand(tree, world):
    units = [tree.city, tree.county_a, tree.township_a1, tree.village_a1a, tree.township_a2, tree.county_b]
    v = compute_direct(units, Y.start, Y.end)
    assert [v["members.active"][u.pk] for u in units] == [4, 3, 2, 1, 1, 1]
    # withdrawn and out-of-period records do not count; 31 December does
    assert [v["members.duty_records"][u.pk] for u in units] == [4, 3, 2, 2, 1, 1]
    assert [v["members.participants"][u.pk] for u in units] == [3, 2, 1, 1, 1, 1]
    assert v["members.active_share"][tree.county_a.pk] == round(100 * 2 / 3, 1)
    assert v["members.active_share"][tree.city.pk] == 75.0


def test_a_registered_test_metric_rolls_up_the_tree(tree, test_metrics):
    v = compute_direct([tree.province, tree.county_a, tree.township_a1, tree.county_b], Y.start, Y.end, {"test.units"})
    assert v["test.units"] == {tree.province.pk: 10, tree.county_a.pk: 5, tree.township_a1.pk: 2, tree.county_b.pk: 3}


def test_dashboard_shows_the_unit_and_one_row_per_child_with_the_same_numbers(tree, world, test_metrics):
    board = dashboard_for(unit=tree.county_a, period=Y, use_snapshot=False)
    by_name = {r.unit.name: {c.metric.key: c.value for c in r.cells} for r in board.rows}
    assert set(by_name) == {"三堤口街道", "东山街道", "相山区城管局"}
    assert by_name["三堤口街道"]["members.duty_records"] == 2
    assert by_name["三堤口街道"]["test.units"] == 2
    assert [r.has_children for r in board.rows if r.unit.name == "三堤口街道"] == [True]
    top = {c.metric.key: c.value for s in board.sections for c in s.cells}
    assert top["members.duty_records"] == 3 and top["test.units"] == 5


def test_periods_cut_records_at_their_edges(tree, world):
    q4 = quarter_period(YEAR, 4)
    dec = month_period(YEAR, 12)
    custom = Period("custom", Y.start, Y.start.replace(month=6))
    assert compute_direct([tree.county_a], q4.start, q4.end, {"members.duty_records"})["members.duty_records"] == {
        tree.county_a.pk: 1}
    assert compute_direct([tree.county_a], dec.start, dec.end, {"members.duty_records"})["members.duty_records"][
        tree.county_a.pk] == 1
    assert compute_direct([tree.county_a], custom.start, custom.end, {"members.duty_records"})["members.duty_records"][
        tree.county_a.pk] == 2


def _all_units(tree):
    """Every unit the summary table keeps (villages are computed directly)."""
    return [tree.province, tree.city, tree.county_a, tree.township_a1, tree.township_a2,
            tree.dept_a, tree.county_b, tree.township_b1]


def _assert_snapshot_equals_direct(tree, period):
    units = [u.__class__.objects.get(pk=u.pk) for u in _all_units(tree)]
    snap = numbers_for(units, period)
    assert snap.from_snapshot
    assert snap.values == compute_direct(units, period.start, period.end)
    return snap.values


def test_summary_tables_equal_direct_recomputation_also_after_edits_and_a_move(tree, world, users, test_metrics):
    periods = [Y, quarter_period(YEAR, 2), month_period(YEAR, 5)]
    facts_refresh(periods=periods)
    assert UnitFact.objects.count() == 8 * len(periods) * len(METRICS)  # units × periods × metrics
    for period in periods:
        _assert_snapshot_equals_direct(tree, period)

    # An edit: the snapshot is stale until the next refresh, then equal again.
    from .conftest import duty

    duty(world["m5"], tree.township_a1)
    facts_refresh(periods=periods)
    values = _assert_snapshot_equals_direct(tree, Y)
    assert values["members.duty_records"][tree.county_a.pk] == 4

    # A move: 东山街道 (one duty record, one member) goes from county A to county B.
    orgunit_move(actor=users.admin, unit=tree.township_a2, new_parent=tree.county_b)
    facts_refresh(periods=periods)
    for period in periods:
        values = _assert_snapshot_equals_direct(tree, period)
    assert values is not None
    year_values = _assert_snapshot_equals_direct(tree, Y)
    assert year_values["members.duty_records"][tree.county_a.pk] == 3
    assert year_values["members.duty_records"][tree.county_b.pk] == 2
    assert year_values["test.units"][tree.county_b.pk] == 4


def test_a_metric_missing_from_the_snapshot_is_computed_directly(tree, world, test_metrics):
    facts_refresh(periods=[Y], keys={"members.active"})
    numbers = numbers_for([tree.county_a, tree.county_b], Y)
    assert not numbers.from_snapshot
    assert numbers.values["members.duty_records"] == {tree.county_a.pk: 3, tree.county_b.pk: 1}


def test_structure_figures_count_units_and_bodies_below_the_unit(tree):
    from organizations.models import Body, BodyKind

    Body.objects.create(unit=tree.county_a, kind=BodyKind.SECTOR, name="教育界")
    Body.objects.create(unit=tree.county_a, kind=BodyKind.COMMITTEE, name="提案委员会")
    Body.objects.create(unit=tree.county_b, kind=BodyKind.SECTOR, name="经济界")
    units = [tree.city, tree.county_a, tree.township_a1]
    v = compute_direct(units, Y.start, Y.end, {"org.townships", "org.communities", "org.sectors", "org.committees"})
    assert [v["org.townships"][u.pk] for u in units] == [3, 2, 0]
    assert [v["org.communities"][u.pk] for u in units] == [2, 1, 1]
    assert [v["org.sectors"][u.pk] for u in units] == [2, 1, 0]
    assert [v["org.committees"][u.pk] for u in units] == [1, 1, 0]


def test_a_townships_dashboard_is_computed_directly_because_villages_are_not_snapshotted(tree, world):
    facts_refresh(periods=[Y])
    assert dashboard_for(unit=tree.county_a, period=Y).from_snapshot
    board = dashboard_for(unit=tree.township_a1, period=Y)
    assert not board.from_snapshot
    assert {c.metric.key: c.value for s in board.sections for c in s.cells}["members.duty_records"] == 2


def test_a_snapshot_the_beat_stopped_refreshing_is_not_used(tree, world):
    import datetime

    from django.utils import timezone

    facts_refresh(periods=[Y])
    assert numbers_for([tree.county_a], Y).from_snapshot
    UnitFact.objects.update(computed_at=timezone.now() - datetime.timedelta(hours=2), value=999)
    numbers = numbers_for([tree.county_a], Y)
    assert not numbers.from_snapshot and numbers.values["members.duty_records"][tree.county_a.pk] == 3
