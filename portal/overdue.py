"""The contract between domain apps and the office cockpit (驾驶舱): work past its deadline.

A domain app declares, for each queue with a deadline, a *source* that lists the items of a
subtree that are overdue today (imported from its AppConfig.ready()):

    from portal.overdue import OverdueItem, overdue_source

    @overdue_source("consultations.suggestion", _("Suggestion"))
    def overdue_suggestions(*, paths, today, limit):
        qs = Suggestion.objects.filter(subtree_q_for(paths), overdue_q("deadline", today), status__in=OPEN)
        rows = qs.select_related("topic").order_by("deadline", "id")[:limit]
        return qs.count(), [OverdueItem(title=…, unit=…, due=s.deadline, url=…) for s in rows]

"Overdue" is the red light of ``portal.traffic`` — one rule for the cockpit, the dashboards'
traffic lights, the lists and the reminders: a source filters with ``traffic.overdue_q(field,
today)``, and ``overdue_in`` keeps only the items whose ``traffic_light`` is red.

``paths`` are the subtree roots to look under (already the caller's scope); a source answers
``(how many are overdue in all, the `limit` most overdue)`` in a constant number of queries (two:
a count and a page), so the cockpit's query count does not grow with the data. Infrastructure
never imports the apps; the reports read ``overdue_in``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OverdueItem:
    title: str
    unit: str  # the owning (or handling) unit's name
    due: datetime.date
    url: str = ""
    kind: str = ""  # filled in from the source
    kind_label: str = ""

    def days_overdue(self, today: datetime.date) -> int:
        return (today - self.due).days

    def light(self, today: datetime.date):
        """The item's traffic light today (portal.traffic): red for every item a source lists."""
        from portal.traffic import traffic_light

        return traffic_light(self.due, today=today)


@dataclass(frozen=True)
class OverdueSource:
    kind: str
    label: object  # lazy translation: what the items are ("Suggestion", "Proposal reply")
    func: Callable


SOURCES: dict[str, OverdueSource] = {}


def overdue_source(kind: str, label):
    def decorator(func):
        SOURCES[kind] = OverdueSource(kind, label, func)
        return func

    return decorator


@dataclass
class Overdue:
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    items: list[OverdueItem] = field(default_factory=list)  # the most overdue first, at most `limit`


def overdue_in(paths: Sequence[str], *, today: datetime.date, limit: int = 20) -> Overdue:
    """Every registered source's overdue items under `paths`: the totals and the `limit` most
    overdue items of all sources together."""
    result = Overdue()
    found: list[OverdueItem] = []
    for kind in sorted(SOURCES):
        source = SOURCES[kind]
        count, items = source.func(paths=list(paths), today=today, limit=limit)
        result.by_kind[kind] = count
        result.total += count
        found += [OverdueItem(i.title, i.unit, i.due, i.url, kind, str(source.label)) for i in items
                  if _is_red(i, today)]
    result.items = sorted(found, key=lambda i: (i.due, i.kind, i.title))[:limit]
    return result


def _is_red(item: OverdueItem, today: datetime.date) -> bool:
    from portal.traffic import RED

    light = item.light(today)
    return light is not None and light.code == RED


def paths_q(paths: Sequence[str], field_name: str):
    """Records under any of `paths` (one indexed prefix predicate each)."""
    from django.db.models import Q

    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field_name}__startswith": path})
    return q
