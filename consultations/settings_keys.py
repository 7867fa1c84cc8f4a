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


def register():
    register_key(ConfigKey(QUOTA, _lazy("Consultation sessions per year (quota)"), None, positive_int(400)))
    register_key(ConfigKey(FOLLOWUP_DAYS, _lazy("Days from closing to the follow-up review (回头看)"), 90,
                           positive_int(1100)))
    register_key(ConfigKey(RESEARCH_WAIVER, _lazy("Sessions may be scheduled without research (exception)"),
                           False, _bool))
    register_key(ConfigKey(STAKEHOLDER_MIN, _lazy("Minimum share of stakeholders among participants (%)"), 0,
                           positive_int(100)))
    register_key(ConfigKey(MINUTES_DUE_DAYS, _lazy("Days after a session by which the outcome is due"), 7,
                           positive_int(365)))


def quota_for(unit, year: int) -> int | None:
    value = config_get(unit, QUOTA, year)
    if value is None:
        return DEFAULT_QUOTA_BY_KIND.get(unit.kind)
    return int(value)


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
