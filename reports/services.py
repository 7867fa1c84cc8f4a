"""Writes of the reports: snapshot refresh, export jobs, the Word template, monthly e-mails."""

from __future__ import annotations

import datetime
import hashlib
import itertools
import json
import logging
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from organizations import permissions
from organizations.models import OrgUnit
from portal.audit import audit_log
from portal.errors import GuardFailed
from portal.metrics import METRICS, compute_grouped, sharing, units_on_path

from . import marks as marks_module
from .fingerprints import current_keys, fingerprint
from .models import (
    ACTIVE_STATUSES,
    ExportJob,
    ExportKind,
    FactMark,
    FactPeriod,
    ReportTemplate,
    UnitFact,
)
from .periods import Period, standard_periods
from .selectors import REPORT_EDIT_ROLES, REPORT_ROLES
from .workflows import EXPORT

log = logging.getLogger(__name__)


# --- Summary tables --------------------------------------------------------------------------

# Every active unit has summary rows (zeros are not stored, so a quiet village costs nothing): a
# dashboard of any unit and standard period reads the table, whatever kinds its children are.
WRITE_CHUNK = 500  # rows per write transaction: the embedded SQLite never waits long on the refresh
# After a build that wrote this many rows the table's planner statistics are renewed at once: with
# the statistics of the table before a full build (at 1,000,000 topics: empty, then 1.6 million
# rows), PostgreSQL read a period's stored values through the period index alone — every one of the
# year's 376,706 rows for 5 units' values, ~100 ms per read, several per refresh — until autovacuum
# got round to it.
ANALYZE_AFTER_ROWS = 10_000
# Beyond this many subtrees or paths marked, a refresh reads every active unit's path in one query
# rather than sending that many OR'd prefixes (a bulk load; PostgreSQL plans 18,000 OR'd LIKEs badly).
MANY_MARKED_ROOTS = 50
MANY_MARKED_PATHS = 5_000


@dataclass
class RefreshResult:
    """What one refresh did: marks consumed, metric × period computations, rows written."""

    marks: int = 0
    computed: int = 0
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    periods_built: int = 0

    @property
    def written(self) -> int:
        return self.inserted + self.updated + self.deleted

    def __str__(self):
        return (f"{self.marks} marks, {self.periods_built} periods built, {self.computed} metric×period computed, "
                f"{self.inserted} rows inserted, {self.updated} updated, {self.deleted} deleted")


def _active_units() -> list[OrgUnit]:
    # Whole rows: metrics read kind/is_active (loading only pk and path cost one query per unit).
    return list(OrgUnit.objects.filter(is_active=True).order_by("path"))


def _write_changes(period: Period, wanted: dict[str, dict[int, float]], paths: dict[int, str],
                   result: RefreshResult) -> None:
    """A build's writes: compare the computed values with the period's stored rows and write only
    the differences, in short transactions. `wanted` is {metric: {unit pk: value}} holding the
    non-zero values only; a stored row of a metric of `wanted` not in it (a zero, or a unit no
    longer active) is deleted. The rows to insert are kept as tuples and made into model
    instances one chunk at a time (at province scale a year is ~376,000 rows: as instances, most
    of the full rebuild's peak memory)."""
    if not wanted:
        return
    now = timezone.now()
    stored = UnitFact.objects.filter(period_start=period.start, period_end=period.end, metric__in=list(wanted))
    existing = {(key, unit_id): (pk, value) for pk, key, unit_id, value
                in stored.values_list("pk", "metric", "org_unit_id", "value").iterator(chunk_size=10_000)}
    inserts, updates = [], []
    for key, per_unit in wanted.items():
        for unit_id, value in per_unit.items():
            old = existing.pop((key, unit_id), None)
            if old is None:
                inserts.append((unit_id, key, value))
            elif old[1] != value:
                updates.append((old[0], value))
    deletes = [pk for pk, _value in existing.values()]  # zeros now, and units no longer active
    del existing
    for i in range(0, len(inserts), WRITE_CHUNK):
        with transaction.atomic():
            UnitFact.objects.bulk_create([
                UnitFact(org_unit_id=unit_id, org_path=paths[unit_id], metric=key, period_start=period.start,
                         period_end=period.end, value=value, computed_at=now)
                for unit_id, key, value in inserts[i:i + WRITE_CHUNK]])
    for i in range(0, len(updates), WRITE_CHUNK):
        with transaction.atomic():
            _update_values(updates[i:i + WRITE_CHUNK], now)
    for i in range(0, len(deletes), WRITE_CHUNK):
        with transaction.atomic():
            UnitFact.objects.filter(pk__in=deletes[i:i + WRITE_CHUNK]).delete()
    result.inserted += len(inserts)
    result.updated += len(updates)
    result.deleted += len(deletes)
    if inserts or updates or deletes:  # rendered dashboards of the period are out of date
        FactPeriod.objects.filter(period_start=period.start, period_end=period.end).update(changed_at=now)


def _compute(period: Period, work: dict[str, set[int]], units_by_pk, result: RefreshResult, *,
             nonzero: bool = False):
    """The metrics of `work` for their units; the metrics over the same units computed together
    (the counts of one source table in one grouped query: portal.metrics.compute_grouped).
    `nonzero`: keep the non-zero values only (a build: 94 metrics × every unit, mostly zeros), each
    metric's own answer dropped as soon as it is copied."""
    wanted = {}
    by_units: dict[tuple[int, ...], list] = {}
    for key, unit_ids in work.items():
        metric = METRICS.get(key)
        if metric is None or not unit_ids:
            continue
        by_units.setdefault(tuple(sorted(unit_ids)), []).append(metric)
    for unit_ids, metrics in by_units.items():
        units = [units_by_pk[pk] for pk in unit_ids]
        answers = compute_grouped(metrics, units, period.start, period.end)
        for key in list(answers):
            values = answers.pop(key)
            if nonzero:
                wanted[key] = {pk: float(v) for pk, v in values.items() if v and pk in units_by_pk}
            else:
                wanted[key] = {u.pk: float(values.get(u.pk) or 0) for u in units}
            result.computed += 1
    return wanted


def _build(period: Period, keys: list[str], units: list[OrgUnit], result: RefreshResult) -> None:
    """Compute `keys` for every unit over `period`, write the differences and record the period
    as covered with these metrics."""
    units_by_pk = {u.pk: u for u in units}
    all_ids = set(units_by_pk)
    wanted = _compute(period, dict.fromkeys(keys, all_ids), units_by_pk, result, nonzero=True)
    _write_changes(period, wanted, {u.pk: u.path for u in units}, result)
    del wanted
    with transaction.atomic():
        row, created = FactPeriod.objects.select_for_update().get_or_create(
            period_start=period.start, period_end=period.end,
            defaults={"kind": period.kind, "metrics": sorted(keys), "built_at": timezone.now(),
                      "changed_at": timezone.now(), "fingerprints": {k: fingerprint(k) for k in keys}})
        if not created:
            row.metrics = sorted(set(row.metrics) | set(keys))
            row.fingerprints = {**row.fingerprints, **{k: fingerprint(k) for k in keys}}
            row.built_at = row.changed_at = timezone.now()
            row.save(update_fields=["metrics", "fingerprints", "built_at", "changed_at"])
    result.periods_built += 1


def _build_all(periods: list[Period], keys_of, units: list[OrgUnit], result: RefreshResult) -> None:
    """Build `periods` (each with keys_of(period)) grouped by their last day: the metrics share the
    work of one period end (members' scores up to that day) and it is forgotten before the next
    end's — a full rebuild's 6 standard periods have 4 ends, and keeping all four sets of 50,000
    members' scores was most of its 930 MiB peak at province scale."""
    for _end, group in itertools.groupby(sorted(periods, key=lambda p: (p.end, p.start)), key=lambda p: p.end):
        with sharing(fresh=True):
            for period in group:
                _build(period, keys_of(period), units, result)


def _covered() -> list[tuple[Period, set[str]]]:
    """The periods built and the metrics each holds by their current definition (a metric whose
    definition changed since is not covered: the refresh builds it again)."""
    return [(Period(kind, start, end), current_keys(keys, prints)) for kind, start, end, keys, prints
            in FactPeriod.objects.values_list("kind", "period_start", "period_end", "metrics", "fingerprints")]


def _metrics_by_source() -> tuple[dict[str, set[str]], set[str]]:
    by_source: dict[str, set[str]] = {}
    undeclared = set()
    for m in METRICS.values():
        if m.sources is None:
            undeclared.add(m.key)
        for src in m.sources or ():
            by_source.setdefault(src.model, set()).add(m.key)
    return by_source, undeclared


def _periods_q(periods) -> Q:
    q = Q(pk__in=[])
    for period in periods:
        q |= Q(period_start=period.start, period_end=period.end)
    return q


def _stored(periods, keys, unit_ids) -> dict[tuple, tuple[int, float]]:
    """{(period start, period end, metric, unit id): (row id, stored value)} of the periods, in ONE
    query whatever the number of periods, metrics and units (a missing row is 0)."""
    if not periods or not keys or not unit_ids:
        return {}
    rows = (UnitFact.objects.filter(_periods_q(periods), metric__in=sorted(keys), org_unit_id__in=sorted(unit_ids))
            .values_list("pk", "period_start", "period_end", "metric", "org_unit_id", "value"))
    return {(start, end, key, unit_id): (pk, value) for pk, start, end, key, unit_id, value in rows}


class _StoredOf(dict):
    """The stored values of one period: {(metric, unit id): value} (0 when there is no row)."""

    def __init__(self, stored, period: Period):
        super().__init__()
        self.stored, self.period = stored, period

    def __missing__(self, cell):
        found = self.stored.get((self.period.start, self.period.end, *cell))
        return found[1] if found else 0.0


@dataclass
class _Work:
    """What the marks ask of one metric over one period: `direct` units are recomputed over their
    whole subtree; `leaves` (additive metrics only) are the deepest units a write touched — they are
    recomputed (a narrow subtree) and their ancestors move by the same difference."""

    direct: set = field(default_factory=set)
    leaves: set = field(default_factory=set)
    recount: bool = False  # a distinct count some write did not describe row by row: counted again


def _roll_up(period: Period, per_metric: dict[str, _Work], units_by_pk, chains, stored, result: RefreshResult):
    """Additive metrics: recompute the touched units, then every ancestor = its stored value + the
    differences of the touched units below it (a touched unit's own value already holds the
    differences of the touched units under it, so the walk up stops there). The narrow
    recomputation is the only query (the stored values are read once for the whole refresh)."""
    touched_by_key = {key: work.direct | work.leaves for key, work in per_metric.items()}
    wanted = _compute(period, touched_by_key, units_by_pk, result)
    for key, touched in touched_by_key.items():
        values = wanted[key]
        moved: dict[int, float] = {}
        for pk in touched:
            delta = values[pk] - stored[(key, pk)]
            if not delta:
                continue
            for ancestor in reversed(chains[pk][:-1]):  # nearest first
                if ancestor in touched:
                    break
                moved[ancestor] = moved.get(ancestor, 0.0) + delta
        for ancestor, delta in moved.items():
            # counts: exact in floats; round away the noise of adding non-integral sums
            values[ancestor] = round(stored[(key, ancestor)] + delta, 6)
    return wanted


def _rates(per_metric: dict[str, set[int]], known: dict[str, dict[int, float]], stored,
           result: RefreshResult) -> dict[str, dict[int, float]]:
    """Rates from their parts' new values (or the stored ones), exactly as rate() computes them."""
    from portal.metrics import rate

    wanted = {}
    for key, unit_ids in per_metric.items():
        num_key, den_key = METRICS[key].parts

        def part(k, pk):
            found = known.get(k, {})
            return found[pk] if pk in found else stored[(k, pk)]

        wanted[key] = rate({pk: part(num_key, pk) for pk in unit_ids}, {pk: part(den_key, pk) for pk in unit_ids})
        result.computed += 1
    return wanted


class _Chains(dict):
    """unit id -> the ids of the active units on its path (top first, itself last), on demand."""

    def __init__(self, paths, by_path):
        super().__init__()
        self.paths, self.by_path = paths, by_path

    def __missing__(self, pk):
        self[pk] = units_on_path(self.paths[pk], self.by_path)
        return self[pk]


def _load_units(ids) -> dict[int, OrgUnit]:
    # Whole rows: metrics read kind/is_active (loading only pk and path cost one query per unit).
    return {u.pk: u for u in OrgUnit.objects.filter(pk__in=list(ids))} if ids else {}


def _prefixes(path: str) -> list[str]:
    """"/1/10/100/" -> ["/1/", "/1/10/", "/1/10/100/"]: the paths of a unit's ancestors and itself."""
    found, prefix = [], "/"
    for part in path.strip("/").split("/") if path else ():
        prefix += part + "/"
        found.append(prefix)
    return found


def _marked_units(marks) -> dict[int, str]:
    """{id: path} of the active units the marks reach — the units on each marked path (ancestors and
    itself) and, for a mark that reaches the subtree, every unit below it — in one query. Not the
    whole tree's paths: at province scale that was 18,871 rows read for a change at one village."""
    on_paths: set[str] = set()
    roots: set[str] = set()
    for _source, path, _day, subtree, *_flags in marks:
        on_paths.update(_prefixes(path))
        if subtree and path:
            roots.add(path)
    if not on_paths:
        return {}
    roots = {r for r in roots if not any(r != o and r.startswith(o) for o in roots)}  # outermost only
    active = OrgUnit.objects.filter(is_active=True)
    if len(roots) > MANY_MARKED_ROOTS or len(on_paths) > MANY_MARKED_PATHS:  # a bulk load: the whole tree
        return dict(active.values_list("pk", "path"))
    reach = Q(path__in=sorted(on_paths))
    for root in sorted(roots):
        reach |= Q(path__startswith=root)
    return dict(active.filter(reach).values_list("pk", "path"))


def _update_values(rows: list[tuple[int, float]], now) -> None:
    """Set `value` of the rows [(id, value)] in ONE statement (PostgreSQL: UPDATE … FROM VALUES;
    elsewhere bulk_update's CASE) — not one UPDATE per row."""
    if not rows:
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        UnitFact.objects.bulk_update([UnitFact(pk=pk, value=value, computed_at=now) for pk, value in rows],
                                     ["value", "computed_at"])
        return
    table = connection.ops.quote_name(UnitFact._meta.db_table)
    values = ", ".join(["(%s::bigint, %s::double precision)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE {table} AS f SET "value" = v.value, "computed_at" = %s '
                       f'FROM (VALUES {values}) AS v(id, value) WHERE f."id" = v.id',
                       [now, *(x for row in rows for x in row)])


def _write_marked(wanted: dict[Period, dict[str, dict[int, float]]], stored, paths: dict[int, str],
                  result: RefreshResult) -> None:
    """Write the differences of every period between the values computed and the stored ones read
    before: the inserts, the updates and the deletes each in one statement (per WRITE_CHUNK rows),
    and the periods whose rows changed marked changed in one UPDATE."""
    now = timezone.now()
    inserts, updates, deletes, changed = [], [], [], []
    for period, per_metric in wanted.items():
        before = len(inserts) + len(updates) + len(deletes)
        for key, per_unit in per_metric.items():
            for unit_id, value in per_unit.items():
                old = stored.get((period.start, period.end, key, unit_id))
                if old is None:
                    if value:
                        inserts.append(UnitFact(org_unit_id=unit_id, org_path=paths[unit_id], metric=key,
                                                period_start=period.start, period_end=period.end, value=value,
                                                computed_at=now))
                elif not value:
                    deletes.append(old[0])
                elif old[1] != value:
                    updates.append((old[0], value))
        if len(inserts) + len(updates) + len(deletes) > before:
            changed.append(period)
    for i in range(0, len(inserts), WRITE_CHUNK):
        UnitFact.objects.bulk_create(inserts[i:i + WRITE_CHUNK])
    for i in range(0, len(updates), WRITE_CHUNK):
        _update_values(updates[i:i + WRITE_CHUNK], now)
    for i in range(0, len(deletes), WRITE_CHUNK):
        UnitFact.objects.filter(pk__in=deletes[i:i + WRITE_CHUNK]).delete()
    result.inserted += len(inserts)
    result.updated += len(updates)
    result.deleted += len(deletes)
    if changed:  # rendered dashboards of these periods are out of date
        FactPeriod.objects.filter(_periods_q(changed)).update(changed_at=now)


@dataclass(frozen=True)
class _Signed:
    """A counted record a write removed (sign -1) or added (+1), for a distinct count (FactMark.sign)."""

    pk: int
    source: str
    path: str
    day: datetime.date
    who: int
    sign: int


def _move_distinct(cells: dict[tuple[Period, str], set[int]], signed: list[_Signed], paths: dict[int, str],
                   stored) -> dict[tuple[Period, str], dict[int, float]]:
    """The new values of distinct counts (portal.metrics.Distinct) at the units of `cells`
    {(period, metric): units}, from their stored values and the `who` the writes touched, without
    counting any subtree again. A `who` counts in a unit's subtree when it has a counted record
    there in the period: now (its records, read by `who`: a member's own few) and at the last
    refresh (now, minus the records the signed marks say arrived, plus those that left). The unit
    moves by the `who` that started or stopped counting there.

    A cell is left out (and counted again by the caller) when the records read may hold a change
    the marks read do not describe: a mark of the same `who` written meanwhile, or a count that
    would have been negative."""
    from django.apps import apps

    out: dict[tuple[Period, str], dict[int, float]] = {}
    todo: dict = defaultdict(list)
    for (period, key), units in cells.items():
        todo[METRICS[key].distinct].append((period, key, units))
    for spec, spec_cells in todo.items():
        marks = [m for m in signed if m.source == spec.model]
        who = sorted({m.who for m in marks})
        rows = []
        if who:
            field_name, values = spec.counted
            model = apps.get_model(spec.model)
            lo, hi = min(p.start for p, _k, _u in spec_cells), max(p.end for p, _k, _u in spec_cells)
            rows = [(w, path, marks_module._day(day)) for w, path, day in model._default_manager.filter(
                **{f"{spec.who}__in": who, f"{field_name}__in": list(values), f"{spec.day}__range": (lo, hi)},
            ).values_list(spec.who, spec.path, spec.day)]
            read = {m.pk for m in marks}
            now = set(FactMark.objects.filter(source=spec.model, who__in=who).exclude(sign=0).values_list("pk", flat=True))
            if now - read:  # written since the marks were read: the records may hold it already
                continue
        for period, key, units in spec_cells:
            by_path = {paths[pk]: pk for pk in units}
            count: dict[tuple[int, int], int] = defaultdict(int)
            net: dict[tuple[int, int], int] = defaultdict(int)
            for w, path, day in rows:
                if period.start <= day <= period.end:
                    for pk in units_on_path(path, by_path):
                        count[(w, pk)] += 1
            for m in marks:
                if period.start <= m.day <= period.end:
                    for pk in units_on_path(m.path, by_path):
                        net[(m.who, pk)] += m.sign
            moves: dict[int, int] = defaultdict(int)
            consistent = True
            for cell in set(count) | set(net):
                before = count[cell] - net[cell]
                if before < 0:
                    consistent = False
                    break
                moves[cell[1]] += (count[cell] > 0) - (before > 0)
            if consistent:
                out[(period, key)] = {pk: _stored_value(stored, period, key, pk) + moves[pk] for pk in units}
    return out


def _stored_value(stored, period: Period, key: str, pk: int) -> float:
    found = stored.get((period.start, period.end, key, pk))
    return found[1] if found else 0.0


def _apply_marks(upto: int, covered, result: RefreshResult, skip: set) -> None:
    """Recompute the metric × period × unit cells the marks up to id `upto` touched: additive
    metrics at the touched units only, rolled up to their ancestors by difference; rates from
    their parts; the rest (distinct counts, structure figures, and every metric after a move or a
    change inherited down the tree) over the subtrees of the units on the marked paths.

    The number of queries does not grow with the number of metrics, periods or units touched
    (beyond the metric computations themselves): the units on the marked paths are read in one
    query, the stored values of every touched period in one, and the differences are written in
    one INSERT, one UPDATE and one DELETE at most."""
    marks = list(FactMark.objects.filter(pk__lte=upto, sign=0)
                 .values_list("source", "path", "day", "subtree", "bulk").distinct())
    # the counted records each write removed or added, for the distinct counts (not deduplicated:
    # two records of one member at one place and day are two)
    signed = [_Signed(*row) for row in FactMark.objects.filter(pk__lte=upto).exclude(sign=0)
              .values_list("pk", "source", "path", "day", "who", "sign")]
    marks += {(m.source, m.path, m.day, False, False) for m in signed}
    result.marks = len(marks)
    if not marks:
        return
    paths = _marked_units(marks)  # (id, path) of the active units the marks reach, nothing else
    by_path = {path: pk for pk, path in paths.items()}
    chains = _Chains(paths, by_path)  # unit id -> ids of the units on its path, top first, itself last
    by_source, undeclared = _metrics_by_source()
    work: dict[Period, dict[str, _Work]] = {}
    for source, path, day, subtree, bulk in marks:
        every_metric = source == marks_module.ALL_SOURCES
        keys = set(METRICS) if every_metric else by_source.get(source, set()) | undeclared
        on_path = units_on_path(path, by_path)
        unit_ids = set(on_path)
        if subtree:
            unit_ids |= {pk for pk, p in paths.items() if p.startswith(path)}
        if not keys or not unit_ids:
            continue
        narrow = not (every_metric or subtree)
        for period, built in covered:
            if period in skip:
                continue
            for key in keys & built:
                metric = METRICS[key]
                if day is not None:
                    if metric.cumulative:
                        if not (day.year == period.end.year and day <= period.end):
                            continue
                    elif not period.start <= day <= period.end:
                        continue
                cell = work.setdefault(period, {}).setdefault(key, _Work())
                if narrow and metric.additive:
                    cell.leaves.add(on_path[-1])
                else:
                    cell.direct |= unit_ids
                if metric.distinct is not None and (not narrow or bulk or metric.cumulative
                                                    or source != metric.distinct.model):
                    cell.recount = True
    if not work:
        return
    built_keys = dict(covered)
    units_by_pk = _load_units({pk for per_metric in work.values() for w in per_metric.values()
                               for pk in w.direct | w.leaves})
    plans, keys, unit_ids = {}, set(), set()
    for period, per_metric in work.items():
        additive = {k: w for k, w in per_metric.items() if METRICS[k].additive}
        rates = {k: w.direct | w.leaves for k, w in per_metric.items()
                 if not METRICS[k].additive and _from_parts(k, built_keys[period])}
        others = {k: w.direct for k, w in per_metric.items() if k not in additive and k not in rates}
        exact = {k: others.pop(k) for k in list(others) if METRICS[k].distinct is not None and not per_metric[k].recount}
        plans[period] = (additive, rates, others, exact)
        keys |= set(per_metric) | {part for k in rates for part in METRICS[k].parts}
        for w in per_metric.values():
            for pk in w.direct | w.leaves:
                unit_ids.update(chains[pk])
    with transaction.atomic():
        # One refresh at a time per period: the roll-up reads stored values and writes them back.
        # Every touched period locked in one query, always in the same order.
        list(FactPeriod.objects.select_for_update().filter(_periods_q(plans)).order_by("pk").values_list("pk"))
        stored = _stored(list(plans), keys, unit_ids)
        moved = _move_distinct({(period, key): units for period, plan in plans.items() for key, units in plan[3].items()},
                               signed, paths, stored)
        wanted: dict[Period, dict[str, dict[int, float]]] = {}
        for period, (additive, rates, others, exact) in plans.items():
            mine = _StoredOf(stored, period)
            values = _roll_up(period, additive, units_by_pk, chains, mine, result) if additive else {}
            for key, units in exact.items():
                if (period, key) in moved:
                    values[key] = moved[(period, key)]
                    result.computed += 1
                else:  # not described exactly (see _move_distinct): counted again
                    others[key] = units
            values.update(_compute(period, others, units_by_pk, result))
            if rates:
                values.update(_rates(rates, values, mine, result))
            wanted[period] = values
        _write_marked(wanted, stored, paths, result)


def _from_parts(key: str, built: set[str]) -> bool:
    """A rate whose parts the summary holds for the period: computed from them, not the records."""
    parts = METRICS[key].parts
    return bool(parts) and all(p in built for p in parts)


def _analyze_after_build(result: RefreshResult) -> None:
    from django.db import connection

    if result.written >= ANALYZE_AFTER_ROWS and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {UnitFact._meta.db_table}")


@sharing()
def facts_refresh(*, periods: list[Period] | None = None, keys=None, today=None) -> RefreshResult:
    """Keep the summary table current, in proportion to what changed: build the standard periods
    (or `periods`) not covered yet, then recompute only the cells the writes since the last run
    marked, and write only the rows whose value changed. With nothing marked it reads two tiny
    tables and writes nothing."""
    result = RefreshResult()
    upto = FactMark.objects.aggregate(n=Max("pk"))["n"]  # marks after this wait for the next run
    wanted_keys = sorted(keys if keys is not None else METRICS)
    covered = dict(_covered())
    built = set()
    targets = periods or standard_periods(today or timezone.localdate())
    missing_any = [p for p in targets if not set(wanted_keys) <= covered.get(p, set())]
    if missing_any:
        _build_all(missing_any, lambda period: [k for k in wanted_keys if k not in covered.get(period, set())],
                   _active_units(), result)
        built.update(missing_any)
        _analyze_after_build(result)
        covered = dict(_covered())
    if upto is not None:
        _apply_marks(upto, list(covered.items()), result, skip=built)
        FactMark.objects.filter(pk__lte=upto).delete()
    if result.written or result.marks:
        log.info("summary refresh: %s", result)
    return result


@sharing()
def facts_rebuild(*, periods: list[Period] | None = None) -> RefreshResult:
    """Repairs: recompute every metric for every unit over every covered period (and the standard
    ones), compare and write the differences; drops rows of metrics no longer registered."""
    result = RefreshResult()
    upto = FactMark.objects.aggregate(n=Max("pk"))["n"]
    targets = list(dict.fromkeys([*(periods or []), *(p for p, _k in _covered()),
                                  *standard_periods(timezone.localdate())]))
    _build_all(targets, lambda period: sorted(METRICS), _active_units(), result)
    with transaction.atomic():
        result.deleted += UnitFact.objects.exclude(metric__in=list(METRICS)).delete()[0]
        for row in FactPeriod.objects.select_for_update():
            row.metrics = sorted(set(row.metrics) & set(METRICS))
            row.save(update_fields=["metrics"])
    if upto is not None:
        FactMark.objects.filter(pk__lte=upto).delete()
    _analyze_after_build(result)
    return result


# --- Export jobs ---------------------------------------------------------------------------

STALE_AFTER = datetime.timedelta(minutes=30)
KEEP_FILES = datetime.timedelta(days=7)


def exports_purge(*, now=None) -> int:
    """Delete export jobs (and their files) older than a week; run daily by beat."""
    now = now or timezone.now()
    old = list(ExportJob.objects.filter(created_at__lt=now - KEEP_FILES).only("pk", "file"))
    for job in old:
        if job.file:
            job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[j.pk for j in old]).delete()
    return len(old)


def _fingerprint(kind: str, unit: OrgUnit, params: dict) -> str:
    raw = json.dumps({"kind": kind, "unit": unit.pk, **params}, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def export_request(*, actor, unit: OrgUnit, kind: str, params: dict) -> tuple[ExportJob, bool]:
    """Queue an export, or return the same request's job that is still queued or running.
    Returns (job, created)."""
    permissions.require_role(actor, REPORT_ROLES, unit)
    if kind not in ExportKind.values:
        raise GuardFailed(_("Unknown kind of export."))
    fingerprint = _fingerprint(kind, unit, params)
    existing = ExportJob.objects.filter(requested_by=actor, fingerprint=fingerprint,
                                        status__in=EXPORT["fail"].sources).first()
    if existing is not None and existing.created_at >= timezone.now() - STALE_AFTER:
        return existing, False
    if existing is not None:  # its worker was lost: give up on it, so it does not block forever
        ExportJob.objects.filter(pk=existing.pk, status__in=EXPORT["fail"].sources).update(
            status=EXPORT["fail"].target, error=_("The export took too long and was stopped; please try again."),
            finished_at=timezone.now())
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(requested_by=actor, org_unit=unit, kind=kind, params=params,
                                           fingerprint=fingerprint)
            audit_log(actor=actor, action="reports.export_request", target=job,
                      after={"kind": kind, "unit": unit.pk, **params})
    except IntegrityError:  # the same request raced us: reuse its job
        return ExportJob.objects.get(requested_by=actor, fingerprint=fingerprint, status__in=ACTIVE_STATUSES), False
    from .tasks import run_export

    transaction.on_commit(lambda: run_export.delay(job.pk))
    return job, True


def export_progress(job_id: int, done: int, total: int | None = None) -> None:
    fields = {"progress": done}
    if total is not None:
        fields["total"] = total
    ExportJob.objects.filter(pk=job_id).update(**fields)


def export_run(job_id: int) -> None:
    """Build the file of a job in a temporary file; only a complete file is attached. Any
    failure marks the job failed with no file, so nothing partial is ever offered."""
    from . import exports

    job = ExportJob.objects.select_related("org_unit", "requested_by").filter(pk=job_id).first()
    if job is None or EXPORT.refusal(job, "start") is not None:
        return
    ExportJob.objects.filter(pk=job.pk).update(status=EXPORT["start"].target)
    fd, tmp_path = tempfile.mkstemp(suffix=".part")
    os.close(fd)
    try:
        filename = exports.build(job, tmp_path, progress=lambda done, total=None: export_progress(job.pk, done, total))
        with open(tmp_path, "rb") as handle:
            job.refresh_from_db(fields=["progress", "total"])
            job.file.save(filename, File(handle), save=False)
        job.filename = filename
        job.status = EXPORT["finish"].target
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "filename", "status", "finished_at"])
    except Exception as exc:  # noqa: BLE001 - any failure: no partial file, a clear message
        log.exception("export %s failed", job.pk)
        if job.file:
            job.file.delete(save=False)
        with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
            message = str(exc) if isinstance(exc, GuardFailed) else _("The export failed; please try again.")
        ExportJob.objects.filter(pk=job.pk).update(status=EXPORT["fail"].target, file="", error=message,
                                                   finished_at=timezone.now())
    finally:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)


def export_file(*, actor, job: ExportJob):
    """The finished file of a job, for its requester (the ``download`` row): NotAllowed for anybody
    else, GuardFailed while it is not ready or when it failed."""
    EXPORT.check(job, actor, "download")
    return job.file


# --- Word template -------------------------------------------------------------------------

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


def template_upload(*, actor, unit: OrgUnit, upload) -> ReportTemplate:
    """Replace the annual report pack template of `unit`'s subtree with an uploaded .docx,
    after proving it renders with sample data."""
    permissions.require_role(actor, REPORT_EDIT_ROLES, unit)
    from .exports import check_template

    if upload.size > MAX_TEMPLATE_BYTES:
        raise GuardFailed(_("The template is larger than 5 MB."), field="file")
    check_template(upload)
    upload.seek(0)
    with transaction.atomic():
        template = ReportTemplate.objects.select_for_update().filter(org_unit=unit).first()
        before = {"file": template.file.name} if template else None
        if template is None:
            template = ReportTemplate(org_unit=unit, uploaded_by=actor)
        old_name = template.file.name if template.file else None
        template.uploaded_by = actor
        template.file.save(os.path.basename(upload.name) or "template.docx", upload, save=False)
        template.save()
        audit_log(actor=actor, action="reports.template_upload", target=template, before=before,
                  after={"file": template.file.name})
    if old_name and old_name != template.file.name:
        transaction.on_commit(lambda: template.file.storage.delete(old_name))
    return template


def template_reset(*, actor, unit: OrgUnit) -> None:
    permissions.require_role(actor, REPORT_EDIT_ROLES, unit)
    with transaction.atomic():
        template = ReportTemplate.objects.select_for_update().filter(org_unit=unit).first()
        if template is None:
            raise GuardFailed(_("This unit uses the built-in template already."))
        name = template.file.name
        audit_log(actor=actor, action="reports.template_reset", target=template, before={"file": name})
        template.delete()
    transaction.on_commit(lambda: template.file.storage.delete(name))


def template_for(unit: OrgUnit) -> ReportTemplate | None:
    """The nearest template uploaded at the unit or an ancestor."""
    return (ReportTemplate.objects.filter(org_unit_id__in=unit.ancestor_ids)
            .order_by("-org_unit__depth").first())
