"""The one permission API that pages, the API, exports and tasks all use.

A user's *scope* for a role is the set of subtrees rooted at the units of their active
assignments of that role (plus units granted explicitly through django-guardian). Reads filter
with ``scope_q``; services re-check with ``require_role``. Everything outside the scope answers
404 to the user, never revealing that it exists.

Role table (who may do what) — details per record live in each app's permissions module:

=============== ============================================================================
role            scope and typical rights
=============== ============================================================================
admin           everything (also ``is_superuser``)
office_clerk    the CPPCC office of a city/county: manages its subtree, plans, reports
proposal_staff  提案委 staff: proposal review, registration, assignment in the subtree
secretary       liaison-group secretary: enters topics, research, sessions, outcomes
approver        same-level Party organisation / liaison head: approves topics
member          committee member: own records, invitations, proposals, 社情民意
department      handling department: only records routed to its unit
leader          read-mostly over the subtree; instructions (批示), supervision
resident        public participation only
=============== ============================================================================
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, F, Q, QuerySet, Value

from portal.errors import NotAllowed
from portal.lookups import one_or_404

from .models import OrgUnit, Role, RoleAssignment

# The role sets, defined once. Each includes ADMIN so that it reads the same in `has_role`
# (which lets an administrator through anyway) and in `roles_of` checks (which do not).
# Roles whose scope lets a user *read* records of the subtree.
READ_ROLES = frozenset({
    Role.ADMIN, Role.OFFICE_CLERK, Role.PROPOSAL_STAFF, Role.SECRETARY, Role.APPROVER, Role.LEADER,
})
# Roles that manage (write) records of their subtree in general: the office and the liaison secretary.
MANAGE_ROLES = frozenset({Role.ADMIN, Role.OFFICE_CLERK, Role.SECRETARY})
# The CPPCC office of a city or county (plans, quotas, workrooms approval, reports).
CLERK_ROLES = frozenset({Role.ADMIN, Role.OFFICE_CLERK})
# Proposal work: the 提案委 staff and the office.
PROPOSAL_STAFF_ROLES = frozenset({Role.ADMIN, Role.PROPOSAL_STAFF, Role.OFFICE_CLERK})
# Approval of topics by the same-level Party organisation / liaison head.
APPROVER_ROLES = frozenset({Role.ADMIN, Role.APPROVER})

_CACHE_ATTR = "_portal_role_paths"


def _role_paths(user) -> dict[str, list[str]]:
    """{role: [unit path, …]} for the user's active assignments, cached on the user object
    (one query per request)."""
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    # Explicit per-object grants (django-guardian, direct FK table) extend the read scope
    # ("_granted"); read with the assignments in one query (a round trip on every page).
    from .models import OrgUnitUserObjectPermission

    assigned = (RoleAssignment.objects.filter(user=user, is_active=True, unit__is_active=True).order_by()
                .annotate(r=F("role"), p=F("unit__path")).values_list("r", "p"))
    granted = (OrgUnitUserObjectPermission.objects.filter(user=user, permission__codename="view_orgunit").order_by()
               .annotate(r=Value("_granted", output_field=CharField()), p=F("content_object__path"))
               .values_list("r", "p"))
    result: dict[str, list[str]] = {}
    for role, path in assigned.union(granted, all=True):
        result.setdefault(role, []).append(path)
    setattr(user, _CACHE_ATTR, result)
    return result


def role_unit_paths(user, role: str) -> list[str]:
    """Paths of the units where the user holds `role` itself (an administrator's implicit
    roles are not listed)."""
    return list(_role_paths(user).get(role, []))


def clear_cache(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def is_admin(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or Role.ADMIN in _role_paths(user)))


def roles_of(user) -> set[str]:
    roles = {r for r in _role_paths(user) if not r.startswith("_")}
    if user is not None and user.is_authenticated and user.is_superuser:
        roles.add(Role.ADMIN)
    return roles


def _minimal(paths: Iterable[str]) -> list[str]:
    """Drop paths already covered by an ancestor path in the list."""
    result: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(p) for p in result):
            result.append(path)
    return result


def scope_paths(user, roles: Iterable[str] | None = None) -> list[str] | None:
    """Subtree roots the user may see through `roles` (default: the read roles).
    None means unrestricted (administrator)."""
    if is_admin(user):
        return None
    wanted = set(READ_ROLES if roles is None else roles)
    role_paths = _role_paths(user)
    paths = [p for role, ps in role_paths.items() if role in wanted for p in ps]
    if roles is None:
        paths += role_paths.get("_granted", [])
    return _minimal(paths)


def scope_q(user, field: str = "org_path", roles: Iterable[str] | None = None) -> Q:
    """A Q object limiting `field` (a path column) to the user's scope. Matches nothing when
    the user has no scope at all."""
    paths = scope_paths(user, roles)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def in_scope(user, path: str, roles: Iterable[str] | None = None) -> bool:
    paths = scope_paths(user, roles)
    return paths is None or any(path.startswith(p) for p in paths)


def has_role(user, role: str | Iterable[str], unit: OrgUnit | str | None = None) -> bool:
    """Whether the user holds `role` (one or several) at `unit` or an ancestor of it.
    Without `unit`: whether they hold the role anywhere."""
    if is_admin(user):
        return True
    wanted = {role} if isinstance(role, str) else set(role)
    role_paths = _role_paths(user)
    if unit is None:
        return any(r in role_paths for r in wanted)
    path = unit if isinstance(unit, str) else unit.path
    return any(path.startswith(p) for r in wanted for p in role_paths.get(r, []))


def require_role(user, role: str | Iterable[str], unit: OrgUnit | str | None = None) -> None:
    """For services: raise NotAllowed unless `has_role`."""
    if not has_role(user, role, unit):
        raise NotAllowed()


def units_visible_to(user, roles: Iterable[str] | None = None) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(scope_q(user, "path", roles))


def scoped(queryset: QuerySet, user, field: str = "org_path", roles: Iterable[str] | None = None) -> QuerySet:
    return queryset.filter(scope_q(user, field, roles))


def get_in_scope_or_404(queryset: QuerySet, user, *, field: str = "org_path", roles=None, **lookup):
    """Fetch one record the user may see; anything else — missing, outside the scope or a
    malformed id — is the same 404."""
    return one_or_404(scoped(queryset, user, field, roles), **lookup)


def get_for_role(queryset: QuerySet, user, roles: str | Iterable[str], *, field: str = "org_path", **lookup):
    """The refusal policy in one call, for a page or action on one record that needs `roles`:
    the record outside the user's (read) scope — or missing, or a malformed id — is a 404 (its
    existence is not revealed); a record the user may see, without one of `roles` at or above
    its unit, is a 403 (`PermissionDenied`: the "not allowed" page, or the API's 403)."""
    obj = get_in_scope_or_404(queryset, user, field=field, **lookup)
    path = obj
    for part in field.split("__"):
        path = getattr(path, part)
    if not has_role(user, roles, path):
        raise PermissionDenied
    return obj


def require_page_role(user, roles: str | Iterable[str]) -> None:
    """The refusal policy for a page that is not one record (a queue, a "new …" form, an import):
    a signed-in user without one of `roles` anywhere gets the 403 "not allowed" page. (A record
    outside the scope stays a 404: `get_in_scope_or_404` / `get_for_role`.)"""
    if not has_role(user, roles):
        raise PermissionDenied


def home_units(user) -> QuerySet[OrgUnit]:
    """The units of the user's own assignments, for the home page."""
    return OrgUnit.objects.filter(
        role_assignments__user=user, role_assignments__is_active=True
    ).distinct().order_by("path")


def home_identity(user) -> dict:
    """What the home page shows of the user's place in the tree (registered with portal/identity.py)."""
    roles = roles_of(user)
    return {
        "units": list(home_units(user)),
        "roles": [(code, label) for code, label in Role.choices if code in roles],
        "unrestricted": scope_paths(user) is None,
    }
