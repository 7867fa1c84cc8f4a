"""Reads of the reports: which units a user may report on, and the numbers for a unit, its
children and a period — from the summary table when it covers the period (every standard period
the refresh built: this and last year, quarter and month, and every one built before), else
computed directly (custom ranges).

Query budget of a dashboard (constant in the number of children and records): the user's scope,
the unit, its ancestors, its children, the covered period, the oldest pending change, the summary
rows — and, for a custom range, one query per metric computed directly."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from organizations import permissions
from organizations.models import OrgUnit, Role
from organizations.permissions import CLERK_ROLES, PROPOSAL_STAFF_ROLES
from portal.metrics import METRICS, TABLES, Metric

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


def children_of(unit: OrgUnit) -> list[OrgUnit]:
    return list(OrgUnit.objects.filter(parent=unit, is_active=True).order_by("sort_order", "kind", "name"))


def metrics_in_order(keys=None) -> list[Metric]:
    items = [m for m in METRICS.values() if keys is None or m.key in keys]
    return sorted(items, key=lambda m: (str(m.section), m.order, m.key))


def compute_direct(units, start: datetime.date, end: datetime.date, keys=None) -> dict[str, dict[int, float]]:
    """{metric key: {unit pk: value}} straight from the records."""
    units = list(units)
    return {m.key: _clean_values(m.func(units, start, end), units) for m in metrics_in_order(keys)}


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


def numbers_for(units, period: Period, keys=None, *, use_snapshot: bool = True) -> Numbers:
    """The numbers for `units` over `period`: from the summary table when it covers the period
    (a missing row is 0), metrics it does not hold yet computed directly. Three queries: the
    covered period, the oldest pending change, the rows."""
    units = list(units)
    metrics = metrics_in_order(keys)
    values: dict[str, dict[int, float]] = {}
    as_of = timezone.now()
    covered, version = None, ""
    if use_snapshot and period.is_standard and units:
        found = (FactPeriod.objects.filter(period_start=period.start, period_end=period.end)
                 .values_list("metrics", "changed_at", "fingerprints").first())
        if found:
            # rows of an older definition of a metric are not shown: it is computed directly
            covered = current_keys(found[0], found[2])
            version = f"{found[1].timestamp():.6f}" if found[1] else "0"
    if covered:
        oldest = FactMark.objects.order_by("pk").values_list("created_at", flat=True).first()
        if oldest is not None and oldest < timezone.now() - SNAPSHOT_MAX_AGE:
            covered = None  # the refresh stopped: do not show numbers that old
        elif oldest is not None:
            as_of = oldest  # current up to the first change not caught up with yet
    if covered:
        held = [m.key for m in metrics if m.key in set(covered)]
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
        """Identifies the rendered tables (unit, period, summary version, the child units as
        shown); empty when the numbers were computed directly (nothing to reuse)."""
        if not self.version:
            return ""
        shown = "|".join(f"{r.unit.pk}:{r.unit.name}:{int(r.has_children)}" for r in self.rows)
        digest = hashlib.sha1(f"{self.unit.name}|{shown}".encode()).hexdigest()[:16]
        return f"{self.unit.pk}:{self.period.query()}:{self.version}:{digest}"

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


def format_value(value: float, metric: Metric, *, plain: bool = False) -> str:
    if str(metric.unit) == "%" and not plain:
        return f"{value:.1f}%"
    return f"{int(value)}" if float(value).is_integer() else f"{value:.2f}"


def with_parts(keys) -> set[str]:
    """The keys and, for a rate among them, its two counts (shown beside it)."""
    keys = set(keys)
    return keys | {part for key in keys if METRICS[key].parts for part in METRICS[key].parts}


def dashboard_for(*, unit: OrgUnit, period: Period, use_snapshot: bool = True, keys=None) -> Dashboard:
    """The unit's dashboard; with `keys`, only those metrics (and the tables of their sections)."""
    children = children_of(unit)
    parents_with_children = set(
        OrgUnit.objects.filter(parent__in=children, is_active=True).values_list("parent_id", flat=True).distinct()
    ) if children else set()
    metrics = metrics_in_order(keys)
    numbers = numbers_for([unit, *children], period, None if keys is None else with_parts(keys),
                          use_snapshot=use_snapshot)
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
