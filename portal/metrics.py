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
reports never add children up themselves.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum


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


METRICS: dict[str, Metric] = {}


def metric(key: str, label, *, section, unit="", order: int = 100, records=None, list_url=None):
    def decorator(func):
        METRICS[key] = Metric(key, label, section, func, unit, order, records, list_url)
        return func

    return decorator


def subtree_counts(qs: QuerySet, units: Sequence, *, path_field: str = "org_path",
                   sum_field: str | None = None) -> dict[int, int]:
    """Count (or sum `sum_field` of) the rows of `qs` under each unit's subtree in ONE query:
    group by the record's path, then attribute each path to the units that are its prefixes."""
    units = list(units)
    if not units:
        return {}
    agg = Sum(sum_field) if sum_field else Count("pk")
    by_path = {u.path: u.pk for u in units}
    rows = qs.filter(subtree_q(units, path_field)).values(path_field).order_by().annotate(n=agg).values_list(path_field, "n")
    totals: dict[int, int] = defaultdict(int)
    for path, n in rows:
        for pk in units_on_path(path, by_path):
            totals[pk] += n or 0
    return {u.pk: totals.get(u.pk, 0) for u in units}


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


def register_quota(metric_key: str, func: Callable) -> None:
    QUOTAS[metric_key] = func


# Notable cases for reports (the annual report pack's "典型案例"): an app registers
# ``func(unit, start, end) -> list[{"title", "unit", "text"}]`` listing its typical cases in the
# unit's subtree over the period.
CASE_SOURCES: list[Callable] = []


def register_cases(func: Callable) -> Callable:
    CASE_SOURCES.append(func)
    return func
