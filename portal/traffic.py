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
