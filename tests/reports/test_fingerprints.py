"""A summary table never keeps a figure of an older definition: when a metric's counting rule is
fixed (the demo showed 有履职记录的委员 383 for 84 members on the register — rows built while the
count was multiplied by a join), its old rows are not shown and the next refresh rebuilds them;
tables built before fingerprints existed are rebuilt once."""

import dataclasses

import pytest

from portal import metrics as contract
from reports import fingerprints
from reports.models import FactPeriod, UnitFact
from reports.selectors import compute_direct, numbers_for
from reports.services import facts_refresh

from .conftest import YEAR

pytestmark = pytest.mark.django_db
KEY = "members.active_members"


@pytest.fixture
def buggy_definition():
    """The metric as it was before the fix: one member per duty record (a Count over the join)."""
    from members.models import COUNTED_STATUSES, DutyRecord
    from portal.metrics import subtree_counts

    fixed = contract.METRICS[KEY]

    def per_record(units, start, end):
        return subtree_counts(DutyRecord.objects.filter(occurred_on__range=(start, end),
                                                        status__in=COUNTED_STATUSES), units)

    contract.METRICS[KEY] = dataclasses.replace(fixed, func=per_record)
    fingerprints.fingerprint.cache_clear()
    yield fixed
    contract.METRICS[KEY] = fixed
    fingerprints.fingerprint.cache_clear()


def test_rows_of_an_older_definition_are_not_shown_and_are_rebuilt(tree, world, buggy_definition):
    from reports.periods import year_period

    y = year_period(YEAR)
    a = tree.county_a.pk
    facts_refresh(periods=[y])
    assert numbers_for([tree.county_a], y).values[KEY][a] == 3  # m1's two records and m2's one
    # the fix is deployed
    contract.METRICS[KEY] = buggy_definition
    fingerprints.fingerprint.cache_clear()
    right = compute_direct([tree.county_a], y.start, y.end, {KEY})[KEY][a]
    assert right == 2
    numbers = numbers_for([tree.county_a], y)
    assert numbers.values[KEY][a] == right and not numbers.from_snapshot
    facts_refresh(periods=[y])
    numbers = numbers_for([tree.county_a], y)
    assert numbers.values[KEY][a] == right and numbers.from_snapshot
    assert UnitFact.objects.get(metric=KEY, org_unit=tree.county_a, period_start=y.start).value == right


def test_a_table_built_before_fingerprints_is_rebuilt_once(tree, world):
    from reports.periods import year_period

    y = year_period(YEAR)
    facts_refresh(periods=[y])
    FactPeriod.objects.update(fingerprints={})  # as migrated from before
    UnitFact.objects.filter(metric=KEY).update(value=383)
    assert numbers_for([tree.county_a], y).values[KEY][tree.county_a.pk] == 2
    result = facts_refresh(periods=[y])
    assert result.periods_built == 1
    assert UnitFact.objects.get(metric=KEY, org_unit=tree.county_a, period_start=y.start).value == 2
    assert facts_refresh(periods=[y]).periods_built == 0  # and only once
