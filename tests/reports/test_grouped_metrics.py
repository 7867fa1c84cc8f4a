"""Direct computation in grouped queries (portal.metrics.compute_grouped): every registered
metric equals its own function run alone, over generated data in every source table, and the
counts of one table cost one query however many metrics read it."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.models import OrgUnit
from portal.metrics import METRICS, compute_grouped
from reports.selectors import compute_direct

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def province():
    call_command("generate_data", scale=0.0005, seed=11, stdout=io.StringIO())
    root = OrgUnit.objects.get(code="gen11-root")
    county = OrgUnit.objects.filter(path__startswith=root.path, kind="county").order_by("path").first()
    return root, county


def _clean(values, units):
    return {u.pk: float(values.get(u.pk) or 0) for u in units}


def test_grouped_counts_equal_each_metric_computed_alone(province):
    root, county = province
    units = [root, county, *OrgUnit.objects.filter(parent=county, is_active=True)]
    today = datetime.date.today()
    for start, end in [(datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)),
                       (datetime.date(2000, 1, 1), today + datetime.timedelta(days=400))]:
        metrics = list(METRICS.values())
        grouped = compute_grouped(metrics, units, start, end)
        alone = {m.key: _clean(m.func(units, start, end), units) for m in metrics}
        assert {k: _clean(v, units) for k, v in grouped.items()} == alone
        assert sum(alone["consultations.topics"].values()) > 0  # the data is there
        assert sum(alone["proposals.received"].values()) > 0
        direct = compute_direct(units, start, end)
        assert direct == alone


def test_the_counts_of_one_table_are_one_query(province):
    _root, county = province
    units = [county, *OrgUnit.objects.filter(parent=county, is_active=True)]
    today = datetime.date.today()
    start, end = datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31)
    keys = [k for k in METRICS if k.startswith("consultations.topics")]
    assert len(keys) >= 5  # topics, by channel, approved
    with CaptureQueriesContext(connection) as ctx:
        values = compute_direct(units, start, end, set(keys))
    topic_queries = [q for q in ctx.captured_queries if 'FROM "consultations_topic"' in q["sql"]]
    assert len(topic_queries) == 1, [q["sql"][:200] for q in ctx.captured_queries]
    assert "FILTER (WHERE" in topic_queries[0]["sql"]
    for key in keys:
        assert values[key] == _clean(METRICS[key].func(units, start, end), units)
