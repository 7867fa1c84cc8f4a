"""Distinct counts (members taking part) after a change: moved by the members the writes touched —
from those members' own records and the signed marks — never counted again over a subtree (at
province scale the province's figure was the whole duty file of the year, 0.1–0.5 s per period).
The summary must still equal a direct recomputation, whatever the writes did."""

import dataclasses
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import DutyRecord
from organizations.models import OrgUnit
from portal import metrics as contract
from portal.metrics import records_changed
from reports.models import FactMark
from reports.periods import month_period, quarter_period, year_period
from reports.selectors import compute_direct, numbers_for
from reports.services import facts_refresh
from tests.factories import make_member

from .conftest import IN_PERIOD, YEAR, duty

pytestmark = pytest.mark.django_db

KEY = "members.participants"
Y = year_period(YEAR)
PERIODS = [Y, quarter_period(YEAR, 2), quarter_period(YEAR, 4), month_period(YEAR, 5), month_period(YEAR, 12)]


@pytest.fixture
def recounts():
    """The units each direct count of members taking part was asked for; the registry restored."""
    saved = dict(contract.METRICS)
    original = contract.METRICS[KEY].func
    calls: list[set[str]] = []

    def counted(units, start, end):
        units = list(units)
        calls.append({u.name for u in units})
        return original(units, start, end)

    contract.METRICS[KEY] = dataclasses.replace(contract.METRICS[KEY], func=counted)
    yield calls
    contract.METRICS.clear()
    contract.METRICS.update(saved)


def _assert_summary_equals_direct():
    units = list(OrgUnit.objects.filter(is_active=True).order_by("path"))
    for period in PERIODS:
        snap = numbers_for(units, period)
        assert snap.from_snapshot
        assert snap.values[KEY] == compute_direct(units, period.start, period.end, {KEY})[KEY], period
    return numbers_for(units, Y).values[KEY]


def test_every_kind_of_write_moves_the_count_without_counting_a_subtree_again(tree, world, recounts):
    facts_refresh(periods=PERIODS)
    m1, m2, m4 = world["m1"], world["m2"], world["m4"]
    steps = [
        lambda: duty(m1, tree.village_a1a, title="同一人同一处"),  # m1 counted there already: no move
        lambda: duty(m4, tree.township_a1, title="赵四到三堤口"),  # m4 starts counting in county A
        lambda: DutyRecord.objects.get(title="协商").delete(),  # m2's only record: m2 stops counting
        lambda: _save(DutyRecord.objects.get(title="调研二"), occurred_on=IN_PERIOD),  # Q4 → Q2 for m1
        lambda: _save(DutyRecord.objects.get(title="已撤回"), status="verified"),  # counted from now on
        lambda: _save(DutyRecord.objects.get(title="县B"), status="withdrawn"),  # m4 no longer counted in B…
        lambda: _save(DutyRecord.objects.get(title="赵四到三堤口"), member=m2),  # …and the record changes hands
        lambda: _save(DutyRecord.objects.get(title="同一人同一处"), org_unit=tree.village_b1a,
                      org_path=tree.village_b1a.path),  # moved to county B
        lambda: duty(make_member(tree.county_b, name="新人"), tree.village_b1a, datetime.date(YEAR, 12, 2)),
    ]
    for step in steps:
        step()
        recounts.clear()
        facts_refresh(periods=PERIODS)
        assert recounts == []
        _assert_summary_equals_direct()
    assert not FactMark.objects.exists()


def test_several_writes_in_one_refresh_and_undone_before_it(tree, world, recounts):
    facts_refresh(periods=PERIODS)
    record = duty(world["m5"], tree.township_a1, title="来了又走")  # m5 had none
    record.delete()
    duty(world["m5"], tree.village_a1a, title="两条之一")
    duty(world["m5"], tree.village_a1a, title="两条之二")
    DutyRecord.objects.filter(title="调研一").get().delete()  # m1 keeps 调研二 in the village
    recounts.clear()
    facts_refresh(periods=PERIODS)
    assert recounts == []
    values = _assert_summary_equals_direct()
    assert values[tree.village_a1a.pk] == 2  # m1 and m5


def test_a_bulk_write_is_counted_again(tree, world, recounts):
    """records_changed() (a QuerySet.update) does not say which records counted before: the
    touched figures are counted directly, as before."""
    facts_refresh(periods=PERIODS)
    records = DutyRecord.objects.filter(title="县B")
    records_changed(records)
    records.update(status="withdrawn")
    records_changed(records)
    recounts.clear()
    facts_refresh(periods=PERIODS)
    assert recounts  # counted again
    values = _assert_summary_equals_direct()
    assert values[tree.county_b.pk] == 0


def test_a_write_of_the_same_member_after_the_marks_were_read_is_counted_again(tree, world, recounts):
    """The records are read after the marks: a write of the same member in between would be in the
    records but not in the marks — those figures are counted directly instead."""
    from reports import services

    facts_refresh(periods=PERIODS)
    duty(world["m5"], tree.township_a1, title="先")
    real = services._move_distinct

    def with_a_write_in_between(cells, signed, paths, stored):
        duty(world["m5"], tree.township_a2, title="后")  # committed after the marks were read
        return real(cells, signed, paths, stored)

    services._move_distinct = with_a_write_in_between
    try:
        recounts.clear()
        facts_refresh(periods=PERIODS)
    finally:
        services._move_distinct = real
    assert recounts
    facts_refresh(periods=PERIODS)  # the later write's marks
    _assert_summary_equals_direct()


def test_the_refresh_reads_the_touched_members_records_only(tree, world):
    facts_refresh(periods=PERIODS)
    duty(world["m5"], tree.township_a1, title="一条")
    with CaptureQueriesContext(connection) as ctx:
        facts_refresh(periods=PERIODS)
    members_counted = [q["sql"] for q in ctx.captured_queries if 'DISTINCT "members_dutyrecord"."member_id"' in q["sql"]
                       or q["sql"].startswith('SELECT DISTINCT "members_dutyrecord"')]
    assert members_counted == []
    member_reads = [q["sql"] for q in ctx.captured_queries
                    if f'"members_dutyrecord"."member_id" IN ({world["m5"].pk})' in q["sql"]]
    assert [q for q in member_reads if "GROUP BY" not in q]  # the records of the one member the write touched
    _assert_summary_equals_direct()


def _save(record, **fields):
    for name, value in fields.items():
        setattr(record, name, value)
    record.save()
