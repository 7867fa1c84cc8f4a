"""The contract between domain apps and reports: named metrics rolled up over org subtrees.

A domain app declares metrics in its own ``metrics.py`` (imported from AppConfig.ready()):

    from portal.metrics import metric, subtree_counts

    @metric("consultations.sessions_held", _("Sessions held"), section=_("Consultations"))
    def sessions_held(units, start, end):
        qs = Session.objects.filter(held_on__range=(start, end))
        return subtree_counts(qs, units)

A metric function takes a list of OrgUnits and a date range and returns ``{unit.pk: value}``
where each value covers the unit's WHOLE subtree, computed in a constant number of queries.

Optional, so every number can link to the records behind it (the list's count equals the number):

- ``records=func(unit, start, end) -> QuerySet`` — the records counted for ``unit``'s subtree; the
  reports app lists them (scoped, paginated, exportable) and links each row to
  ``get_absolute_url()`` when the model has one;
- ``list_url=func(unit, start, end) -> str | None`` — a list page of the domain app itself that
  shows exactly those records (takes precedence over ``records`` for the link).

Rates and averages are not summable: a metric returns each unit's own subtree value, and the
reports never add children up themselves — except for a metric declared ``additive=True``: a count
(or sum) of records each attributed to ONE path (the path its ``sources`` mark), so a unit's value
is its own records plus its children's values. The summary refresh then recomputes only the
deepest unit a write touched and moves its ancestors' stored values by the same difference
(distinct counts, scores of people counted per record, "minus the unit itself" and the like are
not additive). A rate's value is rebuilt from its parts.

Where the numbers come from, so the reports' summary tables recompute only what a write touched:

- ``sources={"consultations.Session": None, "consultations.Participant": ("session__scheduled_on",)}``
  — the models whose saves and deletes can change the metric, each with the date lookups that put
  a record in a period: ``None`` means every date field of the model itself (so a metric that
  moves to another date field of the same model stays right), ``()`` means no date (a change
  touches every period), a tuple lists the lookups (related dates included). Give a ``Source`` to
  name the path of the owning unit when the model has no ``org_path`` (``path="topic__org_path"``)
  or to say a change reaches the whole subtree (configuration inherited down the tree);
- ``cumulative=True`` when the value at a period's end counts everything since the start of that
  year (scores "so far this year"): a change then touches every later period of the year too.

Writes that bypass ``save()``/``delete()`` (``QuerySet.update``, ``bulk_update``) call
``records_changed(queryset)`` before and after; ``QuerySet.bulk_create`` calls
``records_created(instances)`` after; a move of a subtree calls ``tree_changed``.
A metric without ``sources`` is recomputed whenever anything at all changed.

A count of distinct people (``who``) among one model's records declares ``distinct=Distinct(…)``
(see the class): the refresh then moves each unit's figure by the people a write made or stopped
making counted there, instead of counting the unit's subtree again.

Rates (additive extension): ``rate_metric(key, label, numerator=…, denominator=…)`` registers a
percentage made of two other registered count metrics. Its value is numerator ÷ denominator × 100
(0 when the denominator is 0), and the metric carries ``parts=(numerator key, denominator key)`` so
the dashboard shows both counts on hover and the API returns them beside the rate — a published
"75 %" is always traceable to "84 of 112".

Tables (additive extension): ``@table(key, label, section=…)`` registers a ranked list a section of
the dashboard shows under its numbers (e.g. the evaluation ranking of handling units):
``func(unit, start, end) -> {"columns": [label, …], "rows": [[cell, …], …]}`` for the unit's subtree.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum


@dataclass(frozen=True)
class Source:
    """A model whose records a metric counts (see the module docstring)."""

    model: str  # "app_label.ModelName"
    dates: tuple[str, ...] | None = None
    path: str = ""  # lookup of the owning unit's path; "" = org_path (path on the org tree itself)
    subtree: bool = False  # a change reaches every unit below the path, not only the path's units


def _sources(spec) -> tuple[Source, ...] | None:
    if spec is None:
        return None
    found = []
    for label, value in (spec.items() if isinstance(spec, dict) else ((s.model, s) for s in spec)):
        found.append(value if isinstance(value, Source) else Source(label, tuple(value) if value is not None else None))
    return tuple(found)


@dataclass(frozen=True)
class Distinct:
    """What a distinct count counts (a metric declared ``distinct=``): the distinct `who` (a column
    of `model`, e.g. ``member_id``) among the records of `model` that count (``counted``: a field and
    the values that count) dated in the period by `day`, each record in the subtrees of the units on
    its `path`. With it the summary refresh moves a unit's stored count by the `who` a write made
    (or stopped making) counted in its subtree — a question about those few `who`'s own records —
    instead of counting the subtree's records again (at province scale, the whole duty file of the
    year for the province's figure). The metric's function must count exactly that."""

    model: str  # "app_label.ModelName"; also one of the metric's sources
    who: str
    day: str
    counted: tuple[str, tuple]
    path: str = "org_path"


@dataclass(frozen=True)
class Metric:
    key: str
    label: object
    section: object
    func: Callable
    unit: object = ""  # e.g. _("items"), _("%")
    order: int = 100
    records: Callable | None = None  # (unit, start, end) -> QuerySet of the records counted
    list_url: Callable | None = None  # (unit, start, end) -> URL of a domain list page, or None
    sources: tuple[Source, ...] | None = None  # what writes can change it; None = anything
    cumulative: bool = False  # counts from the start of the period's year to its end
    parts: tuple[str, str] | None = None  # a rate's (numerator key, denominator key)
    additive: bool = False  # value(unit) = own records + Σ children's values (see the docstring)
    distinct: Distinct | None = None  # a distinct count the refresh moves by the `who` a write touched


METRICS: dict[str, Metric] = {}


def metric(key: str, label, *, section, unit="", order: int = 100, records=None, list_url=None, sources=None,
           cumulative: bool = False, parts=None, additive: bool = False, distinct: Distinct | None = None):
    def decorator(func):
        METRICS[key] = Metric(key, label, section, func, unit, order, records, list_url, _sources(sources),
                              cumulative, parts, additive, distinct)
        return func

    return decorator


def rate(numerators: dict, denominators: dict) -> dict:
    """{pk: numerator ÷ denominator in %, one decimal} — 0 where the denominator is 0."""
    return {pk: round(100 * (numerators.get(pk) or 0) / d, 1) if d else 0.0 for pk, d in denominators.items()}


def rate_metric(key: str, label, *, numerator: str, denominator: str, section, order: int = 100) -> Metric:
    """Register a percentage of two registered count metrics (see the module docstring); it
    changes when either count's sources change."""
    num, den = METRICS[numerator], METRICS[denominator]

    def func(units, start, end):
        units = list(units)
        return rate(num.func(units, start, end), den.func(units, start, end))

    sources = None if num.sources is None or den.sources is None else num.sources + den.sources
    metric(key, label, section=section, unit="%", order=order, parts=(numerator, denominator),
           cumulative=num.cumulative or den.cumulative)(func)
    METRICS[key] = dataclasses.replace(METRICS[key], sources=sources)
    return METRICS[key]


@dataclass(frozen=True)
class Table:
    key: str
    label: object
    section: object
    func: Callable  # (unit, start, end) -> {"columns": [...], "rows": [[...], ...]}
    order: int = 100


TABLES: dict[str, Table] = {}


def table(key: str, label, *, section, order: int = 100):
    def decorator(func):
        TABLES[key] = Table(key, label, section, func, order)
        return func

    return decorator


# Work several metrics share (members' scores feed both points and "below the minimum"): within
# `sharing()` — one refresh, one direct computation — the first metric computes it, the others reuse.
_SHARED: contextvars.ContextVar[dict | None] = contextvars.ContextVar("metrics_shared", default=None)


@contextlib.contextmanager
def sharing(*, fresh: bool = False):
    """Share work within the block. `fresh`: start empty even inside another block (and forget the
    block's work at its end) — a build of many periods keeps one period end's members' scores at a
    time, not every end's (~120 MiB each at 50,000 members)."""
    token = _SHARED.set({}) if fresh or _SHARED.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _SHARED.reset(token)


def shared(key, compute: Callable):
    """compute(), or its result for the same key earlier within the current `sharing()`."""
    memo = _SHARED.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


# Listeners of writes that bypass model signals (the reports register one; infrastructure never
# imports them): records_changed(queryset), records_created(instances) and tree_changed(paths).
CHANGE_LISTENERS: list[Callable] = []


def records_changed(queryset: QuerySet) -> None:
    """Tell the summary tables that these records change (or changed) without save()/delete():
    call it before a QuerySet.update()/bulk_update() (for the old values) and after it (new ones)."""
    for listener in CHANGE_LISTENERS:
        listener(queryset=queryset)


def records_created(instances: Sequence) -> None:
    """Tell the summary tables about new records written by QuerySet.bulk_create (which sends no
    signals): call it after the insert, with the created instances (of one model or several, in
    the order a row-by-row write would have saved them). Each listener marks them exactly as a
    save() of each would have — in one write instead of one per record."""
    if instances:
        for listener in CHANGE_LISTENERS:
            listener(created=list(instances))


def tree_changed(paths: Sequence[str]) -> None:
    """A subtree moved: every metric of the units on these paths may change."""
    for listener in CHANGE_LISTENERS:
        listener(paths=list(paths))


def subtree_counts(qs: QuerySet, units: Sequence, *, path_field: str = "org_path",
                   sum_field: str | None = None) -> dict[int, int]:
    """Count (or sum `sum_field` of) the rows of `qs` under each unit's subtree in ONE query:
    group by the record's path, then attribute each path to the units that are its prefixes.
    Within `compute_grouped`, the calls over one table share that query (see below)."""
    units = list(units)
    if not units:
        return {}
    batch = _BATCH.get()
    if batch is not None:
        return batch.count(qs, units, path_field, sum_field)
    return _subtree_counts(qs, units, path_field=path_field, sum_field=sum_field)


def _subtree_counts(qs: QuerySet, units: list, *, path_field: str, sum_field: str | None) -> dict[int, int]:
    agg = Sum(sum_field) if sum_field else Count("pk")
    pks = [u.pk for u in units]
    by_path = dict(zip((u.path for u in units), pks, strict=True))
    rows = qs.filter(subtree_q(units, path_field)).values(path_field).order_by().annotate(n=agg).values_list(path_field, "n")
    totals: dict[int, int] = defaultdict(int)
    for path, n in rows:
        for pk in units_on_path(path, by_path):
            totals[pk] += n or 0
    return {pk: totals.get(pk, 0) for pk in pks}


def subtree_q(units: Sequence, path_field: str = "org_path") -> Q:
    """Records under any of `units`: one indexed prefix predicate per subtree root, so a county
    dashboard never groups the whole province's rows."""
    roots: list[str] = []
    for path in sorted({u.path for u in units}, key=len):
        if not any(path.startswith(r) for r in roots):
            roots.append(path)
    under = Q(pk__in=[]) if not roots else Q()
    for root in roots:
        under |= Q(**{f"{path_field}__startswith": root})
    return under


def units_on_path(path: str, by_path: dict[str, int]) -> list[int]:
    """The ids of the units in `by_path` ({unit path: id}) whose subtree holds a record with
    `path` — its ancestors' prefixes and itself — in O(depth), not O(units)."""
    if not path:
        return []
    found, prefix = [], "/"
    for part in path.strip("/").split("/"):
        prefix += part + "/"
        pk = by_path.get(prefix)
        if pk is not None:
            found.append(pk)
    return found


# Yearly quotas of metrics, for reports that compare a figure with its target (the annual report
# pack's "年度任务" column). An app registers ``func(unit, year) -> int | None`` for a metric key.
QUOTAS: dict[str, Callable] = {}
# The same for many units in a constant number of queries (the cockpit's map colours every child
# unit by its figure against its quota): ``bulk(units, year) -> {unit.pk: int | None}``.
QUOTAS_BULK: dict[str, Callable] = {}


def register_quota(metric_key: str, func: Callable, *, bulk: Callable | None = None) -> None:
    QUOTAS[metric_key] = func
    if bulk is not None:
        QUOTAS_BULK[metric_key] = bulk


def quotas_of(metric_key: str, units, year: int) -> dict[int, int | None] | None:
    """{unit.pk: quota} of a metric with a registered quota (bulk when the app gave one), else None."""
    units = list(units)
    if metric_key in QUOTAS_BULK:
        return QUOTAS_BULK[metric_key](units, year)
    if metric_key in QUOTAS:
        return {u.pk: QUOTAS[metric_key](u, year) for u in units}
    return None


# Notable cases for reports (the annual report pack's "典型案例"): an app registers
# ``func(unit, start, end) -> list[{"title", "unit", "text"}]`` listing its typical cases in the
# unit's subtree over the period.
CASE_SOURCES: list[Callable] = []


def register_cases(func: Callable) -> Callable:
    CASE_SOURCES.append(func)
    return func


# --- Grouped computation: one query per source table, not one per metric -----------------------
#
# `compute_grouped(metrics, units, start, end)` runs every metric function twice around one query
# per (table, path) instead of one query per `subtree_counts` call: the first pass only notes what
# each call counts (its table, its WHERE clause, the path it groups by, the column it sums) and
# answers zeros; the calls of one table are then counted together, each in its own
# `COUNT(*) FILTER (WHERE …)` (or `SUM(col) FILTER (…)`); the second pass runs the functions again
# and each call answers its counts. A function that counted nothing through `subtree_counts` keeps
# its first answer. A call whose query joins other tables is counted on its own as before.


@dataclass
class _Spec:
    model: type
    db: str
    path_field: str
    sum_field: str | None
    where: tuple[str, list] | None  # None: no row can match (the counts are zeros)
    units: tuple
    result: dict | None = None


class _Batch:
    def __init__(self):
        self.replay = False
        self.calls: dict[str, list[_Spec | dict]] = defaultdict(list)
        self.current = ""
        self.position = 0
        self._keyed: dict[tuple, tuple] = {}

    def begin(self, key: str) -> None:
        self.current, self.position = key, 0

    def count(self, qs: QuerySet, units: list, path_field: str, sum_field: str | None) -> dict[int, int]:
        if self.replay:
            found = self.calls[self.current][self.position]
            self.position += 1
            return found.result if isinstance(found, _Spec) else found
        keyed = self.keyed(units)
        spec = _spec_of(qs, units, path_field, sum_field, keyed=keyed)
        if spec is None:  # joins or the like: counted on its own, now
            answer = _subtree_counts(qs, units, path_field=path_field, sum_field=sum_field)
            self.calls[self.current].append(answer)
            return answer
        self.calls[self.current].append(spec)
        return dict.fromkeys([pk for pk, _path in keyed], 0)

    def keyed(self, units: list) -> tuple:
        """((pk, path) of each unit), worked out once per list of units: a rebuild's metrics make
        hundreds of calls over the same units, and reading `pk` of a model is not free."""
        key = tuple(map(id, units))
        found = self._keyed.get(key)
        if found is None:
            found = self._keyed[key] = (tuple((u.pk, u.path) for u in units), units)  # (the units kept alive)
        return found[0]

    def run(self) -> int:
        """Count every noted call, one query per (table, database, path, units); returns the
        number of queries."""
        groups: dict[tuple, list[_Spec]] = defaultdict(list)
        for calls in self.calls.values():
            for spec in calls:
                if isinstance(spec, _Spec):
                    if spec.where is None:
                        spec.result = dict.fromkeys([pk for pk, _path in spec.units], 0)
                    else:
                        groups[(spec.model, spec.db, spec.path_field, spec.units)].append(spec)
        for (model, db, path_field, _units), specs in groups.items():
            _count_together(model, db, path_field, specs)
        return len(groups)


_BATCH: contextvars.ContextVar[_Batch | None] = contextvars.ContextVar("metrics_batch", default=None)


_SUBQUERY = re.compile(r"\bSELECT\b", re.IGNORECASE)


def _spec_of(qs: QuerySet, units: list, path_field: str, sum_field: str | None, *,
             keyed: tuple | None = None) -> _Spec | None:
    """What a `subtree_counts` call counts, when its query reads its own table only."""
    from django.core.exceptions import EmptyResultSet, FullResultSet

    query = qs.query
    used = [alias for alias in query.alias_map if query.alias_refcount.get(alias)]  # trimmed joins stay, unused
    if (len(used) > 1 or query.distinct or query.combinator or query.is_sliced
            or query.group_by is not None or query.annotations):
        return None
    table = qs.model._meta.db_table
    if used and used[0] != table:
        return None
    compiler = query.get_compiler(using=qs.db)
    try:
        sql, params = compiler.compile(query.where)
        where = (sql, list(params))
    except EmptyResultSet:
        where = None
    except FullResultSet:
        where = ("TRUE", [])
    if where is not None and _SUBQUERY.search(where[0]):
        # `IN (SELECT …)` / `EXISTS (SELECT …)` inside a FILTER clause is evaluated per row: a
        # hashed subplan only while the subquery's rows fit in work_mem, beyond that a scan of
        # them for every row (at 1,000,000 topics: 2.3 million participants × 225,000 sessions
        # held in the year). Counted on its own, in the WHERE clause, it is a semi-join.
        return None
    return _Spec(qs.model, qs.db, path_field, sum_field, where,
                 keyed if keyed is not None else tuple((u.pk, u.path) for u in units))


def _count_together(model, db: str, path_field: str, specs: list[_Spec]) -> None:
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    by_path = {path: pk for pk, path in specs[0].units}
    unit_list = [_Unit(pk, path) for pk, path in specs[0].units]
    aggregates = {}
    for i, spec in enumerate(specs):
        cond = RawSQL(spec.where[0], spec.where[1], output_field=BooleanField())
        aggregates[f"m{i}"] = Sum(spec.sum_field, filter=cond) if spec.sum_field else Count("pk", filter=cond)
    any_sql = " OR ".join(f"({s.where[0]})" for s in specs)
    any_params = [p for s in specs for p in s.where[1]]
    rows = (model._base_manager.using(db).filter(subtree_q(unit_list, path_field))
            .filter(RawSQL(any_sql, any_params, output_field=BooleanField()))
            .values(path_field).order_by().annotate(**aggregates)
            .values_list(path_field, *aggregates))
    totals = [defaultdict(int) for _ in specs]
    for path, *counts in rows:
        on_path = units_on_path(path, by_path)
        for i, n in enumerate(counts):
            if n:
                for pk in on_path:
                    totals[i][pk] += n
    zeros = dict.fromkeys([pk for pk, _path in specs[0].units], 0)
    for i, spec in enumerate(specs):
        spec.result = {**zeros, **totals[i]}  # (the specs of a group share their units)


@dataclass(frozen=True)
class _Unit:  # what subtree_q reads of a unit
    pk: int
    path: str


def compute_grouped(metrics: Sequence[Metric], units: Sequence, start, end) -> dict[str, dict]:
    """{metric key: func(units, start, end)} for every metric, the `subtree_counts` calls of one
    table counted in one query (see above). Within `sharing()`, so work metrics share runs once."""
    units = list(units)
    if len(metrics) == 1:  # nothing to share a query with
        with sharing():
            return {m.key: m.func(units, start, end) for m in metrics}
    batch = _Batch()
    token = _BATCH.set(batch)
    answers: dict[str, dict] = {}
    try:
        with sharing():
            for m in metrics:
                batch.begin(m.key)
                answers[m.key] = m.func(units, start, end)
            batch.run()
            batch.replay = True
            for m in metrics:
                if any(isinstance(c, _Spec) for c in batch.calls.get(m.key, ())):
                    batch.begin(m.key)
                    answers[m.key] = m.func(units, start, end)
    finally:
        _BATCH.reset(token)
    return answers
