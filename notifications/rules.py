"""Per-organisation rules (inherited down the org tree through organizations.config):

- ``notifications.lead_days`` — {kind: days}: a reminder with a due date is sent from that many
  days before it (default: the source's ``default_lead_days``); a list such as [3, 1] sends it
  once three days before and again one day before;
- ``notifications.disabled_kinds`` — [kind, …]: reminders the unit does not use;
- ``notifications.weekend_rule`` — "earlier" | "later" | "keep": what a recurring duty day that
  falls on a weekend does (see notifications.recurrence).

A scan resolves these for thousands of units: `OrgRules` loads the few configured rows once and
walks each record's path in memory, so the scan costs no query per record."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.config import ConfigKey, register_key
from organizations.models import OrgUnit, UnitConfig
from portal.errors import DomainError

LEAD_DAYS = "notifications.lead_days"
DISABLED_KINDS = "notifications.disabled_kinds"
WEEKEND_RULE = "notifications.weekend_rule"
WEEKEND_RULES = ("earlier", "later", "keep")


def _validate_lead_days(value):
    if not isinstance(value, dict):
        raise DomainError(_("Give a mapping of reminder kind to days."), field="value")
    cleaned = {}
    for kind, days in value.items():
        steps = days if isinstance(days, list) else [days]
        if not steps or len(steps) > 10:
            raise DomainError(_("Give between one and ten numbers of days."), field="value")
        numbers = []
        for step in steps:
            try:
                number = int(step)
            except (TypeError, ValueError):
                raise DomainError(_("Enter a whole number."), field="value")
            if number < 0 or number > 366:
                raise DomainError(_("Enter a number between 0 and %(max)d.") % {"max": 366}, field="value")
            numbers.append(number)
        cleaned[str(kind)[:100]] = sorted(set(numbers), reverse=True) if isinstance(days, list) else numbers[0]
    return cleaned


def _validate_kinds(value):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DomainError(_("Give a list of reminder kinds."), field="value")
    return [v[:100] for v in value]


def _validate_weekend_rule(value):
    if value not in WEEKEND_RULES:
        raise DomainError(_("Choose earlier, later or keep."), field="value")
    return value


def register_keys():
    register_key(ConfigKey(LEAD_DAYS, gettext_lazy("Reminder lead days per kind"), {}, _validate_lead_days))
    register_key(ConfigKey(DISABLED_KINDS, gettext_lazy("Reminder kinds switched off"), [], _validate_kinds))
    register_key(ConfigKey(WEEKEND_RULE, gettext_lazy("Duty days on a weekend move"), "keep",
                           _validate_weekend_rule))


class OrgRules:
    """The rules of every unit for one year, resolved in memory (one query per key)."""

    def __init__(self, year: int):
        self.year = year
        self._rows: dict[str, dict[int, tuple]] = {}
        for key in (LEAD_DAYS, DISABLED_KINDS, WEEKEND_RULE):
            by_unit: dict[int, tuple] = {}
            for unit_id, row_year, value in UnitConfig.objects.filter(key=key).values_list("unit_id", "year", "value"):
                if row_year is not None and row_year != year:
                    continue
                # a year-specific value beats the general one of the same unit
                if unit_id not in by_unit or row_year is not None:
                    by_unit[unit_id] = (row_year, value)
            self._rows[key] = by_unit
        self._cache: dict[tuple[str, str], object] = {}

    def _get(self, key: str, org_path: str, default):
        cache_key = (key, org_path)
        if cache_key in self._cache:
            return self._cache[cache_key]
        rows = self._rows[key]
        value = default
        if rows and org_path:
            for part in reversed([p for p in org_path.strip("/").split("/") if p]):
                if int(part) in rows:
                    value = rows[int(part)][1]
                    break
        if len(self._cache) < 100_000:  # bounded: one entry per unit path
            self._cache[cache_key] = value
        return value

    def lead_days(self, org_path: str, kind: str, default: int) -> int | list[int]:
        """Days ahead to send; a list (e.g. [3, 1]) sends once at each step."""
        return self._get(LEAD_DAYS, org_path, {}).get(kind, default)

    def is_disabled(self, org_path: str, kind: str) -> bool:
        return kind in self._get(DISABLED_KINDS, org_path, [])

    def weekend_rule(self, org_path: str) -> str:
        return self._get(WEEKEND_RULE, org_path, "keep")


def weekend_rule_for(unit: OrgUnit, year: int | None = None) -> str:
    from organizations.config import config_get

    return config_get(unit, WEEKEND_RULE, year) or "keep"
