"""The refresh after a few changes reads and writes the summary in a number of queries that does not
grow with the number of units, metrics or periods touched (at province scale it was 185 queries
after one new session: one UPDATE per changed row, one read of stored values per period and step,
and the paths of all 18,871 units), and it reads only the units on the marked paths."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.models import OrgUnit
from reports.periods import month_period, quarter_period, year_period
from reports.selectors import compute_direct, numbers_for
from reports.services import facts_refresh
from tests.factories import make_unit

from .conftest import IN_PERIOD, YEAR, duty

pytestmark = pytest.mark.django_db

Y = year_period(YEAR)
PERIODS = [Y, quarter_period(YEAR, 2), quarter_period(YEAR, 4), month_period(YEAR, 5), month_period(YEAR, 11)]


def _refresh():
    with CaptureQueriesContext(connection) as ctx:
        result = facts_refresh(periods=PERIODS)
    return result, [q["sql"] for q in ctx.captured_queries]


def _on(queries, table, verb="SELECT"):
    return [q for q in queries if q.startswith(verb) and f'"{table}"' in q.split(" WHERE ")[0]]


def _assert_summary_equals_direct():
    units = list(OrgUnit.objects.filter(is_active=True).order_by("path"))
    for period in PERIODS:
        snap = numbers_for(units, period)
        assert snap.from_snapshot
        assert snap.values == compute_direct(units, period.start, period.end)


def test_the_queries_of_a_refresh_do_not_grow_with_the_units_touched(tree, world):
    facts_refresh(periods=PERIODS)
    duty(world["m1"], tree.village_a1a, title="一处")
    one, one_queries = _refresh()
    # the same kind of change at three units of two counties, in one refresh
    duty(world["m1"], tree.village_a1a, title="三处之一")
    duty(world["m4"], tree.village_b1a, title="三处之二")
    duty(world["m2"], tree.township_a2, title="三处之三")
    three, three_queries = _refresh()
    assert three.written > one.written
    assert len(three_queries) == len(one_queries)
    _assert_summary_equals_direct()


def test_the_summary_is_read_once_and_written_in_one_statement_per_kind_of_write(tree, world):
    facts_refresh(periods=PERIODS)
    duty(world["m1"], tree.village_a1a, title="五月")  # Y, Q2, May
    duty(world["m4"], tree.village_b1a, datetime.date(YEAR, 11, 3), title="十一月")  # Y, Q4, November
    from members.models import DutyRecord

    DutyRecord.objects.get(title="协商").delete()  # 东山街道 loses its only record: rows deleted
    result, queries = _refresh()
    assert result.computed > 30 and result.inserted and result.updated and result.deleted
    assert len(_on(queries, "reports_unitfact")) == 1  # stored values of 5 periods × ~50 metrics × 8 units
    assert len(_on(queries, "reports_unitfact", "INSERT")) == 1
    assert len(_on(queries, "reports_unitfact", "UPDATE")) == 1
    assert len(_on(queries, "reports_unitfact", "DELETE")) == 1
    assert len(_on(queries, "reports_factperiod", "UPDATE")) == 1  # the periods changed, together
    # the covered periods, then every touched period locked in one query
    assert len(_on(queries, "reports_factperiod")) == 2
    _assert_summary_equals_direct()


def test_the_refresh_reads_only_the_units_on_the_marked_paths(tree, world):
    for i in range(30):  # units the change does not reach: their paths are not read
        make_unit(f"别处社区{i}", "village", tree.township_b1)
    facts_refresh(periods=PERIODS)
    duty(world["m1"], tree.village_a1a, IN_PERIOD, title="一处")
    with CaptureQueriesContext(connection) as ctx:
        facts_refresh(periods=PERIODS)
    unit_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "organizations_orgunit"' in q["sql"]]
    assert len(unit_reads) == 2  # (id, path) on the marked paths, then whole rows of the units computed
    from reports.services import _marked_units

    marks = [("members.DutyRecord", tree.village_a1a.path, IN_PERIOD, False)]
    reached = _marked_units(marks)
    assert set(reached) == {tree.province.pk, tree.city.pk, tree.county_a.pk, tree.township_a1.pk,
                            tree.village_a1a.pk}
    # a change reaching the subtree (a scoring plan) reads the units below it too
    below = _marked_units([("members.ScoringPlan", tree.county_b.path, None, True)])
    assert set(below) >= {tree.township_b1.pk, tree.village_b1a.pk, tree.province.pk}
    assert len(below) == 3 + 2 + 30
    _assert_summary_equals_direct()


def test_many_marked_subtrees_read_the_whole_tree_in_one_query(tree, monkeypatch):
    from reports import services

    monkeypatch.setattr(services, "MANY_MARKED_ROOTS", 1)
    marks = [("members.ScoringPlan", tree.county_a.path, None, True),
             ("members.ScoringPlan", tree.township_a1.path, None, True),  # inside county A: one root
             ("members.ScoringPlan", tree.county_b.path, None, True)]
    everything = set(OrgUnit.objects.filter(is_active=True).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as ctx:
        assert set(services._marked_units(marks)) == everything
    assert len(ctx.captured_queries) == 1 and " LIKE " not in ctx.captured_queries[0]["sql"]
    assert set(services._marked_units(marks[:2])) == set(services._marked_units(marks[:1]))
