"""Cases over the generated province (manage.py generate_data): list pages against a bare view of
the same rows, the county dashboard against raw GROUP BY, a paginated API over the whole
province, Chinese text search, and an Excel export of 100,000 rows. Each case skips with a note
when the app it measures is not installed."""

from __future__ import annotations

import datetime
import os
import tempfile
import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.common import client_for, first_county, floor_html, floor_json, user_with_role
from bench.harness import Result, case, interleaved_throughput, median_ms, peak_memory_mb
from organizations.models import OrgUnit, Role


def _root(seed) -> OrgUnit:
    return OrgUnit.objects.get(code=f"gen{seed}-root")


def _queries(client, url) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        answer = client.get(url)
    assert answer.status_code == 200, (url, answer.status_code)
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _list_case(name, label, *, seed, role, url, sql, params, rows_expected, unit=None):
    county = first_county(seed)
    holder = unit(county) if unit else county  # where the role is held (default: the county)
    client = client_for(user_with_role(seed, role, holder, f"{role}-county"))
    url = url.format(county=county.pk)
    n_queries, _ = _queries(client, url)
    with connection.cursor() as cursor:
        bound = [p.format(path=holder.path) if isinstance(p, str) else p for p in params]
        cursor.execute(sql, bound)
        rows = len(cursor.fetchall())
    full, floor = interleaved_throughput(lambda: client.get(url), lambda: floor_html(sql, bound))
    ratio = full / floor
    return Result(label, f"{full:.0f} req/s ({n_queries} queries)", f"{floor:.0f} req/s bare view, 1 query, {rows} rows",
                  ratio, "≥ 0.5× the floor", ratio >= 0.5, f"county {county.name}: {rows_expected}")


@case("secretary-topic-queue")
def secretary_topic_queue(*, seed):
    return _list_case(
        "secretary-topic-queue", "Secretary's topic queue /consultations/ (30 rows, county)", seed=seed,
        role=Role.SECRETARY, url="/consultations/",
        sql=("SELECT t.id, t.title, t.status, t.channel, u.name, t.updated_at FROM consultations_topic t "
             "JOIN organizations_orgunit u ON u.id = t.org_unit_id WHERE t.org_path LIKE %s "
             "ORDER BY t.updated_at DESC, t.id DESC LIMIT 30"),
        params=["{path}%"], rows_expected="all topics of the county, newest first")


@case("secretary-session-list")
def secretary_session_list(*, seed):
    return _list_case(
        "secretary-session-list", "Secretary's session list /consultations/sessions/?when=held (30 rows, county)",
        seed=seed, role=Role.SECRETARY, url="/consultations/sessions/?when=held",
        sql=("SELECT s.id, s.scheduled_on, s.form, s.venue, t.title, u.name FROM consultations_session s "
             "JOIN consultations_topic t ON t.id = s.topic_id JOIN organizations_orgunit u ON u.id = s.org_unit_id "
             "WHERE s.org_path LIKE %s AND s.status = 'held' ORDER BY s.scheduled_on DESC, s.id DESC LIMIT 30"),
        params=["{path}%"], rows_expected="sessions held in the county, newest first")


@case("proposal-queue")
def proposal_queue(*, seed):
    return _list_case(
        "proposal-queue", "Proposal review and assignment queue /proposals/review/ (30 rows, county)",
        seed=seed, role=Role.PROPOSAL_STAFF, url="/proposals/review/",
        sql=("SELECT p.id, p.title, p.status, p.number, m.name, p.submitted_at FROM proposals_proposal p "
             "JOIN members_member m ON m.id = p.proposer_id WHERE p.org_path LIKE %s "
             "AND p.status IN ('submitted', 'registered', 'assigning') ORDER BY p.submitted_at, p.id LIMIT 30"),
        params=["{path}%"], rows_expected="proposals waiting for review or assignment")


@case("member-ranking")
def member_ranking(*, seed):
    year = datetime.date.today().year
    return _list_case(
        "member-ranking", f"Member ranking /members/ranking/ ({year}, 50 rows, county)", seed=seed,
        role=Role.OFFICE_CLERK, url=f"/members/ranking/?unit={{county}}&year={year}",
        sql=("SELECT m.id, m.name, count(d.id) AS n FROM members_member m LEFT JOIN members_dutyrecord d "
             "ON d.member_id = m.id AND d.status IN ('auto', 'verified') AND d.occurred_on >= %s "
             "WHERE m.org_path LIKE %s AND m.is_active GROUP BY m.id, m.name ORDER BY n DESC, m.id LIMIT 50"),
        params=[datetime.date(year, 1, 1), "{path}%"], rows_expected="every member of the county scored, 50 shown")


@case("members-directory")
def members_directory(*, seed):
    return _list_case(
        "members-directory", "Members directory /members/ (30 rows, county)", seed=seed,
        role=Role.OFFICE_CLERK, url="/members/",
        sql=("SELECT m.id, m.name, u.name, m.level, m.work_unit, m.position FROM members_member m "
             "JOIN organizations_orgunit u ON u.id = m.org_unit_id WHERE m.org_path LIKE %s "
             "ORDER BY m.org_path, m.name, m.id LIMIT 30"),
        params=["{path}%"], rows_expected="the county's members by unit and name")


def _busiest_department(county):
    from django.db.models import Count

    from proposals.models import Assignment

    row = (Assignment.objects.filter(unit__path__startswith=county.path, unit__kind="department")
           .values("unit").annotate(n=Count("pk")).order_by("-n", "unit").first())
    return OrgUnit.objects.get(pk=row["unit"])


@case("department-inbox")
def department_inbox(*, seed):
    return _list_case(
        "department-inbox", "Department inbox /proposals/inbox/ (30 rows, the county's busiest department)",
        seed=seed, role=Role.DEPARTMENT, url="/proposals/inbox/", unit=_busiest_department,
        sql=("SELECT a.id, p.title, p.number, a.status, a.due_on, a.role FROM proposals_assignment a "
             "JOIN proposals_proposal p ON p.id = a.proposal_id WHERE a.unit_path LIKE %s "
             "AND a.status <> 'withdrawn' ORDER BY a.status, a.due_on, a.id LIMIT 30"),
        params=["{path}%"], rows_expected="its assignments still needing something, by status and due date")


@case("county-dashboard")
def county_dashboard(*, seed):
    from django.apps import apps
    from django.core.cache import cache

    from organizations.models import OrgScopedModel

    county = first_county(seed)
    client = client_for(user_with_role(seed, Role.OFFICE_CLERK, county, "clerk-county"))
    year = datetime.date.today().year
    cache.clear()  # the first request's queries include the traffic lights, whatever an earlier case cached
    # The same year as a custom range: never read from the summary table, whatever an earlier case
    # (or run) left there.
    url = f"/reports/unit/{county.pk}/?period=custom&start={year}-01-01&end={year}-12-31"
    n_queries, _ = _queries(client, url)
    full = median_ms(lambda: client.get(url), repeat=9)
    # The floor: one GROUP BY per path-denormalised table with rows in the county, by child unit.
    level = county.path.count("/") + 1  # split_part index of the child's id
    generated = {"consultations_topic", "consultations_session", "proposals_proposal", "proposals_opinionitem",
                 "members_member", "members_dutyrecord"}
    tables = [m._meta.db_table for m in apps.get_models()
              if issubclass(m, OrgScopedModel) and m._meta.db_table in generated]
    statements = [f"SELECT split_part(org_path, '/', {level}) AS child, count(*) FROM {t} "
                  f"WHERE org_path LIKE %s GROUP BY 1" for t in tables]

    def floor():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, [county.path + "%"])
                cursor.fetchall()

    raw = median_ms(floor, repeat=9)
    ratio = full / raw
    return Result(f"County dashboard /reports/unit/<county>/ ({year}, computed directly, no snapshot)",
                  f"{full:.0f} ms median ({n_queries} queries)",
                  f"{raw:.0f} ms for {len(tables)} raw GROUP BYs", ratio, "≤ 2× raw SQL and < 100 ms",
                  ratio <= 2 and full < 100, f"{_load()}; tables: {', '.join(tables)}")


_SNAPSHOT_BUILT: dict[int, tuple[float, int]] = {}  # year -> (seconds, rows) built by this process


def _build_year_snapshot(year) -> tuple[float, int]:
    """Clear the summary of `year` and build it from nothing, once per bench process: the first
    dashboard case of a run builds it, the others of the same run read that build (never what an
    earlier run left)."""
    import time as _time

    from django.core.cache import cache

    from reports.models import FactPeriod, UnitFact
    from reports.periods import year_period
    from reports.services import facts_refresh

    if year not in _SNAPSHOT_BUILT:
        period = year_period(year)
        FactPeriod.objects.filter(period_start=period.start, period_end=period.end).delete()
        UnitFact.objects.filter(period_start=period.start, period_end=period.end).delete()
        cache.clear()
        started = _time.perf_counter()
        written = facts_refresh(periods=[period]).written
        _SNAPSHOT_BUILT[year] = (_time.perf_counter() - started, written)
    return _SNAPSHOT_BUILT[year]


def _load() -> str:
    return "load average {:.1f} / {:.1f} / {:.1f}".format(*os.getloadavg())


def _dashboard_snapshot(seed, kind: str, label: str):
    """A unit's dashboard read from the summary table that beat refreshes (reports.refresh_facts)
    against the raw GROUP BYs of its records by child unit, measured alternately in one run."""
    from django.core.cache import cache

    county = first_county(seed)
    unit = county if kind == "county" else (
        OrgUnit.objects.filter(path__startswith=county.path, kind=kind, is_active=True).order_by("path").first())
    client = client_for(user_with_role(seed, Role.OFFICE_CLERK, county, "clerk-county"))
    year = datetime.date.today().year
    refresh_s, written = _build_year_snapshot(year)
    cache.clear()
    url = f"/reports/unit/{unit.pk}/?period=year&year={year}"
    n_queries, _ = _queries(client, url)  # the first view renders the tables (then cached)
    n_hit, _ = _queries(client, url)
    cache.clear()
    first = median_ms(lambda: client.get(url), repeat=1, warmup=0)
    level = unit.path.count("/") + 1
    statements = [f"SELECT split_part(org_path, '/', {level}) AS child, count(*) FROM {t} WHERE org_path LIKE %s "
                  "GROUP BY 1" for t in ("consultations_topic", "consultations_session", "proposals_proposal",
                                         "proposals_opinionitem", "members_member", "members_dutyrecord")]

    def floor():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, [unit.path + "%"])
                cursor.fetchall()

    # figure and floor alternately, so both see the same machine load
    fulls, raws = [], []
    for _round in range(5):
        fulls.append(median_ms(lambda: client.get(url), repeat=5, warmup=1))
        raws.append(median_ms(floor, repeat=5, warmup=1))
    fulls.sort()
    raws.sort()
    full, raw = fulls[2], raws[2]
    ratio = full / raw
    from consultations.models import Topic

    topics = Topic.objects.filter(org_path__startswith=unit.path).count()
    return Result(f"{label} /reports/unit/<{kind}>/ ({year}, from the summary table)",
                  f"{full:.0f} ms median ({n_queries} queries on a miss, {n_hit} on a hit)",
                  f"{raw:.0f} ms for 6 raw GROUP BYs", ratio,
                  "≤ 2× raw SQL and < 100 ms", ratio <= 2 and full < 100,
                  f"{unit.name}: {topics:,} topics in its subtree; first view (tables rendered, then cached): "
                  f"{first:.0f} ms; {_load()}; building the summary for {year} (whole province, every metric): "
                  f"{refresh_s:.0f} s, {written:,} rows")


@case("county-dashboard-snapshot")
def county_dashboard_snapshot(*, seed):
    return _dashboard_snapshot(seed, "county", "County dashboard")


@case("township-dashboard-snapshot")
def township_dashboard_snapshot(*, seed):
    return _dashboard_snapshot(seed, "township", "Township dashboard")


@case("community-dashboard-snapshot")
def community_dashboard_snapshot(*, seed):
    return _dashboard_snapshot(seed, "village", "Community dashboard")


def _api_case(*, seed, path, table, order, label):
    root = _root(seed)
    client = client_for(user_with_role(seed, Role.OFFICE_CLERK, root, "province-clerk"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
        approx = cursor.fetchone()[0]
    sql = f"SELECT * FROM {table} WHERE org_path LIKE %s ORDER BY {order} LIMIT 25 OFFSET %s"
    figures, floors, counts = [], [], []
    for page in (1, 400):
        url = f"{path}?page={page}&page_size=25"
        _, sqls = _queries(client, url)
        counts.append(sum(1 for s in sqls if "COUNT(" in s.upper()))
        figures.append(median_ms(lambda url=url: client.get(url), repeat=7, warmup=1))
        floors.append(median_ms(lambda page=page: floor_json(sql, [root.path + "%", (page - 1) * 25]), repeat=7,
                                warmup=1))
    count_url = f"{path}?page=1&count=true"
    with_count = median_ms(lambda: client.get(count_url), repeat=1, warmup=0)
    ratio = max(f / r for f, r in zip(figures, floors, strict=True))
    return Result(label, f"page 1: {figures[0]:.0f} ms, page 400: {figures[1]:.0f} ms median; COUNT(*) queries per page: "
                  f"{max(counts)}", f"{floors[0]:.0f} / {floors[1]:.0f} ms raw SQL", ratio,
                  "no COUNT(*) per page, ≤ 5× raw SQL", max(counts) == 0 and ratio <= 5,
                  f"≈{approx:,} rows in scope; with ?count=true: {with_count:.0f} ms")


@case("api-topics-paginated")
def api_topics(*, seed):
    return _api_case(seed=seed, path="/api/v1/consultation-topics/", table="consultations_topic",
                     order="updated_at DESC, id DESC", label="API /api/v1/consultation-topics/ over the province")


def _search_case(*, seed, url, table, term, label):
    root = _root(seed)
    client = client_for(user_with_role(seed, Role.OFFICE_CLERK, root, "province-clerk"))
    full_url = f"{url}?q={term}&page_size=25"
    n_queries, _ = _queries(client, full_url)
    full = median_ms(lambda: client.get(full_url), repeat=9)
    sql = (f"SELECT id, title FROM {table} WHERE org_path LIKE %s AND UPPER(title) LIKE UPPER(%s) "
           f"ORDER BY id DESC LIMIT 25")
    raw = median_ms(lambda: floor_json(sql, [root.path + "%", f"%{term}%"]), repeat=9)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, [root.path + "%", f"%{term}%"])
        plan = " ".join(r[0] for r in cursor.fetchall())
        cursor.execute(f"SELECT count(*) FROM {table} WHERE UPPER(title) LIKE UPPER(%s)", [f"%{term}%"])
        hits = cursor.fetchone()[0]
    uses_index = "trgm" in plan or "Bitmap Index Scan" in plan
    return Result(label, f"{full:.0f} ms median ({n_queries} queries)", f"{raw:.0f} ms raw SQL", full / raw,
                  "< 200 ms median", full < 200,
                  f"'{term}' matches {hits:,} rows; plan {'uses the trigram index' if uses_index else 'scans'}")


@case("search-topics")
def search_topics(*, seed):
    return _search_case(seed=seed, url="/api/v1/consultation-topics/", table="consultations_topic", term="加装电梯",
                        label="Text search in topics (4 characters, province)")


@case("search-proposals")
def search_proposals(*, seed):
    return _search_case(seed=seed, url="/api/v1/proposals/", table="proposals_proposal", term="充电桩建设",
                        label="Text search in proposals (5 characters, province)")


@case("excel-export-100k")
def excel_export(*, seed):
    """The reports' records export (xlsxwriter constant-memory mode) of ~100,000 duty records."""
    from reports import exports
    from reports.models import ExportJob, ExportKind
    from reports.periods import Period
    from reports.selectors import metric_or_404, records_for

    root = _root(seed)
    user = user_with_role(seed, Role.OFFICE_CLERK, root, "province-clerk")
    metric_key = "members.duty_records"
    metric = metric_or_404(metric_key)
    # The period holding about 100,000 counted records: from 2025-01-01 to the 100,000th record's day.
    start = datetime.date(2025, 1, 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT occurred_on FROM members_dutyrecord WHERE org_path LIKE %s AND occurred_on >= %s "
                       "AND status IN ('auto', 'verified') ORDER BY occurred_on OFFSET 99999 LIMIT 1",
                       [root.path + "%", start])
        row = cursor.fetchone()
    end = row[0] if row else datetime.date(2026, 12, 31)
    period = Period("custom", start, end)
    qs_count = records_for(user=user, unit=root, metric=metric, period=period).count()
    job = ExportJob(org_unit=root, org_path=root.path, requested_by=user, kind=ExportKind.RECORDS,
                    params={"period": {"kind": "custom", "start": start.isoformat(), "end": end.isoformat()},
                            "metric": metric_key, "language": "zh-hans"})
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "out.xlsx")
        started = time.perf_counter()
        exports.build(job, path, progress=lambda *a: None)
        seconds = time.perf_counter() - started  # timed without tracemalloc, which slows Python down
        size = os.path.getsize(path) / 1024 / 1024
        _, peak = peak_memory_mb(lambda: exports.build(job, path, progress=lambda *a: None))
    qs = records_for(user=user, unit=root, metric=metric, period=period)
    started = time.perf_counter()
    sum(1 for _ in qs.iterator(chunk_size=2000))
    floor_s = time.perf_counter() - started
    _, floor_peak = peak_memory_mb(lambda: sum(1 for _ in qs.iterator(chunk_size=2000)))
    return Result(f"Excel export of {qs_count:,} records ({metric_key})", f"{seconds:.1f} s, peak {peak:.1f} MiB, "
                  f"{size:.1f} MiB file", f"{floor_s:.1f} s, {floor_peak:.1f} MiB reading the rows alone",
                  seconds / floor_s, "peak memory < 64 MiB (streamed)", peak < 64)


def _rss_mb() -> float:
    """Peak resident memory of this process so far (MiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(func, *, count_queries: bool = True):
    """(answer, seconds, queries). The query log keeps the last 9,000 queries only: it is emptied
    first, and a step with more (the full rebuild) is not counted — keeping its SQL would also
    inflate the peak memory measured."""
    connection.queries_log.clear()
    started = time.perf_counter()
    if not count_queries:
        answer = func()
        return answer, time.perf_counter() - started, None
    with CaptureQueriesContext(connection) as ctx:
        answer = func()
    return answer, time.perf_counter() - started, len(ctx.captured_queries)


def _one_new_session(seed):
    """One session recorded as held through the service layer (consultations.services.session_record),
    by the county's secretary, for a researched topic of a village of the first county, with three
    of the county's members attending (each gets a duty record)."""
    from consultations import services as consultation_services
    from consultations.models import Topic, TopicStatus
    from members.models import Member

    county = first_county(seed)
    secretary = user_with_role(seed, Role.SECRETARY, county, "secretary-county")
    topic = (Topic.objects.filter(org_path__startswith=county.path, status=TopicStatus.RESEARCHED,
                                  org_unit__kind="village").order_by("pk").first())
    members = list(Member.objects.filter(org_path__startswith=topic.org_path, is_active=True).order_by("pk")[:3]
                   or Member.objects.filter(org_path__startswith=county.path, is_active=True).order_by("pk")[:3])
    today = datetime.date.today()
    status = topic.status
    session = consultation_services.session_record(
        actor=secretary, topic=topic, members=members, hold=True,
        schedule={"scheduled_on": today, "form": "council", "venue": "bench: one new session"},
        held={"residents_count": 12, "steps_done": ["brief", "opinions"], "summary": "bench"})

    def undo():
        from django.contrib.contenttypes.models import ContentType

        from members.models import DutyRecord
        from portal.metrics import records_changed

        for record in DutyRecord.objects.filter(source_type=ContentType.objects.get_for_model(session),
                                                source_id=str(session.pk)):
            record.delete()  # one by one: the summary's and the scores' marks
        session.delete()
        topics = Topic.objects.filter(pk=topic.pk)
        records_changed(topics)
        topics.update(status=status)
        records_changed(topics)

    return undo




def _one_back_entry(seed):
    """One duty record back-entered into last year (an old period) by the county's clerk, through
    members.services.duty_record_submit (verified at once)."""
    from members.models import Member
    from members.services import duty_record_submit

    county = first_county(seed)
    clerk = user_with_role(seed, Role.OFFICE_CLERK, county, "clerk-county")
    member = Member.objects.filter(org_path__startswith=county.path, is_active=True).order_by("pk").first()
    day = datetime.date(datetime.date.today().year - 1, 3, 15)
    record = duty_record_submit(actor=clerk, member=member, kind="research", occurred_on=day,
                                title="bench: back-entered into last year")
    return record.delete


@case("summary-refresh")
def summary_refresh(*, seed):
    """The reports' summary refresh: the repair command's full rebuild of the 6 standard periods
    from an empty table, an idle run right after, then one new session and one back-entered duty
    record in last year, each written through the service layer and followed by a refresh. Load
    average and peak memory at every step (the machine is shared)."""
    from django.core.management import call_command

    from reports.models import FactMark, FactPeriod, UnitFact
    from reports.services import facts_refresh

    steps = []
    FactMark.objects.all().delete()
    FactPeriod.objects.all().delete()
    UnitFact.objects.all().delete()
    load0 = _load()
    _, full_s, _ = _timed(lambda: call_command("rebuild_facts", stdout=_Sink(steps)), count_queries=False)
    rows = UnitFact.objects.count()
    steps.append(f"rebuild {full_s:.1f} s, {rows:,} rows in the table, peak RSS {_rss_mb():.0f} MiB, {load0} → {_load()}")
    load0 = _load()
    idle, idle_s, idle_q = _timed(facts_refresh)
    steps.append(f"idle: {idle_s * 1000:.1f} ms, {idle_q} queries, {idle}; {load0} → {_load()}")
    figures, undo = {}, []
    for label, change in (("one new session", _one_new_session), ("one back-entry into last year", _one_back_entry)):
        load0 = _load()
        back, write_s, write_q = _timed(lambda change=change: change(seed))
        undo.append(back)
        marks = FactMark.objects.count()
        one, one_s, one_q = _timed(facts_refresh)
        figures[label] = (one_s, one)
        steps.append(f"{label}: the write {write_s * 1000:.0f} ms ({write_q} queries, {marks} marks); refresh "
                     f"{one_s * 1000:.0f} ms, {one_q} queries, {one}; peak RSS {_rss_mb():.0f} MiB; {load0} → {_load()}")
    # Leave the data as found (a later case or run must not list the bench's session), and the
    # summary current after the undo.
    for back in reversed(undo):
        back()
    _, undo_s, _ = _timed(facts_refresh)
    steps.append(f"undone, refreshed again in {undo_s * 1000:.0f} ms")
    _SNAPSHOT_BUILT.clear()  # the year's summary is this case's build now, not an earlier case's
    for line in steps:
        print("   ", line, flush=True)
    session_s, session = figures["one new session"]
    back_s, back = figures["one back-entry into last year"]
    ratio = session_s / full_s
    return Result("Summary refresh reports.refresh_facts (6 standard periods, every unit and metric)",
                  f"after one new session: {session_s * 1000:.0f} ms ({session.computed} metric×period computed, "
                  f"{session.written} rows written); after one back-entry into last year: {back_s * 1000:.0f} ms "
                  f"({back.computed} computed, {back.written} written); idle: {idle_s * 1000:.1f} ms "
                  f"({idle.written} rows)",
                  f"full rebuild (rebuild_facts) {full_s:.1f} s ({rows:,} rows)", ratio,
                  "one change ≪ full build; idle writes nothing", idle.written == 0 and ratio < 0.1,
                  " · ".join(steps))


class _Sink:
    """A stdout for call_command that keeps its lines."""

    def __init__(self, lines):
        self.lines = lines

    def write(self, text):
        if text.strip():
            self.lines.append(text.strip())

    def flush(self):
        pass
