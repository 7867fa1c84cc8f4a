"""Per-unit, per-year configuration, inherited down the tree.

Apps register the keys they read with a default and a validator (in their AppConfig.ready);
``config_get(unit, key, year)`` returns the value set on the nearest unit on the path from
`unit` up to the root — a year-specific value beating a general one on the same unit — or the
registered default. One query per lookup, whatever the depth."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from portal.errors import DomainError

from .models import OrgUnit, UnitConfig


@dataclass(frozen=True)
class ConfigKey:
    key: str
    label: Any
    default: Any
    validate: Callable[[Any], Any] | None = None  # returns the cleaned value or raises DomainError


_KEYS: dict[str, ConfigKey] = {}


def register_key(key: ConfigKey) -> None:
    _KEYS[key.key] = key


def registered_keys() -> dict[str, ConfigKey]:
    return dict(_KEYS)


def validate_config(key: str, value):
    spec = _KEYS.get(key)
    if spec is None:
        raise DomainError(_("Unknown setting: %(key)s") % {"key": key}, field="key")
    return spec.validate(value) if spec.validate else value


def config_get(unit: OrgUnit, key: str, year: int | None = None):
    spec = _KEYS.get(key)
    default = spec.default if spec else None
    ids = unit.ancestor_ids
    rows = list(
        UnitConfig.objects.filter(unit_id__in=ids, key=key).values_list("unit_id", "year", "value")
    )
    if not rows:
        return default
    depth_of = {uid: i for i, uid in enumerate(ids)}
    best = None
    best_rank = None
    for unit_id, row_year, value in rows:
        if row_year is not None and row_year != year:
            continue
        rank = (depth_of[unit_id], 1 if row_year is not None else 0)
        if best_rank is None or rank > best_rank:
            best, best_rank = value, rank
    return default if best_rank is None else best


def positive_int(maximum: int = 10_000):
    def check(value):
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise DomainError(_("Enter a whole number."), field="value")
        if number < 0 or number > maximum:
            raise DomainError(_("Enter a number between 0 and %(max)d.") % {"max": maximum}, field="value")
        return number

    return check
