"""Reads of the reports: which units a user may report on, and the numbers for a unit, its
children and a period — from the summary table when it covers the period (every standard period
the refresh built: this and last year, quarter and month, and every one built before), else
computed directly (custom ranges).

Dashboards read the summary through `portal.replica.replica_reads()`: from the read replica when
one is configured (DATABASE_REPLICA_URL), else from the one database.

Query budget of a dashboard (constant in the number of children and records): the user's scope,
the unit, its ancestors, its children, the covered period, the oldest pending change, the summary
rows — and, for a custom range, one query per metric computed directly."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from organizations import permissions
from organizations.models import OrgUnit, Role
from organizations.permissions import CLERK_ROLES, PROPOSAL_STAFF_ROLES
from portal.metrics import METRICS, TABLES, Metric, compute_grouped, rate
from portal.replica import replica_reads

from .fingerprints import current_keys
from .models import FactMark, FactPeriod, UnitFact
from .periods import Period

REPORT_ROLES = CLERK_ROLES | PROPOSAL_STAFF_ROLES | {Role.LEADER}
# Who may change what reports are built from (the Word template); leaders only read.
REPORT_EDIT_ROLES = CLERK_ROLES


def can_report(user) -> bool:
    return permissions.has_role(user, REPORT_ROLES)


def report_units_visible_to(*, user) -> QuerySet[OrgUnit]:
    return permissions.units_visible_to(user, REPORT_ROLES).filter(is_active=True)


def report_roots(*, user) -> list[OrgUnit]:
    """The top units of the user's reporting scope (where /reports/ starts)."""
    paths = permissions.scope_paths(user, REPORT_ROLES)
    if paths is None:
        return list(OrgUnit.objects.filter(parent__isnull=True, is_active=True).order_by("sort_order", "name"))
    return list(OrgUnit.objects.filter(path__in=paths, is_active=True).order_by("path"))


def report_unit_or_404(*, user, pk) -> OrgUnit:
    return permissions.get_in_scope_or_404(OrgUnit.objects.filter(is_active=True), user, field="path",
                                           roles=REPORT_ROLES, pk=pk)


def breadcrumb(*, user, unit: OrgUnit) -> list[OrgUnit]:
    """The unit's ancestors the user may report on, top first (one query)."""
    ids = unit.ancestor_ids[:-1]
    if not ids:
        return []
    qs = OrgUnit.objects.filter(pk__in=ids).filter(permissions.scope_q(user, "path", REPORT_ROLES))
    return sorted(qs, key=lambda u: u.depth)


@dataclass
class DashboardUnits:
    unit: OrgUnit
    breadcrumb: list[OrgUnit]  # the ancestors the user may report on, top first
    children: list[OrgUnit]  # active, in the dashboard's order
    parents: set[int]  # the children that have children of their own


def dashboard_units(*, user, pk) -> DashboardUnits:
    """The dashboard's unit (404 outside the user's reporting scope), its ancestors and its
    children with whether each has children — in ONE query (the unit, the units whose path is a
    prefix of its path, the units whose parent it is)."""
    from django.db.models import Exists, F, OuterRef, Q, Subquery

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    from django.db import connections, router

    db = router.db_for_read(OrgUnit)
    if connections[db].vendor == "postgresql":
        rows = _units_on_path_and_below(db, pk)
    else:
        below = OrgUnit.objects.filter(parent=OuterRef("pk"), is_active=True)
        qs = OrgUnit.objects.annotate(has_below=Exists(below))
        qs = qs.annotate(target_path=Subquery(OrgUnit.objects.filter(pk=pk).values("path")[:1])).filter(
            Q(pk=pk) | Q(parent_id=pk, is_active=True) | Q(target_path__startswith=F("path")))
        rows = list(qs.order_by("sort_order", "kind", "name"))
    unit = next((u for u in rows if u.pk == pk and u.is_active), None)
    scope = permissions.scope_paths(user, REPORT_ROLES)

    def visible(u):
        return scope is None or any(u.path.startswith(p) for p in scope)

    if unit is None or not visible(unit):
        raise Http404
    ancestors = set(unit.ancestor_ids[:-1])
    breadcrumb = sorted((u for u in rows if u.pk in ancestors and visible(u)), key=lambda u: u.depth)
    children = [u for u in rows if u.parent_id == pk and u.pk != pk]
    return DashboardUnits(unit, breadcrumb, children, {c.pk for c in children if c.has_below})


_UNITS_SQL: list[str] = []


def _units_on_path_and_below(db: str, pk: int) -> list[OrgUnit]:
    """The units whose ids are on the unit's path ("/1/10/26/": its ancestors and itself) and its
    active children — the primary key and parent indexes find them all — each with `has_below`
    (it has active children), in the dashboard's order. Plain SQL on a cursor: the statement is
    the same for every dashboard, so it is built once, not compiled by the ORM per request."""
    from django.db import connections

    if not _UNITS_SQL:
        table = connections[db].ops.quote_name(OrgUnit._meta.db_table)
        columns = ", ".join(f"u.{connections[db].ops.quote_name(f.column)}" for f in OrgUnit._meta.concrete_fields)
        _UNITS_SQL.append(
            f"SELECT {columns}, EXISTS(SELECT 1 FROM {table} b WHERE b.parent_id = u.id AND b.is_active) "
            f"FROM {table} u WHERE u.id IN (SELECT unnest(string_to_array(btrim((SELECT path FROM {table} "
            f"WHERE id = %s), '/'), '/'))::int UNION ALL SELECT id FROM {table} WHERE parent_id = %s AND is_active) "
            f"ORDER BY u.sort_order ASC, u.kind ASC, u.name ASC")
    names = [f.attname for f in OrgUnit._meta.concrete_fields]
    with connections[db].cursor() as cursor:
        cursor.execute(_UNITS_SQL[0], [pk, pk])
        found = cursor.fetchall()
    units = []
    for row in found:
        unit = OrgUnit.from_db(db, names, row[:-1])
        unit.has_below = row[-1]
        units.append(unit)
    return units


def children_of(unit: OrgUnit) -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(parent=unit, is_active=True).order_by("sort_order", "kind", "name"))


_ORDER: dict[tuple, tuple] = {}  # the sorted registry per language (sections sort translated)


def metrics_in_order(keys=None) -> list[Metric]:
    registry = tuple(METRICS.values())
    cache_key = (get_language(), tuple(map(id, registry)))  # ids: hashing a Metric translates its label
    found = _ORDER.get(cache_key)
    if found is None:
        if len(_ORDER) > 16:  # the registry changes in tests only
            _ORDER.clear()
        # the registry is kept with its order, so the ids in the key stay those objects'
        found = _ORDER[cache_key] = (registry, sorted(registry, key=lambda m: (str(m.section), m.order, m.key)))
    return [m for m in found[1] if keys is None or m.key in keys]


def compute_direct(units, start: datetime.date, end: datetime.date, keys=None) -> dict[str, dict[int, float]]:
    """{metric key: {unit pk: value}} straight from the records: the counts of one source table in
    one grouped query with a FILTER clause per count (portal.metrics.compute_grouped), a rate from
    its two parts when they are computed too."""
    units = list(units)
    metrics = metrics_in_order(keys)
    wanted = {m.key for m in metrics}
    from_parts = [m for m in metrics if m.parts and all(p in wanted for p in m.parts)]
    counted = [m for m in metrics if m not in from_parts]
    values = {key: _clean_values(found, units) for key, found in compute_grouped(counted, units, start, end).items()}
    for m in from_parts:
        values[m.key] = _clean_values(rate(values[m.parts[0]], values[m.parts[1]]), units)
    return {m.key: values[m.key] for m in metrics}


def _clean_values(values: dict, units) -> dict[int, float]:
    return {u.pk: float(values.get(u.pk) or 0) for u in units}


# Marks older than this not yet consumed mean the beat stopped: the numbers are then computed
# directly rather than shown stale.
SNAPSHOT_MAX_AGE = datetime.timedelta(minutes=30)


@dataclass
class Numbers:
    values: dict[str, dict[int, float]]
    as_of: datetime.datetime
    from_snapshot: bool
    version: str = ""  # when the summary rows of the period last changed ("" if not from them)


@dataclass
class SnapshotState:
    """Whether the summary table may answer for a period: the metrics it holds (None: not at all),
    its version (when its rows last changed) and the time it is current up to."""

    covered: frozenset | None
    version: str
    as_of: datetime.datetime


_STATE_SQL: list[str] = []


def _period_state(period: Period):
    """(metrics, changed_at, fingerprints, oldest mark's created_at) of the period's summary, or
    None: one statement, built once (on PostgreSQL a plain cursor, not the ORM's compilation)."""
    from django.db import connections, router
    from django.db.models import Subquery

    db = router.db_for_read(FactPeriod)
    connection = connections[db]
    if connection.vendor != "postgresql":
        first_mark = FactMark.objects.order_by("pk").values("created_at")[:1]
        return (FactPeriod.objects.filter(period_start=period.start, period_end=period.end)
                .annotate(oldest_mark=Subquery(first_mark))
                .values_list("metrics", "changed_at", "fingerprints", "oldest_mark").first())
    if not _STATE_SQL:
        qn = connection.ops.quote_name
        _STATE_SQL.append(
            f"SELECT metrics::text, changed_at, fingerprints::text, (SELECT created_at FROM "
            f"{qn(FactMark._meta.db_table)} ORDER BY id ASC LIMIT 1) FROM {qn(FactPeriod._meta.db_table)} "
            f"WHERE period_start = %s AND period_end = %s ORDER BY id ASC LIMIT 1")
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL[0], [period.start, period.end])
        found = cursor.fetchone()
    if found is None:
        return None
    metrics, changed_at, prints, oldest = found
    return json.loads(metrics), changed_at, json.loads(prints), oldest


@replica_reads()
def snapshot_state(period: Period, *, use_snapshot: bool = True) -> SnapshotState:
    """One query: the covered period with the oldest pending change."""
    as_of = timezone.now()
    covered, version, oldest = None, "", None
    if use_snapshot and period.is_standard:
        found = _period_state(period)
        if found:
            # rows of an older definition of a metric are not shown: it is computed directly
            covered = frozenset(current_keys(found[0], found[2]))
            version = f"{found[1].timestamp():.6f}" if found[1] else "0"
            oldest = found[3]
    if covered:
        if oldest is not None and oldest < timezone.now() - SNAPSHOT_MAX_AGE:
            covered = None  # the refresh stopped: do not show numbers that old
        elif oldest is not None:
            as_of = oldest  # current up to the first change not caught up with yet
    return SnapshotState(covered or None, version if covered else "", as_of)


@replica_reads()
def numbers_for(units, period: Period, keys=None, *, use_snapshot: bool = True,
                state: SnapshotState | None = None) -> Numbers:
    """The numbers for `units` over `period`: from the summary table when it covers the period
    (a missing row is 0), metrics it does not hold yet computed directly. Three queries: the
    covered period, the oldest pending change (both skipped when `state` is given), the rows."""
    units = list(units)
    metrics = metrics_in_order(keys)
    values: dict[str, dict[int, float]] = {}
    if state is None:
        state = snapshot_state(period, use_snapshot=use_snapshot and bool(units))
    covered, version, as_of = state.covered, state.version, state.as_of
    if covered:
        held = [m.key for m in metrics if m.key in covered]
        values = {key: {u.pk: 0.0 for u in units} for key in held}
        rows = UnitFact.objects.filter(period_start=period.start, period_end=period.end, metric__in=held,
                                       org_unit__in=units).values_list("metric", "org_unit_id", "value")
        for key, unit_id, value in rows:
            values[key][unit_id] = value
    missing = [m for m in metrics if m.key not in values]
    if missing:
        values.update(compute_direct(units, period.start, period.end, {m.key for m in missing}))
        as_of = timezone.now()
    return Numbers(values, as_of, from_snapshot=not missing, version=version if not missing else "")


def number_link(metric: Metric, unit: OrgUnit, period: Period) -> str | None:
    """Where a number leads: the domain's own list page, else the records list of the reports."""
    if metric.list_url is not None:
        return metric.list_url(unit, period.start, period.end)
    if metric.records is not None:
        return reverse("reports:records", args=[unit.pk, metric.key]) + "?" + period.query()
    return None


@dataclass
class Cell:
    metric: Metric
    value: float
    unit: OrgUnit
    period: Period
    numerator: float | None = None  # a rate's two counts (Metric.parts), shown on hover and in the API
    denominator: float | None = None

    @property
    def link(self) -> str | None:
        # Computed when rendered: a cached dashboard fragment never pays for thousands of links.
        return number_link(self.metric, self.unit, self.period)

    @property
    def display(self) -> str:
        return format_value(self.value, self.metric)

    @property
    def fraction(self) -> str:
        """"84 / 112" for a rate, "" otherwise."""
        if self.numerator is None:
            return ""
        return f"{format_value(self.numerator, self.metric, plain=True)} / " \
               f"{format_value(self.denominator, self.metric, plain=True)}"

    @property
    def parts_label(self) -> str:
        """"numerator label / denominator label" — what the two counts are."""
        if self.numerator is None:
            return ""
        return f"{METRICS[self.metric.parts[0]].label} / {METRICS[self.metric.parts[1]].label}"

    def parts_dict(self) -> dict:
        if self.numerator is None:
            return {}
        num, den = self.metric.parts
        return {"numerator": {"key": num, "label": str(METRICS[num].label), "value": self.numerator},
                "denominator": {"key": den, "label": str(METRICS[den].label), "value": self.denominator}}


def make_cell(metric: Metric, values: dict[str, dict[int, float]], unit: OrgUnit, period: Period) -> Cell:
    cell = Cell(metric, values[metric.key][unit.pk], unit, period)
    if metric.parts and all(k in values for k in metric.parts):
        cell.numerator = values[metric.parts[0]][unit.pk]
        cell.denominator = values[metric.parts[1]][unit.pk]
    return cell


@dataclass
class TableBlock:
    key: str
    label: str
    columns: list
    rows: list


@dataclass
class Row:
    unit: OrgUnit
    cells: list[Cell]
    has_children: bool = False


@dataclass
class Section:
    label: str
    cells: list[Cell] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)  # the child units, with this section's metrics
    tables: list[TableBlock] = field(default_factory=list)  # ranked lists (portal.metrics.table)


@dataclass
class Dashboard:
    unit: OrgUnit
    period: Period
    metrics: list[Metric]
    sections: list[Section]
    rows: list[Row]
    as_of: datetime.datetime
    from_snapshot: bool
    version: str = ""

    @property
    def cache_key(self) -> str:
        """Identifies the rendered tables (see _cache_key)."""
        return _cache_key(self.unit, self.period, self.version,
                          [(r.unit.pk, r.unit.name, r.has_children) for r in self.rows])

    def as_dict(self) -> dict:
        """The same numbers for the API and the charts."""
        return {
            "unit": {"id": self.unit.pk, "name": self.unit.name, "kind": self.unit.kind},
            "period": {"kind": self.period.kind, "start": self.period.start, "end": self.period.end,
                       "label": self.period.label},
            "as_of": self.as_of,
            "from_snapshot": self.from_snapshot,
            "metrics": [
                {"key": c.metric.key, "label": str(c.metric.label), "section": str(s.label),
                 "unit": str(c.metric.unit), "value": c.value, "link": c.link, **c.parts_dict()}
                for s in self.sections for c in s.cells
            ],
            "children": [
                {"id": r.unit.pk, "name": r.unit.name, "kind": r.unit.kind,
                 "values": {c.metric.key: c.value for c in r.cells},
                 "parts": {c.metric.key: [c.numerator, c.denominator] for c in r.cells if c.numerator is not None}}
                for r in self.rows
            ],
            "tables": [
                {"key": t.key, "label": t.label, "section": str(s.label), "columns": t.columns, "rows": t.rows}
                for s in self.sections for t in s.tables
            ],
        }


def is_percent(metric: Metric) -> bool:
    """A rate's unit is the plain string "%" (rate_metric); other units are translated lazily, and
    comparing one with "%" would translate it — on every cell of a dashboard."""
    return isinstance(metric.unit, str) and metric.unit == "%"


def format_value(value: float, metric: Metric, *, plain: bool = False) -> str:
    if is_percent(metric) and not plain:
        return f"{value:.1f}%"
    return f"{int(value)}" if float(value).is_integer() else f"{value:.2f}"


def with_parts(keys) -> set[str]:
    """The keys and, for a rate among them, its two counts (shown beside it)."""
    keys = set(keys)
    return keys | {part for key in keys if METRICS[key].parts for part in METRICS[key].parts}


@replica_reads()
def _children_shown(unit: OrgUnit) -> tuple[list[OrgUnit], set[int]]:
    """The unit's active children and which of them have children of their own (one query)."""
    from django.db.models import Exists, OuterRef

    below = OrgUnit.objects.filter(parent=OuterRef("pk"), is_active=True)
    children = list(OrgUnit.objects.filter(parent=unit, is_active=True).annotate(has_below=Exists(below))
                    .order_by("sort_order", "kind", "name"))
    return children, {c.pk for c in children if c.has_below}


def _cache_key(unit: OrgUnit, period: Period, version: str, rows) -> str:
    """Identifies the rendered tables (unit, period, summary version, the child units as shown,
    given as (pk, name, has children)); empty when the numbers are computed directly."""
    if not version:
        return ""
    shown = "|".join(f"{pk}:{name}:{int(has)}" for pk, name, has in rows)
    digest = hashlib.sha1(f"{unit.name}|{shown}".encode()).hexdigest()[:16]
    return f"{unit.pk}:{period.query()}:{version}:{digest}"


@replica_reads()
def dashboard_for(*, unit: OrgUnit, period: Period, use_snapshot: bool = True, shown=None,
                  state: SnapshotState | None = None, keys=None) -> Dashboard:
    """The unit's dashboard; with `keys`, only those metrics (and the tables of their sections)."""
    children, parents_with_children = shown or _children_shown(unit)
    metrics = metrics_in_order(keys)
    numbers = numbers_for([unit, *children], period, None if keys is None else with_parts(keys),
                          use_snapshot=use_snapshot, state=state)
    rows = [
        Row(child, [make_cell(m, numbers.values, child, period) for m in metrics],
            has_children=child.pk in parents_with_children)
        for child in children
    ]
    tables_by_section: dict[str, list[TableBlock]] = {}
    shown_sections = {str(m.section) for m in metrics}
    for t in sorted(TABLES.values(), key=lambda t: (t.order, t.key)):
        if keys is not None and str(t.section) not in shown_sections:
            continue
        data = t.func(unit, period.start, period.end)
        tables_by_section.setdefault(str(t.section), []).append(
            TableBlock(t.key, str(t.label), [str(c) for c in data["columns"]], data["rows"]))
    sections = []
    for label, group in groupby(metrics, key=lambda m: str(m.section)):
        keys = {m.key for m in group}
        sections.append(Section(
            label,
            [make_cell(m, numbers.values, unit, period) for m in metrics if m.key in keys],
            [Row(r.unit, [c for c in r.cells if c.metric.key in keys], r.has_children) for r in rows],
            tables_by_section.pop(label, []),
        ))
    for label, blocks in tables_by_section.items():  # a table whose section has no metric
        sections.append(Section(label, tables=blocks))
    return Dashboard(unit, period, metrics, sections, rows, numbers.as_of, numbers.from_snapshot, numbers.version)


class LazyDashboard:
    """The dashboard page's board: what the page header and the cache key need (the children, the
    summary's state: four queries), and the numbers, tables and cells only when the tables are
    rendered — not when their rendered fragment comes from the cache."""

    def __init__(self, *, unit: OrgUnit, period: Period, shown=None):
        self.unit, self.period = unit, period
        self._shown = shown or _children_shown(unit)
        self._state = snapshot_state(period)
        covered = self._state.covered
        self.from_snapshot = bool(covered) and all(m.key in covered for m in metrics_in_order())
        self.version = self._state.version if self.from_snapshot else ""
        self.as_of = self._state.as_of if self.from_snapshot else timezone.now()
        self._board: Dashboard | None = None

    @property
    def cache_key(self) -> str:
        children, parents = self._shown
        return _cache_key(self.unit, self.period, self.version, [(c.pk, c.name, c.pk in parents) for c in children])

    @property
    def board(self) -> Dashboard:
        if self._board is None:
            self._board = dashboard_for(unit=self.unit, period=self.period, shown=self._shown, state=self._state)
            self.as_of = self._board.as_of
        return self._board

    def __getattr__(self, name):  # sections, rows, metrics …: the full board
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.board, name)


BODY_TTL = 600  # as long as the tables' fragments


def body_cache_key(*, board: LazyDashboard, breadcrumb, can_edit_template: bool) -> str:
    """The key of the dashboard page's rendered body, or "" when it is computed directly: the
    tables' key (unit, period, summary version, the unit's and children's names) with all else the
    body shows — the language, the ancestors this viewer may report on (names too), whether they
    may edit the template — and the database and URL prefix. Today's traffic lights are stored
    with the body (`lights_values`): a body showing other lights is rendered again."""
    tables = board.cache_key
    if not tables:
        return ""
    from django.db import connection
    from django.urls import get_script_prefix

    parts = [connection.settings_dict["NAME"], get_script_prefix(), get_language(), tables,
             "|".join(f"{a.pk}:{a.name}" for a in breadcrumb), int(bool(can_edit_template))]
    digest = hashlib.sha1(repr(parts).encode()).hexdigest()
    return f"reports:body:{board.unit.pk}:{digest}"


# The traffic lights are figures of today, not of a period: cached per unit and day for as long as
# the summary's refresh interval (the dashboard says "as of"), so a cached dashboard reads no queue.
LIGHTS_TTL = 300


def lights_cache_key(unit: OrgUnit, today: datetime.date) -> str:
    from django.db import connection

    from portal.traffic import QUEUES

    # the database's name too: two databases sharing one Redis (test workers, staging) never mix
    return (f"reports:lights:{connection.settings_dict['NAME']}:{unit.pk}:{unit.path}:{today.isoformat()}:"
            f"{','.join(sorted(QUEUES))}")


def lights_values(lights) -> tuple:
    """What the page shows of the lights (their labels follow the language, part of the body's key)."""
    return tuple((q.kind, q.red, q.yellow, q.green) for q in lights or ())


_UNREAD = object()


def deadline_lights(unit: OrgUnit, *, today: datetime.date | None = None, cached=_UNREAD):
    """The unit's open deadlines today by traffic light, per queue (portal.traffic.light_counts):
    one query for every queue, and one for the units' yellow windows when an item is near —
    then from the cache for LIGHTS_TTL seconds. `cached`: what the caller already read from the
    cache under `lights_cache_key` (None: nothing)."""
    from django.core.cache import cache

    from organizations.traffic import TrafficDays
    from portal.traffic import QUEUES, QueueLights, light_counts

    today = today or timezone.localdate()
    key = lights_cache_key(unit, today)
    found = cache.get(key) if cached is _UNREAD else cached
    if found is not None:
        return [QueueLights(kind, QUEUES[kind].label, red, yellow, green) for kind, red, yellow, green in found]
    loaded: list[TrafficDays] = []

    def days_for_path(org_path: str) -> int:
        if not loaded:
            loaded.append(TrafficDays(today.year))
        return loaded[0].for_path(org_path)

    with replica_reads():
        lights = light_counts([unit.path], today=today, days_for_path=days_for_path)
    cache.set(key, [(q.kind, q.red, q.yellow, q.green) for q in lights], LIGHTS_TTL)
    return lights


def metric_or_404(key: str) -> Metric:
    metric = METRICS.get(key)
    if metric is None or metric.records is None:
        raise Http404
    return metric


def records_for(*, user, unit: OrgUnit, metric: Metric, period: Period) -> QuerySet:
    """The records behind one number, limited to the user's scope as well (defence in depth)."""
    qs = metric.records(unit, period.start, period.end)
    model = qs.model
    if any(f.name == "org_path" for f in model._meta.get_fields()):
        qs = qs.filter(permissions.scope_q(user, "org_path", REPORT_ROLES))
    if any(f.name == "org_unit" for f in model._meta.get_fields()):
        qs = qs.select_related("org_unit")
    return qs
