"""The read replica (DATABASE_REPLICA_URL): dashboards and exports read there, writes and every
other read use the primary. The stand-in replica is a second database on the same PostgreSQL
server (the `replica` alias of the test settings), filled with a copy of the primary's rows at one
moment, so it lags the primary from then on."""

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.models import OrgUnit
from portal.replica import REPLICA, read_alias, replica_reads
from reports.models import FactMark, FactPeriod, UnitFact
from reports.periods import year_period
from reports.selectors import dashboard_for
from reports.services import facts_refresh
from tests.reports.conftest import YEAR, world  # noqa: F401 - the reports' hand-counted records

# The test settings define the second database on PostgreSQL only (the `postgres` mark skips the
# tests on SQLite locally and fails them in CI).
_DATABASES = ["default", REPLICA] if REPLICA in settings.DATABASES else ["default"]
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(databases=_DATABASES)]

Y = year_period(YEAR)


@pytest.fixture
def replica(tree, world, settings):  # noqa: F811
    """The summary built on the primary, then "replicated": the rows the dashboards read copied to
    the second database. READ_REPLICA on (as DATABASE_REPLICA_URL turns it on)."""
    facts_refresh(periods=[Y])
    for model in (OrgUnit, FactPeriod, UnitFact):
        model.objects.using(REPLICA).bulk_create(list(model.objects.using("default").order_by("pk")))
    settings.READ_REPLICA = True
    return connections[REPLICA]


def _duty_records_row(using="default"):
    return UnitFact.objects.using(using).filter(org_unit__name="相山区", metric="members.duty_records",
                                                period_start=Y.start, period_end=Y.end)


def test_without_a_replica_every_read_uses_the_one_database(tree, settings):
    settings.READ_REPLICA = False
    with replica_reads():
        assert read_alias() == "default"


def test_dashboards_read_the_replica_writes_and_other_reads_the_primary(client, users, tree, replica):
    _duty_records_row().update(value=99)  # the primary moves on; the replica has not caught up
    assert _duty_records_row(REPLICA).get().value == 3
    with CaptureQueriesContext(replica) as on_replica:
        board = dashboard_for(unit=tree.county_a, period=Y)
    assert board.from_snapshot
    assert {c.metric.key: c.value for s in board.sections for c in s.cells}["members.duty_records"] == 3
    assert any("reports_unitfact" in q["sql"] for q in on_replica.captured_queries)

    # the page: the user's session and scope from the primary, the numbers from the replica
    client.force_login(users.clerk)
    response = client.get(reverse("reports:unit", args=[tree.county_a.pk]) + f"?year={YEAR}")
    assert response.status_code == 200
    cells = {c.metric.key: c.value for s in response.context["board"].sections for c in s.cells}
    assert cells["members.duty_records"] == 3

    with replica_reads():  # a write inside still goes to the primary
        assert read_alias() == REPLICA
        FactMark.objects.create(source="test", path=tree.county_a.path)
    assert FactMark.objects.using("default").filter(source="test").exists()
    assert not FactMark.objects.using(REPLICA).filter(source="test").exists()
    assert read_alias() == "default"
    assert UnitFact.objects.get(pk=_duty_records_row().get().pk).value == 99  # outside: the primary
