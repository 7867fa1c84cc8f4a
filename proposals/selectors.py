"""Every read of proposals and 社情民意 users see: scoped and prefetched.

A user sees a proposal when it belongs to their read scope (office, proposal committee,
leaders), when they proposed or co-signed it, or when it is assigned to their department."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from organizations import permissions as org_permissions
from organizations.models import Role

from .models import (
    Assignment,
    AssignmentStatus,
    Cosigner,
    OpinionItem,
    Proposal,
    ProposalStatus,
    Reply,
)
from .permissions import STAFF_ROLES


def _dept_q(user, field="unit_path") -> Q:
    paths = org_permissions.scope_paths(user, [Role.DEPARTMENT])
    if paths is None:
        return Q()
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def proposals_visible_to(*, user) -> QuerySet[Proposal]:
    if not user.is_authenticated:
        return Proposal.objects.none()
    if org_permissions.is_admin(user):
        return Proposal.objects.all()
    own = Q(proposer__user=user) | Q(pk__in=Cosigner.objects.filter(member__user=user).values("proposal_id"))
    assigned = Q(pk__in=Assignment.objects.filter(_dept_q(user)).exclude(
        status=AssignmentStatus.WITHDRAWN).values("proposal_id"))
    # Others' drafts stay private to the proposer and co-signers.
    office = org_permissions.scope_q(user) & ~Q(status=ProposalStatus.DRAFT)
    return Proposal.objects.filter(own | office | assigned)


def _list(qs) -> QuerySet[Proposal]:
    return qs.select_related("proposer", "org_unit").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.exclude(status=AssignmentStatus.WITHDRAWN)
                 .select_related("unit"))
    )


def proposal_list(*, user, q: str = "", status: str = "") -> QuerySet[Proposal]:
    qs = proposals_visible_to(user=user)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(proposer__name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    return _list(qs).order_by("-created_at", "-id")


def my_proposals(*, user) -> QuerySet[Proposal]:
    """Proposals the member proposed or co-signs, newest first."""
    own = Q(proposer__user=user) | Q(pk__in=Cosigner.objects.filter(member__user=user).values("proposal_id"))
    return _list(Proposal.objects.filter(own)).order_by("-created_at", "-id")


def review_queue(*, user) -> QuerySet[Proposal]:
    """Submitted proposals waiting for the committee, and registered ones still to assign."""
    scope = org_permissions.scope_q(user, roles=STAFF_ROLES)
    return _list(Proposal.objects.filter(scope, status__in=[ProposalStatus.SUBMITTED, ProposalStatus.REGISTERED,
                                                            ProposalStatus.ASSIGNING])).order_by("submitted_at", "id")


def department_inbox(*, user) -> QuerySet[Assignment]:
    """The department's assignments that still need something from it."""
    return (Assignment.objects.filter(_dept_q(user))
            .exclude(status=AssignmentStatus.WITHDRAWN)
            .select_related("proposal", "proposal__proposer", "unit")
            .order_by("status", "due_on", "id"))


def supervision_list(*, user) -> QuerySet[Proposal]:
    """Key proposals the leader supervises, or all key proposals of their scope."""
    q = Q(supervising_leader=user) | (org_permissions.scope_q(user, roles=[Role.LEADER, *STAFF_ROLES]) & Q(is_key=True))
    if org_permissions.is_admin(user):
        q = Q(is_key=True)
    return _list(Proposal.objects.filter(q)).select_related("supervising_leader").order_by("status", "id")


def open_assignments_in_scope(*, user) -> QuerySet[Assignment]:
    """Assignments waiting for their reply in the leader's or office's scope."""
    qs = Assignment.objects.filter(status=AssignmentStatus.ASSIGNED)
    if not org_permissions.is_admin(user):
        qs = qs.filter(org_permissions.scope_q(user, "proposal__org_path", roles=[Role.LEADER, *STAFF_ROLES]))
    return qs


def assignment_light_counts(*, qs: QuerySet[Assignment], today=None, days=None) -> dict[str, int]:
    """Open assignments of `qs` by traffic light: {"red": n, "yellow": n}. Red is one COUNT; yellow
    reads the few assignments due within 60 days (the longest yellow window) with their
    proposal's path, the unit's window resolved in memory (one query for every unit's setting)."""
    import datetime

    from organizations.traffic import TrafficDays
    from portal.traffic import traffic_light

    today = today or timezone.localdate()
    open_qs = qs.filter(status=AssignmentStatus.ASSIGNED).order_by()
    counts = {"red": open_qs.filter(due_on__lt=today).count(), "yellow": 0}
    near = open_qs.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=60))
    days = days or TrafficDays(today.year)  # always one query, rows or not (constant query counts)
    for due_on, org_path in near.values_list("due_on", "proposal__org_path").iterator():
        light = traffic_light(due_on, today=today, days=days.for_path(org_path))
        if light and light.code == "yellow":
            counts["yellow"] += 1
    return counts


def overdue_assignments(*, user) -> QuerySet[Assignment]:
    qs = Assignment.objects.filter(status=AssignmentStatus.ASSIGNED, due_on__lt=timezone.localdate())
    if not org_permissions.is_admin(user):
        qs = qs.filter(org_permissions.scope_q(user, "proposal__org_path", roles=[Role.LEADER, *STAFF_ROLES]))
    return qs.select_related("proposal", "unit").order_by("due_on")


def proposal_detail(*, user, pk) -> Proposal:
    from django.http import Http404

    try:
        return (proposals_visible_to(user=user)
                .select_related("proposer", "org_unit", "submitted_by", "supervising_leader", "merged_into", "body")
                .prefetch_related(
                    Prefetch("cosigners", queryset=Cosigner.objects.select_related("member")),
                    Prefetch("assignments", queryset=Assignment.objects.select_related("unit").prefetch_related(
                        "contacts", Prefetch("replies", queryset=Reply.objects.order_by("round", "id")))),
                    "attachments", "supervisions")
                .get(pk=pk))
    except (Proposal.DoesNotExist, ValueError, TypeError):
        raise Http404


def opinions_visible_to(*, user) -> QuerySet[OpinionItem]:
    if not user.is_authenticated:
        return OpinionItem.objects.none()
    if org_permissions.is_admin(user):
        return OpinionItem.objects.all()
    return OpinionItem.objects.filter(org_permissions.scope_q(user) | Q(submitter=user) | Q(member__user=user))


def opinion_list(*, user, status: str = "") -> QuerySet[OpinionItem]:
    qs = opinions_visible_to(user=user)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("member", "org_unit", "bulletin").prefetch_related("adoptions", "instructions").order_by(
        "-submitted_at", "-id")


def members_for_paper_entry(*, user):
    """The active members whose proposals the user may enter on their behalf (代录): members of
    the CPPCC units under the user's proposal-staff or office scope."""
    from members.models import Member

    return (Member.objects.filter(is_active=True).filter(org_permissions.scope_q(user, roles=STAFF_ROLES))
            .select_related("org_unit").order_by("org_path", "name"))
