"""Structure figures the bodies publish ("10 communities", "7 sector groups"), measured from the
org tree itself. Counts are of active units/bodies in the subtree today (the period does not
apply: the tree keeps no history)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.models import Body, BodyKind, OrgUnit, UnitKind
from portal.metrics import METRICS, Source, metric, subtree_counts

SECTION = _("Organisation")


def _units(kind):
    return OrgUnit.objects.filter(kind=kind, is_active=True)


def _bodies(kinds):
    return Body.objects.filter(kind__in=kinds, is_active=True)


def _register_units(key, label, kind, order):
    if key in METRICS:
        return

    def records(unit, start, end):
        return _units(kind).filter(path__startswith=unit.path).exclude(pk=unit.pk).order_by("path")

    def func(units, start, end):
        counts = subtree_counts(_units(kind), units, path_field="path")
        # a unit does not count itself ("townships under this county")
        return {u.pk: counts[u.pk] - (1 if u.kind == kind and u.is_active else 0) for u in units}

    metric(key, label, section=SECTION, unit=pgettext_lazy("unit of count", "units"), order=order, records=records,
           sources=[Source("organizations.OrgUnit", dates=())])(func)


def _register_bodies(key, label, kinds, order):
    if key in METRICS:
        return

    def records(unit, start, end):
        return _bodies(kinds).filter(unit__path__startswith=unit.path).select_related("unit").order_by("unit__path",
                                                                                                      "name")

    def func(units, start, end):
        return subtree_counts(_bodies(kinds), units, path_field="unit__path")

    metric(key, label, section=SECTION, unit=pgettext_lazy("unit of count", "bodies"), order=order, records=records,
           sources=[Source("organizations.Body", dates=(), path="unit__path")])(func)


_register_units("org.townships", _("Townships and streets"), UnitKind.TOWNSHIP, 10)
_register_units("org.communities", _("Villages and communities"), UnitKind.VILLAGE, 20)
_register_bodies("org.committees", _("Special committees"), [BodyKind.COMMITTEE], 30)
_register_bodies("org.sectors", _("Sectors and sector groups"), [BodyKind.SECTOR, BodyKind.SECTOR_GROUP], 40)
