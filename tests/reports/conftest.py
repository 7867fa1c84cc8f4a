"""Fixtures of the reports tests: test metrics registered for the test only, hand-made records,
and Celery in eager mode (the worker's code path, run in-process)."""

import datetime

import pytest

from members.models import DutyRecord
from organizations.models import OrgUnit
from portal import metrics as metrics_contract
from portal.celery import app as celery_app
from tests.factories import make_member

YEAR = 2025
IN_PERIOD = datetime.date(YEAR, 5, 1)
OUT_OF_PERIOD = datetime.date(YEAR - 1, 12, 31)


@pytest.fixture
def test_metrics():
    """`test.units`: units in the subtree (a count over the tree itself), registered only for the
    test; the registry is restored afterwards."""
    saved = dict(metrics_contract.METRICS)

    @metrics_contract.metric("test.units", "Units", section="Test", order=1,
                             records=lambda unit, start, end: OrgUnit.objects.filter(path__startswith=unit.path))
    def units(units_, start, end):
        return metrics_contract.subtree_counts(OrgUnit.objects.all(), units_, path_field="path")

    yield
    metrics_contract.METRICS.clear()
    metrics_contract.METRICS.update(saved)


@pytest.fixture
def eager_celery():
    # The app reads Django settings with the CELERY_ namespace, which wins over the plain names.
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = True
    celery_app.conf.CELERY_TASK_EAGER_PROPAGATES = True
    yield
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = False
    celery_app.conf.CELERY_TASK_EAGER_PROPAGATES = False


def duty(member, unit, day=IN_PERIOD, **fields):
    return DutyRecord.objects.create(member=member, org_unit=unit, kind="research", occurred_on=day,
                                     title=fields.pop("title", "调研"), **fields)


@pytest.fixture
def world(tree):
    """Hand-counted records (year 2025):

    member      unit           duty records in 2025      outside 2025
    m1          庆相桥社区 A1a   2                         1
    m2          东山街道 A2      1
    m3          相山区 A        0 (inactive member: never counted)
    m4          临涣村 B1a       1
    m5          三堤口街道 A1    0
    """
    m1 = make_member(tree.village_a1a, name="张一")
    m2 = make_member(tree.township_a2, name="王二")
    m3 = make_member(tree.county_a, name="李三", is_active=False)
    m4 = make_member(tree.village_b1a, name="赵四")
    m5 = make_member(tree.township_a1, name="钱五")
    duty(m1, tree.village_a1a, title="调研一")
    duty(m1, tree.village_a1a, datetime.date(YEAR, 12, 31), title="调研二")
    duty(m1, tree.village_a1a, OUT_OF_PERIOD, title="去年")
    duty(m2, tree.township_a2, title="协商")
    duty(m4, tree.village_b1a, title="县B")
    duty(m4, tree.village_b1a, status="withdrawn", title="已撤回")
    return {"m1": m1, "m2": m2, "m3": m3, "m4": m4, "m5": m5}
