"""Reads of the org tree users see: scoped and with child counts in the same query."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from . import permissions
from .models import Body, OrgUnit, Role, RoleAssignment


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


# -------------------------------------------------------------------- holders of a role

def active_role_assignments(roles: Iterable[str]) -> QuerySet[RoleAssignment]:
    """The one is_active policy for "who holds a role": the assignment, its unit and the user
    are all active."""
    return RoleAssignment.objects.filter(role__in=list(roles), is_active=True, unit__is_active=True,
                                         user__is_active=True)


class RoleHolders:
    """Who holds role R at or above unit U — loaded once (one query) for a whole scan, then
    answered in memory for each record (reminders, monthly reports).

    An administrator's role is global rather than a place in the tree, so ADMIN in `roles`
    (the shared role sets include it) is ignored: administrators are never the responsible
    holder at a unit."""

    def __init__(self, roles: Iterable[str]):
        roles = [r for r in roles if r != Role.ADMIN]
        self.rows = list(active_role_assignments(roles).values_list("user_id", "role", "unit__path", "unit_id"))

    def _match(self, role):
        wanted = None if role is None else ({role} if isinstance(role, str) else set(role))
        return [row for row in self.rows if wanted is None or row[1] in wanted]

    def at_or_above(self, path: str, role: str | Iterable[str] | None = None) -> list[int]:
        """User ids holding `role` at the unit `path` or one of its ancestors."""
        return sorted({uid for uid, _r, p, _u in self._match(role) if path.startswith(p)})

    def nearest(self, path: str, role: str | Iterable[str] | None = None) -> list[int]:
        """Holders at the deepest unit at or above `path` that has any (e.g. the county office
        of a township's workroom, not the city office as well)."""
        matching = [(p, uid) for uid, _r, p, _u in self._match(role) if path.startswith(p)]
        if not matching:
            return []
        deepest = max(len(p) for p, _uid in matching)
        return sorted({uid for p, uid in matching if len(p) == deepest})

    def at(self, path: str, role: str | Iterable[str] | None = None) -> list[int]:
        """Holders at exactly the unit `path` (a department's handlers)."""
        return sorted({uid for uid, _r, p, _u in self._match(role) if p == path})

    def at_or_below(self, path: str, role: str | Iterable[str] | None = None) -> list[int]:
        """Holders at `path` or inside its subtree."""
        return sorted({uid for uid, _r, p, _u in self._match(role) if p.startswith(path)})

    def by_unit(self, role: str | Iterable[str] | None = None) -> dict[int, list[int]]:
        """{unit id: [user ids]} of the holders."""
        result: dict[int, set[int]] = {}
        for uid, _r, _p, unit_id in self._match(role):
            result.setdefault(unit_id, set()).add(uid)
        return {k: sorted(v) for k, v in result.items()}

    def assignments(self, role: str | Iterable[str] | None = None) -> list[tuple[int, str]]:
        """(user id, unit path) of every holder."""
        return [(uid, p) for uid, _r, p, _u in self._match(role)]


def under(queryset: QuerySet, unit_id, field: str = "org_path") -> QuerySet:
    """The API's `under` filter, written once: records in the subtree of the unit with id
    `unit_id` (none when there is no such unit). Scoping still comes from the queryset."""
    path = OrgUnit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
    if path is None:
        return queryset.none()
    return queryset.filter(**{f"{field}__startswith": path})
