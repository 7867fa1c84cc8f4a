"""The bench itself (issue 15): the header gives the data's scale, measured from the data, and
the cases leave nothing another case (or the next run) could read — the summary-refresh case
undoes its session and back-entry, and the county dashboard "computed directly" never reads the
summary table, whatever an earlier case built."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench import cases_scale
from bench import harness as bench_harness
from bench.run import describe_data
from consultations.models import Participant, Session, Topic
from members.models import DutyRecord
from reports.models import FactMark, UnitFact
from reports.periods import year_period
from reports.services import facts_rebuild, facts_refresh

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SEED = 5


@pytest.fixture
def province():
    call_command("generate_data", scale=0.001, seed=SEED, stdout=io.StringIO())


def _state():
    return (Session.objects.count(), Participant.objects.count(), DutyRecord.objects.count(),
            sorted(Topic.objects.values_list("pk", "status")))


def test_header_gives_the_scale_measured_from_the_data(province):
    assert describe_data(SEED).startswith(f"`manage.py generate_data --seed {SEED}` at scale 0.001 (1,000 topics, ")
    assert describe_data(SEED + 1).startswith("no generated data")


def test_summary_refresh_case_leaves_the_data_and_a_current_summary(province, monkeypatch):
    before = _state()
    monkeypatch.setitem(cases_scale._SNAPSHOT_BUILT, 2000, (1.0, 1))  # an earlier case's build …
    result = cases_scale.summary_refresh(seed=SEED)
    assert "idle" in result.figure and "0 rows" in result.figure, result.figure
    assert "after one new session" in result.figure and "after one back-entry" in result.figure
    assert _state() == before  # the session, its participants and duty records, the back-entry: gone
    assert not FactMark.objects.exists()
    assert cases_scale._SNAPSHOT_BUILT == {}  # … is no longer taken for the summary of this run
    assert facts_rebuild().written == 0  # the summary after the undo = a full rebuild


def test_county_dashboard_computed_directly_never_reads_the_summary(province, monkeypatch):
    year = datetime.date.today().year
    facts_refresh(periods=[year_period(year)])  # a summary of the year the case reads is there …
    assert UnitFact.objects.filter(period_start=datetime.date(year, 1, 1)).exists()
    # (one timed request each, not the bench's median of nine: this proves what is read, not speed)
    monkeypatch.setattr(cases_scale, "median_ms", lambda func, **kw: bench_harness.median_ms(func, repeat=1, warmup=0))
    with CaptureQueriesContext(connection) as ctx:
        result = cases_scale.county_dashboard(seed=SEED)
    assert result.figure != "failed"
    assert not [q for q in ctx.captured_queries if "reports_unitfact" in q["sql"]]  # … and is not read
