"""Roll-up correctness: hand-counted fixtures, and the summary tables against direct
recomputation, including after a unit moves to another county."""

import datetime
import io

import pytest
from django.utils import timezone

from organizations.models import OrgUnit
from organizations.services import orgunit_move
from portal.metrics import METRICS
from reports.models import FactMark, FactPeriod, UnitFact
from reports.periods import Period, month_period, quarter_period, year_period
from reports.selectors import compute_direct, dashboard_for, numbers_for
from reports.services import facts_refresh

from .conftest import IN_PERIOD, YEAR

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
    """Every active unit: the summary table keeps them all (zeros are simply not stored)."""
    return list(OrgUnit.objects.filter(is_active=True).order_by("path"))


def _assert_snapshot_equals_direct(tree, period):
    units = _all_units(tree)
    snap = numbers_for(units, period)
    assert snap.from_snapshot
    assert snap.values == compute_direct(units, period.start, period.end)
    return snap.values


def test_summary_tables_equal_direct_recomputation_also_after_edits_and_a_move(tree, world, users, test_metrics):
    periods = [Y, quarter_period(YEAR, 2), month_period(YEAR, 5)]
    facts_refresh(periods=periods)
    assert UnitFact.objects.exists() and not UnitFact.objects.filter(value=0).exists()  # zeros not stored
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


def test_a_townships_dashboard_reads_the_summary_too_villages_included(tree, world):
    facts_refresh(periods=[Y])
    assert dashboard_for(unit=tree.county_a, period=Y).from_snapshot
    board = dashboard_for(unit=tree.township_a1, period=Y)
    assert board.from_snapshot
    assert {c.metric.key: c.value for s in board.sections for c in s.cells}["members.duty_records"] == 2
    assert {r.unit.name: {c.metric.key: c.value for c in r.cells} for r in board.rows}["庆相桥社区"][
        "members.duty_records"] == 2


def test_a_snapshot_the_beat_stopped_refreshing_is_not_used(tree, world):
    facts_refresh(periods=[Y])
    assert numbers_for([tree.county_a], Y).from_snapshot
    UnitFact.objects.update(value=999)
    FactMark.objects.create(source="members.DutyRecord", path=tree.county_a.path, day=Y.start)
    FactMark.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))
    numbers = numbers_for([tree.county_a], Y)
    assert not numbers.from_snapshot and numbers.values["members.duty_records"][tree.county_a.pk] == 3


def test_an_idle_refresh_does_nothing(tree, world, django_assert_max_num_queries):
    facts_refresh(periods=[Y])
    before = list(UnitFact.objects.values_list("pk", "value", "computed_at").order_by("pk"))
    with django_assert_max_num_queries(3):  # newest mark, covered periods, nothing else
        result = facts_refresh(periods=[Y])
    assert (result.marks, result.computed, result.written) == (0, 0, 0)
    assert list(UnitFact.objects.values_list("pk", "value", "computed_at").order_by("pk")) == before


def test_one_change_recomputes_only_its_metrics_periods_and_ancestors(tree, world):
    from .conftest import duty

    periods = [Y, quarter_period(YEAR, 2), quarter_period(YEAR, 4), month_period(YEAR, 5)]
    facts_refresh(periods=periods)
    duty(world["m5"], tree.township_a1)  # 1 May: the year, Q2 and May; not Q4
    result = facts_refresh(periods=periods)
    duty_metrics = {k for k, m in METRICS.items() if any(s.model == "members.DutyRecord" for s in m.sources or ())}
    # cumulative scores reach Q4 too (points so far this year); the others only Y, Q2 and May
    cumulative = {k for k in duty_metrics if METRICS[k].cumulative}
    assert result.computed == 3 * len(duty_metrics) + len(cumulative)
    assert 0 < result.written <= result.computed * 4  # ancestors: province, city, county, township
    assert not FactMark.objects.exists()
    for period in periods:
        _assert_snapshot_equals_direct(tree, period)


def test_editing_a_record_of_an_old_period_updates_that_period(tree, world):
    """Back-entry and corrections: last year's numbers follow an edit made today."""
    from members.models import DutyRecord

    old_year = year_period(YEAR - 1)
    facts_refresh(periods=[Y, old_year])
    assert numbers_for([tree.county_a], old_year).values["members.duty_records"][tree.county_a.pk] == 1
    record = DutyRecord.objects.get(title="去年")
    record.occurred_on = IN_PERIOD  # moved from last year into this one
    record.save()
    facts_refresh(periods=[Y, old_year])
    assert numbers_for([tree.county_a], old_year).values["members.duty_records"][tree.county_a.pk] == 0
    assert numbers_for([tree.county_a], Y).values["members.duty_records"][tree.county_a.pk] == 4
    for period in (Y, old_year):
        _assert_snapshot_equals_direct(tree, period)
    record.delete()
    facts_refresh(periods=[Y, old_year])
    _assert_snapshot_equals_direct(tree, Y)


def test_a_write_that_rolls_back_marks_nothing(tree, world):
    from django.db import transaction

    from .conftest import duty

    facts_refresh(periods=[Y])
    with pytest.raises(RuntimeError), transaction.atomic():
        duty(world["m5"], tree.township_a1)
        raise RuntimeError
    assert not FactMark.objects.exists()


def test_the_refresh_queries_do_not_grow_with_units(tree, world, test_metrics):
    """The structure figures read the units' kind from the rows loaded once (they used to load
    only pk and path, then one query per unit for the rest)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_unit

    def build_queries():
        FactPeriod.objects.all().delete()
        with CaptureQueriesContext(connection) as ctx:
            facts_refresh(periods=[Y], keys={"org.townships", "org.communities"})
        return len([q for q in ctx.captured_queries if "organizations_orgunit" in q["sql"]])

    few = build_queries()
    for i in range(10):
        make_unit(f"加街道{i}", "township", tree.county_b)
    assert build_queries() == few


def test_rebuild_repairs_a_damaged_table(tree, world):
    from django.core.management import call_command

    facts_refresh(periods=[Y])
    UnitFact.objects.filter(metric="members.duty_records").update(value=42)
    UnitFact.objects.create(org_unit=tree.county_b, org_path=tree.county_b.path, metric="gone.metric",
                            period_start=Y.start, period_end=Y.end, value=1, computed_at=timezone.now())
    call_command("rebuild_facts", stdout=io.StringIO())
    _assert_snapshot_equals_direct(tree, Y)
    assert not UnitFact.objects.filter(metric="gone.metric").exists()
