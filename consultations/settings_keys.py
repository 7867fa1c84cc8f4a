"""Per-unit configuration this app reads (organizations.config registry). Values are inherited
down the tree and may be set per year."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from organizations.config import ConfigKey, config_get, positive_int, register_key
from organizations.models import UnitKind
from portal.errors import DomainError

QUOTA = "consultations.sessions_per_year"
FOLLOWUP_DAYS = "consultations.followup_days"
RESEARCH_WAIVER = "consultations.research_waiver_allowed"
STAKEHOLDER_MIN = "consultations.stakeholder_min_percent"
MINUTES_DUE_DAYS = "consultations.minutes_due_days"
SUGGESTION_DEADLINE_DAYS = "consultations.suggestion_deadline_days"

# Defaults from the reports when a unit sets nothing (DOMAIN §3): county ≥ 4 a year (合肥 L9),
# township one every two weeks, community 1–2 a month (L76).
DEFAULT_QUOTA_BY_KIND = {
    UnitKind.COUNTY: 4,
    UnitKind.TOWNSHIP: 24,
    UnitKind.VILLAGE: 12,
}


def _bool(value):
    if isinstance(value, bool):
        return value
    if value in ("true", "1", 1, "yes"):
        return True
    if value in ("false", "0", 0, "no", ""):
        return False
    raise DomainError(_("Enter true or false."), field="value")


def _quota_value(value):
    """A number for the unit and everything below it, or numbers by unit kind, e.g.
    {"county": 6, "township": 24, "village": 12} — so a county can set its own and its
    townships' quotas in one place."""
    check = positive_int(400)
    if isinstance(value, dict):
        kinds = set(UnitKind.values)
        unknown = [k for k in value if k not in kinds]
        if unknown:
            raise DomainError(_("Unknown unit kinds: %(kinds)s") % {"kinds": ", ".join(map(str, unknown))},
                              field="value")
        return {k: check(v) for k, v in value.items()}
    return check(value)


def _resolve_quota(value, unit):
    if isinstance(value, dict):
        return int(value[unit.kind]) if unit.kind in value else DEFAULT_QUOTA_BY_KIND.get(unit.kind)
    return int(value)


def register():
    register_key(ConfigKey(QUOTA, _lazy("Consultation sessions per year (quota)"), None, _quota_value))
    register_key(ConfigKey(FOLLOWUP_DAYS, _lazy("Days from closing to the follow-up review (回头看)"), 90,
                           positive_int(1100)))
    register_key(ConfigKey(RESEARCH_WAIVER, _lazy("Sessions may be scheduled without research (exception)"),
                           False, _bool))
    register_key(ConfigKey(STAKEHOLDER_MIN, _lazy("Minimum share of stakeholders among participants (%)"), 0,
                           positive_int(100)))
    register_key(ConfigKey(MINUTES_DUE_DAYS, _lazy("Days after a session by which the outcome is due"), 7,
                           positive_int(365)))
    register_key(ConfigKey(SUGGESTION_DEADLINE_DAYS, _lazy("Days a responsible party has to handle a suggestion "
                                                           "(default deadline)"), 30, positive_int(730)))


def quota_for(unit, year: int) -> int | None:
    value = config_get(unit, QUOTA, year)
    if value is None:
        return DEFAULT_QUOTA_BY_KIND.get(unit.kind)
    return _resolve_quota(value, unit)


def followup_days(unit, year: int | None = None) -> int:
    return int(config_get(unit, FOLLOWUP_DAYS, year) or 90)


def research_waiver_allowed(unit, year: int | None = None) -> bool:
    return bool(config_get(unit, RESEARCH_WAIVER, year))


def stakeholder_min_percent(unit, year: int | None = None) -> int:
    return int(config_get(unit, STAKEHOLDER_MIN, year) or 0)


def minutes_due_days(unit=None, year: int | None = None) -> int:
    if unit is None:
        return 7
    return int(config_get(unit, MINUTES_DUE_DAYS, year) or 7)


def quotas_for(units, year: int) -> dict[int, int | None]:
    """`quota_for` for many units in ONE query (the plan page lists a unit and all its children):
    the nearest unit's value wins, a year-specific value beating a general one on the same unit."""
    from organizations.models import UnitConfig

    units = list(units)
    ids = {i for u in units for i in u.ancestor_ids}
    rows = list(UnitConfig.objects.filter(unit_id__in=ids, key=QUOTA).values_list("unit_id", "year", "value"))
    result = {}
    for unit in units:
        depth_of = {uid: i for i, uid in enumerate(unit.ancestor_ids)}
        best, best_rank = None, None
        for unit_id, row_year, value in rows:
            if unit_id not in depth_of or (row_year is not None and row_year != year):
                continue
            rank = (depth_of[unit_id], 1 if row_year is not None else 0)
            if best_rank is None or rank > best_rank:
                best, best_rank = value, rank
        result[unit.pk] = DEFAULT_QUOTA_BY_KIND.get(unit.kind) if best is None else _resolve_quota(best, unit)
    return result


def suggestion_deadline_days(unit=None, year: int | None = None) -> int:
    if unit is None:
        return 30
    return int(config_get(unit, SUGGESTION_DEADLINE_DAYS, year) or 30)
