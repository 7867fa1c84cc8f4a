"""A build of several periods shares the metrics' common work (members' scores) between the
periods ending on the same day, and forgets it before the next end's: the full rebuild used to keep
the scores of every period end it had built (4 sets of 50,000 members at province scale, most of
its 930 MiB peak)."""

import pytest

from portal import metrics as contract
from reports.periods import month_period, quarter_period, year_period
from reports.services import facts_rebuild, facts_refresh

from .conftest import YEAR

pytestmark = pytest.mark.django_db

PERIODS = [year_period(YEAR), quarter_period(YEAR, 2), quarter_period(YEAR, 4), month_period(YEAR, 5)]


@pytest.fixture
def shared_work():
    """Two test metrics sharing one piece of work per period end; records, at each computation of
    it, the ends whose work was still held."""
    saved = dict(contract.METRICS)
    held: list[tuple] = []

    def work(end):
        def compute():
            memo = contract._SHARED.get()
            held.append((end, sorted(k[1] for k in memo if k[0] == "test.work")))
            return 1

        return contract.shared(("test.work", end), compute)

    @contract.metric("test.a", "A", section="Test")
    def a(units, start, end):
        return {u.pk: work(end) for u in units}

    @contract.metric("test.b", "B", section="Test")
    def b(units, start, end):
        return {u.pk: work(end) for u in units}

    yield held
    contract.METRICS.clear()
    contract.METRICS.update(saved)


@pytest.mark.parametrize("build", [lambda: facts_refresh(periods=PERIODS, keys={"test.a", "test.b"}),
                                   lambda: facts_rebuild(periods=PERIODS)])
def test_the_work_of_one_period_end_is_kept_while_its_periods_are_built_only(tree, shared_work, build):
    build()
    ends = sorted({p.end for p in PERIODS})  # the year and Q4 end on the same day
    # computed once per end (shared by the two metrics and by the periods ending that day) …
    assert sorted(end for end, _held in shared_work if end in ends) == ends
    # … and nothing of an earlier end is still held when the next one is computed
    assert all(held == [] for _end, held in shared_work)
