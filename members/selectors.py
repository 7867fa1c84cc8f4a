"""Reads of members users see: scoped by the member's CPPCC unit or their postings."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from organizations import permissions

from .models import Member, Posting


def members_visible_to(*, user) -> QuerySet[Member]:
    """Members of a unit in the user's scope, or posted to one."""
    if permissions.is_admin(user):
        return Member.objects.all()
    posted = Posting.objects.filter(permissions.scope_q(user), member=OuterRef("pk"), is_active=True)
    own = Q(user=user) if user.is_authenticated else Q(pk__in=[])
    return Member.objects.filter(permissions.scope_q(user) | Exists(posted) | own)


def member_list(*, user, q: str = "", unit=None) -> QuerySet[Member]:
    qs = members_visible_to(user=user).filter(is_active=True)
    if unit is not None:
        qs = qs.filter(Q(org_path__startswith=unit.path) | Q(postings__org_path__startswith=unit.path)).distinct()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(work_unit__icontains=q) | Q(expertise__icontains=q))
    return qs.select_related("org_unit", "sector").order_by("org_path", "name")


def member_of_user(user) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.filter(user=user).select_related("org_unit").first()
