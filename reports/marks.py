"""What a write touched, for the summary tables: every save or delete of a model some metric
declares as a source (portal.metrics ``sources=``) writes `FactMark` rows — the unit path and the
days (old and new values) — in the write's own transaction, so a rolled-back write marks nothing
and a committed one is never missed. The refresh (services.facts_refresh) consumes them.

Costs per write of a source model: one INSERT of the marks, plus one SELECT of the old values when
an existing record is saved (a date or the owner may have changed). Deletes and creates read the
instance itself."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models.signals import post_save, pre_delete, pre_save
from django.utils import timezone

from portal import metrics as contract
from portal.bulk import HeldWrites

from .models import FactMark

ALL_SOURCES = "*"


@dataclass
class Spec:
    """How to mark one source model: its label, the path lookups, the date lookups (empty with
    `all_periods`) and whether a change reaches the subtree."""

    label: str
    paths: set[str] = field(default_factory=set)
    dates: set[str] = field(default_factory=set)
    all_periods: bool = False
    subtree: bool = False
    distinct: contract.Distinct | None = None  # what a distinct count of the model counts (one per model)

    @property
    def lookups(self) -> list[str]:
        extra = set()
        if self.distinct is not None:
            extra = {self.distinct.who, self.distinct.day, self.distinct.path, self.distinct.counted[0]}
        return sorted(self.paths) + sorted(self.dates) + sorted(extra - self.paths - self.dates)


SPECS: dict[type, Spec] = {}


def _own_dates(model) -> set[str]:
    return {f.name for f in model._meta.concrete_fields if f.get_internal_type() in {"DateField", "DateTimeField"}}


def _default_path(model) -> str:
    names = {f.name for f in model._meta.concrete_fields}
    if "org_path" in names:
        return "org_path"
    if model._meta.label == "organizations.OrgUnit":
        return "path"
    raise ValueError(f"{model._meta.label}: name the path of its owning unit (Source(path=…))")


def build_specs() -> dict[type, Spec]:
    specs: dict[type, Spec] = {}
    for m in contract.METRICS.values():
        for src in m.sources or ():
            model = apps.get_model(src.model)
            spec = specs.setdefault(model, Spec(model._meta.label))
            spec.paths.add(src.path or _default_path(model))
            if src.dates is None:
                spec.dates |= _own_dates(model)
            elif not src.dates:
                spec.all_periods = True
            else:
                spec.dates |= set(src.dates)
            spec.subtree |= src.subtree
    for m in contract.METRICS.values():
        if m.distinct is not None:
            spec = specs[apps.get_model(m.distinct.model)]  # one of the metric's sources
            if spec.distinct not in (None, m.distinct):
                raise ValueError(f"{spec.label}: one Distinct per model ({m.key})")
            spec.distinct = m.distinct
    return specs


def connect() -> None:
    """Called from ReportsConfig.ready(), after every app registered its metrics."""
    SPECS.clear()
    SPECS.update(build_specs())
    for model in SPECS:
        uid = f"reports.marks.{model._meta.label}"
        pre_save.connect(_remember_old, sender=model, dispatch_uid=uid)
        post_save.connect(_saved, sender=model, dispatch_uid=uid)
        pre_delete.connect(_deleted, sender=model, dispatch_uid=uid)
    contract.CHANGE_LISTENERS[:] = [c for c in contract.CHANGE_LISTENERS if c is not changed]
    contract.CHANGE_LISTENERS.append(changed)


def _day(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _follow(instance, lookup: str):
    value = instance
    for part in lookup.split("__"):
        if value is None:
            return None
        value = getattr(value, part, None)
    return value


def _marks(spec: Spec, rows, *, bulk: bool = False) -> list[FactMark]:
    """rows: dicts {lookup: value}. One mark per (path, day); none for a row whose dates are all
    empty (it is in no period)."""
    keys = set()
    for row in rows:
        paths = [row[p] for p in spec.paths if row.get(p)]
        if spec.all_periods:
            days = [None]
        else:
            days = {d for d in (_day(row.get(lookup)) for lookup in spec.dates) if d is not None}
        keys.update((path, day) for path in paths for day in days)
    return [FactMark(source=spec.label, path=path, day=day, subtree=spec.subtree, bulk=bulk and spec.distinct is not None)
            for path, day in keys]


def _counted(spec: Spec, rows, sign: int, into: dict) -> None:
    d = spec.distinct
    field, values = d.counted
    for row in rows:
        who, path, day = row.get(d.who), row.get(d.path), _day(row.get(d.day))
        if who is not None and path and day is not None and str(row.get(field)) in values:
            into[(path, day, who)] = into.get((path, day, who), 0) + sign


def _signed(spec: Spec, old_rows, new_rows) -> list[FactMark]:
    """For a model a distinct count reads: the counted records the write removed (-1: as they were)
    and added (+1: as they are), a record unchanged in what counts cancelling out."""
    if spec.distinct is None:
        return []
    moves: dict = {}
    _counted(spec, old_rows, -1, moves)
    _counted(spec, new_rows, +1, moves)
    return [FactMark(source=spec.label, path=path, day=day, who=who, sign=sign)
            for (path, day, who), sign in moves.items() if sign]


def _insert(marks, using) -> None:
    FactMark.objects.using(using).bulk_create(marks, batch_size=2000)


# Bulk loads (`manage.py load_demo`): inside `deferred()` the marks of the writes are held and
# inserted at the block's end, one INSERT per database instead of one per write. Nothing may read
# the marks inside the block (facts_refresh). A write rolled back to a savepoint inside the block
# keeps its marks: a mark too many only makes the refresh recompute a figure that did not change.
_HELD = HeldWrites("reports_marks_held", _insert)
deferred = _HELD.block


def _write(marks, using) -> None:
    if marks and not _HELD.hold(marks, using):
        _insert(marks, using)


def _remember_old(sender, instance, raw=False, using=None, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    spec = SPECS[sender]
    instance._facts_old = list(sender._base_manager.using(using).filter(pk=instance.pk).values(*spec.lookups))


def _saved(sender, instance, raw=False, using=None, **kwargs):
    if raw:
        return
    spec = SPECS[sender]
    old = getattr(instance, "_facts_old", [])
    instance._facts_old = []
    new = [{lookup: _follow(instance, lookup) for lookup in spec.lookups}]
    _write(_marks(spec, old + new) + _signed(spec, old, new), using)


def _deleted(sender, instance, using=None, **kwargs):
    spec = SPECS[sender]
    old = [{lookup: _follow(instance, lookup) for lookup in spec.lookups}]
    _write(_marks(spec, old) + _signed(spec, old, []), using)


def changed(*, queryset=None, paths=None, created=None) -> None:
    """The listener of portal.metrics.records_changed / records_created / tree_changed."""
    if created:  # the marks _saved writes for each new record, in one INSERT
        marks = []
        for instance in created:
            spec = SPECS.get(type(instance))
            if spec is not None:
                new = [{lookup: _follow(instance, lookup) for lookup in spec.lookups}]
                marks += _marks(spec, new) + _signed(spec, [], new)
        _write(marks, created[0]._state.db or "default")
    if queryset is not None:
        spec = SPECS.get(queryset.model)
        if spec is not None:
            rows = queryset.order_by().values(*spec.lookups).distinct()
            _write(_marks(spec, rows, bulk=True), queryset.db)  # before and after alike: not signed
    if paths:
        _write([FactMark(source=ALL_SOURCES, path=p, day=None) for p in set(paths)], "default")
