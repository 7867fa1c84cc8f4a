"""Traffic lights (红黄绿灯) for anything with a deadline: green — on time, yellow — due within
N days (per unit, default 3; organizations.traffic resolves a unit's N), red — overdue. Done
items get no light. One rule for every queue, reminder and dashboard:

    light = traffic_light(item.deadline, today=today, days=3, done=item.closed_on is not None)
    light.code   # "green" | "yellow" | "red"
    light.label  # 正常 / 临期 / 逾期 (translated; never colour alone)
    light.bracketed  # "【逾期】" for reminder texts

In templates: ``{% load traffic %}{% traffic_light item.deadline days=days done=… %}``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

DEFAULT_DAYS = 3
GREEN, YELLOW, RED = "green", "yellow", "red"


@dataclass(frozen=True)
class Light:
    code: str
    days_left: int

    @property
    def label(self):
        return LABELS[self.code]

    @property
    def bracketed(self) -> str:
        """The label in Chinese book-title brackets for reminder texts: 【逾期】."""
        return pgettext("traffic light in a message", "[%(label)s] ") % {"label": self.label}


LABELS = {GREEN: _("On time"), YELLOW: _("Due soon"), RED: _("Overdue")}


def traffic_light(deadline: datetime.date | None, *, today: datetime.date | None = None,
                  days: int | None = DEFAULT_DAYS, done: bool = False) -> Light | None:
    """The light of one deadline; None without a deadline or when the item is done."""
    if deadline is None or done:
        return None
    if isinstance(deadline, datetime.datetime):
        deadline = timezone.localtime(deadline).date() if timezone.is_aware(deadline) else deadline.date()
    today = today or timezone.localdate()
    days = DEFAULT_DAYS if days is None else int(days)
    left = (deadline - today).days
    if left < 0:
        return Light(RED, left)
    if left <= days:
        return Light(YELLOW, left)
    return Light(GREEN, left)


def light_bounds(today: datetime.date, days: int = DEFAULT_DAYS) -> tuple[datetime.date, datetime.date]:
    """For counting in the database: deadline < first → red; first ≤ deadline ≤ second → yellow."""
    return today, today + datetime.timedelta(days=int(days))


def attach_lights(items, *, deadline, done, days=None, today: datetime.date | None = None, attr: str = "light"):
    """Set `item.<attr>` on every item of a page: `deadline(item)` and `done(item)` say what the
    light is about, `days(item)` the unit's yellow window (e.g. organizations.traffic.TrafficDays
    .for_path, which costs one query for the whole page). No query per item."""
    today = today or timezone.localdate()
    items = list(items)
    for item in items:
        setattr(item, attr, traffic_light(deadline(item), today=today, days=days(item) if days else DEFAULT_DAYS,
                                          done=bool(done(item))))
    return items


def count_lights(deadlines, *, today: datetime.date | None = None, days: int = DEFAULT_DAYS) -> dict[str, int]:
    """{"red": n, "yellow": n, "green": n} of open deadlines (for small in-memory lists)."""
    counts = {RED: 0, YELLOW: 0, GREEN: 0}
    for deadline in deadlines:
        light = traffic_light(deadline, today=today, days=days)
        if light:
            counts[light.code] += 1
    return counts


# --- Queues with deadlines, counted by light (the dashboards' 红黄绿灯) ------------------------------
#
# A domain app registers each queue whose items have a deadline (imported from its AppConfig.ready()):
#
#     @deadline_queue("consultations.suggestion", _("Suggestions to handle"), order=10)
#     def open_suggestions(paths):
#         return OpenDeadlines(Suggestion.objects.filter(paths_q(paths, "topic__org_path"), status__in=OPEN),
#                              deadline="deadline", path="topic__org_path")
#
# `light_counts(paths, today=…, days_for_path=…)` counts every queue's open items under `paths` by
# light in ONE query (a UNION ALL of one grouped SELECT per queue): items past their deadline are
# red and items due after the longest yellow window (MAX_DAYS) green for every unit; the items in
# between come back grouped by (deadline, path) and get their light from `traffic_light` with
# their unit's window — the same rule as the lists and the reminders.

MAX_DAYS = 60  # the longest yellow window a unit may set (organizations.traffic)


@dataclass(frozen=True)
class OpenDeadlines:
    queryset: object  # the queue's open items under the paths asked for
    deadline: str  # the date field of the deadline
    path: str  # the lookup of the owning unit's path (whose yellow window applies)


@dataclass(frozen=True)
class DeadlineQueue:
    kind: str
    label: object
    func: object  # (paths) -> OpenDeadlines
    order: int = 100


QUEUES: dict[str, DeadlineQueue] = {}


def deadline_queue(kind: str, label, *, order: int = 100):
    def decorator(func):
        QUEUES[kind] = DeadlineQueue(kind, label, func, order)
        return func

    return decorator


def overdue_q(field_name: str, today: datetime.date):
    """Items red today (past their deadline), as a filter: the cockpit's overdue lists use it."""
    from django.db.models import Q

    return Q(**{f"{field_name}__lt": light_bounds(today)[0]})


@dataclass
class QueueLights:
    kind: str
    label: object
    red: int = 0
    yellow: int = 0
    green: int = 0

    @property
    def open(self) -> int:
        return self.red + self.yellow + self.green


def light_counts(paths, *, today: datetime.date | None = None, days_for_path=None) -> list[QueueLights]:
    """Every registered queue's open items under `paths` by light (see above), in the queues'
    order. `days_for_path(org_path)` gives a unit's yellow window (default DEFAULT_DAYS)."""
    from django.db.models import Case, CharField, Count, DateField, F, Value, When

    today = today or timezone.localdate()
    queues = sorted(QUEUES.values(), key=lambda q: (q.order, q.kind))
    result = {q.kind: QueueLights(q.kind, q.label) for q in queues}
    if not queues or not paths:
        return list(result.values())
    first, _yellow_end = light_bounds(today)
    horizon = today + datetime.timedelta(days=MAX_DAYS)
    selects = []
    for queue in queues:
        spec = queue.func(list(paths))
        due, path = spec.deadline, spec.path
        red, far = {f"{due}__lt": first}, {f"{due}__gt": horizon}
        selects.append(
            spec.queryset.filter(**{f"{due}__isnull": False}).order_by()
            .annotate(k=Value(queue.kind, output_field=CharField()),
                      b=Case(When(**red, then=Value(RED)), When(**far, then=Value(GREEN)), default=Value(""),
                             output_field=CharField()),
                      d=Case(When(**red, then=Value(None)), When(**far, then=Value(None)), default=F(due),
                             output_field=DateField()),
                      p=Case(When(**red, then=Value(None)), When(**far, then=Value(None)), default=F(path),
                             output_field=CharField()))
            .values("k", "b", "d", "p").annotate(n=Count("pk")).values_list("k", "b", "d", "p", "n"))
    combined = selects[0].union(*selects[1:], all=True) if len(selects) > 1 else selects[0]
    for kind, bucket, deadline, org_path, n in combined:
        counts = result[kind]
        if not bucket:  # within the longest window: the unit's own window decides
            days = days_for_path(org_path or "") if days_for_path else DEFAULT_DAYS
            bucket = traffic_light(deadline, today=today, days=days).code
        setattr(counts, bucket, getattr(counts, bucket) + n)
    return list(result.values())
