"""The per-unit number of days of the yellow light (portal/traffic.py), as a unit setting
inherited down the tree: ``traffic.due_soon_days`` (default 3). `TrafficDays` resolves it for
many records at once from one query, for list pages and scans."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from portal.traffic import DEFAULT_DAYS

from .config import ConfigKey, config_get, positive_int, register_key
from .models import OrgUnit, UnitConfig

DUE_SOON_DAYS = "traffic.due_soon_days"


def register_keys():
    register_key(ConfigKey(DUE_SOON_DAYS, _("Traffic lights: yellow within this many days of the deadline"),
                           DEFAULT_DAYS, positive_int(60)))


def due_soon_days(unit: OrgUnit | None, year: int | None = None) -> int:
    if unit is None:
        return DEFAULT_DAYS
    value = config_get(unit, DUE_SOON_DAYS, year)
    return DEFAULT_DAYS if value is None else int(value)


# The rows read under one generation of portal.accounts.authcache, per year: that generation is
# replaced by any save or delete of a unit setting (UnitConfig is one of the models it watches),
# so rows kept under the current one are the database's. Only the latest generation is kept.
_BY_GENERATION: dict[tuple, dict[int, tuple]] = {}


class TrafficDays:
    """Every unit's days, loaded once (one query); `for_path(org_path)` walks the path in memory.

    `generation`: the authcache generation the request read with its session
    (`authcache.request_generation`) — the rows are then read once per process and generation
    instead of once per request. Only for a request that writes no unit setting before it reads
    them (a list page): its generation was read when it started."""

    def __init__(self, year: int | None = None, *, generation: str | None = None):
        if generation is not None:
            rows = _BY_GENERATION.get((generation, year))
            if rows is not None:
                self._rows = rows
                return
        self._rows = rows = {}
        for unit_id, row_year, value in UnitConfig.objects.filter(key=DUE_SOON_DAYS).values_list(
                "unit_id", "year", "value"):
            if row_year is not None and row_year != year:
                continue
            if unit_id not in rows or row_year is not None:
                rows[unit_id] = (row_year, value)
        if generation is not None:
            if any(key[0] != generation for key in _BY_GENERATION):
                _BY_GENERATION.clear()
            _BY_GENERATION[(generation, year)] = rows

    def for_path(self, org_path: str) -> int:
        if self._rows and org_path:
            for part in reversed([p for p in org_path.strip("/").split("/") if p]):
                if part.isdigit() and int(part) in self._rows:
                    return int(self._rows[int(part)][1])
        return DEFAULT_DAYS
