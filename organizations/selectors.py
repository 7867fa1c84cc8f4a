"""Reads of the org tree users see: scoped and with child counts in the same query."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from . import permissions
from .models import Body, OrgUnit, RoleAssignment


def units_for_tree(*, user, parent: OrgUnit | None = None) -> QuerySet[OrgUnit]:
    """Children of `parent` (or the user's top units) that the user may see, each annotated
    with its number of children."""
    qs = permissions.units_visible_to(user).filter(is_active=True)
    if parent is None:
        roots = permissions.scope_paths(user)
        if roots is None:
            qs = qs.filter(parent__isnull=True)
        else:
            qs = qs.filter(path__in=roots)
    else:
        qs = qs.filter(parent=parent)
    return qs.annotate(child_count=Count("children", filter=Q(children__is_active=True))).order_by(
        "sort_order", "path"
    )


def units_search(*, user, q: str, limit: int = 50) -> QuerySet[OrgUnit]:
    q = (q or "").strip()[:50]
    qs = permissions.units_visible_to(user).filter(is_active=True)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(liaison_body_name__icontains=q))
    return qs.select_related("parent").order_by("depth", "path")[:limit]


def unit_ancestors(unit: OrgUnit) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(pk__in=unit.ancestor_ids).order_by("depth")


def unit_bodies(unit: OrgUnit) -> QuerySet[Body]:
    return Body.objects.filter(unit=unit, is_active=True).select_related("group").prefetch_related("officers")


def assignments_in_scope(*, user) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.filter(permissions.scope_q(user, "unit__path"), is_active=True)
        .select_related("user", "unit")
        .order_by("unit__path", "role", "user__username")
    )
