"""Who must log in with a second factor (portal/accounts/two_factor.py enforces it).

A unit's setting ``accounts.require_two_factor`` (off by default) turns it on for the staff of
that unit and of every unit below it; a unit below cannot turn it off again (the strictest
ancestor wins, unlike other settings where the nearest one does). Staff are the holders of every
role but committee members and residents (`STAFF_ROLES`); administrators (superusers) without
an assignment are not covered by a unit."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.errors import DomainError

from .config import ConfigKey, register_key
from .models import OrgUnit, Role, UnitConfig
from .permissions import _role_paths

REQUIRE_TWO_FACTOR = "accounts.require_two_factor"
STAFF_ROLES = frozenset(Role.values) - {Role.MEMBER, Role.RESIDENT}

_TRUE = {"1", "true", "yes", "on", "是", "开"}
_FALSE = {"0", "false", "no", "off", "否", "关", ""}


def yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise DomainError(_("Enter yes or no."), field="value")


def register_keys() -> None:
    register_key(ConfigKey(REQUIRE_TWO_FACTOR,
                           gettext_lazy("Staff of this unit and the units below it log in with two-factor"),
                           False, yes_no))


def _ids(paths) -> set[int]:
    return {int(part) for path in paths for part in path.strip("/").split("/") if part.isdigit()}


def required_for(user) -> bool:
    """Whether `user` holds a staff role in a unit that requires two-factor (there or above)."""
    paths = [p for role, ps in _role_paths(user).items() if role in STAFF_ROLES for p in ps]
    if not paths:
        return False
    return UnitConfig.objects.filter(key=REQUIRE_TWO_FACTOR, year__isnull=True, unit_id__in=_ids(paths),
                                     value=True).exists()


def unit_setting(unit: OrgUnit) -> dict:
    """For the unit page: is it on here, and is it on (so fixed) through an ancestor."""
    rows = dict(UnitConfig.objects.filter(key=REQUIRE_TWO_FACTOR, year__isnull=True,
                                          unit_id__in=unit.ancestor_ids, value=True)
                .values_list("unit_id", "unit__name"))
    inherited = [name for unit_id, name in rows.items() if unit_id != unit.pk]
    return {"here": unit.pk in rows, "inherited_from": inherited[0] if inherited else ""}
