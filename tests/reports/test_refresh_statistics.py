"""After a build that wrote many rows, the summary table's planner statistics are renewed at once
(at 1,000,000 topics the refresh after one change read a period's 376,706 stored rows for 5 units'
values through stale statistics, ~100 ms a read, until autovacuum analysed the table); an idle
refresh or one that follows a change does not analyse."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import services
from reports.periods import year_period
from reports.services import facts_rebuild, facts_refresh

from .conftest import YEAR, duty

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _analyses(ctx):
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("ANALYZE")]


def test_a_build_that_writes_many_rows_analyses_the_table_and_nothing_else_does(tree, world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL statistics")
    monkeypatch.setattr(services, "ANALYZE_AFTER_ROWS", 1)  # the test's summary is small
    with CaptureQueriesContext(connection) as ctx:
        built = facts_refresh(periods=[year_period(YEAR)])
    assert built.written >= 1
    assert _analyses(ctx) == ['ANALYZE reports_unitfact']
    with CaptureQueriesContext(connection) as ctx:
        assert facts_refresh(periods=[year_period(YEAR)]).written == 0  # idle
    assert _analyses(ctx) == []
    duty(world["m2"], tree.township_a2, title="又一次协商")
    with CaptureQueriesContext(connection) as ctx:
        facts_refresh(periods=[year_period(YEAR)])  # one change: no build
    assert _analyses(ctx) == []
    monkeypatch.setattr(services, "ANALYZE_AFTER_ROWS", 10**9)
    with CaptureQueriesContext(connection) as ctx:
        facts_rebuild(periods=[year_period(YEAR)])
    assert _analyses(ctx) == []  # few rows: left to autovacuum
