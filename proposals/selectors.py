"""Every read of proposals and 社情民意 users see: scoped and prefetched.

A user sees a proposal when it belongs to their read scope (office, proposal committee,
leaders), when they proposed or co-signed it, or when it is assigned to their department."""

from __future__ import annotations

from django.db.models import Case, Count, DateField, F, Prefetch, Q, QuerySet, TextField, When
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


def inbox_columns(qs: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """The department inbox's rows (proposals/inbox.html) with only the columns they print and
    their traffic lights need — not the proposal's texts."""
    return qs.only("id", "proposal_id", "unit_id", "role", "status", "due_on",
                   "proposal__id", "proposal__title", "proposal__number", "proposal__term", "proposal__session",
                   "proposal__org_path", "proposal__proposer_id", "proposal__proposer__id", "proposal__proposer__name",
                   "unit__id", "unit__name")


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


def list_columns(qs: QuerySet[Proposal]) -> QuerySet[Proposal]:
    """A list page's proposals (proposals/_rows.html) with only the columns the rows print — not
    the texts of the case, analysis and suggestions — and their assignments likewise."""
    return qs.select_related(None).select_related("proposer", "org_unit").only(
        "id", "org_unit_id", "proposer_id", "title", "status", "number", "term", "session", "category", "is_key",
        "proposer__id", "proposer__name", "org_unit__id", "org_unit__name",
    ).prefetch_related(None).prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.exclude(status=AssignmentStatus.WITHDRAWN)
                 .select_related("unit").only("id", "proposal_id", "unit_id", "role", "status", "due_on",
                                              "unit__id", "unit__name"))
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
    """Open assignments of `qs` by traffic light: {"red": n, "yellow": n}, in one query: the overdue
    ones counted as one group, those due within 60 days (the longest yellow window) grouped by day
    and proposal path, the unit's window resolved in memory (one query for every unit's setting)."""
    import datetime

    from organizations.traffic import TrafficDays
    from portal.traffic import traffic_light

    today = today or timezone.localdate()
    open_qs = qs.filter(status=AssignmentStatus.ASSIGNED, due_on__lte=today + datetime.timedelta(days=60)).order_by()
    # one query: the overdue ones fold into one group (due and path NULL), the near ones by day and path
    overdue = Q(due_on__lt=today)
    groups = (open_qs.annotate(d=Case(When(overdue, then=None), default=F("due_on"), output_field=DateField()),
                               p=Case(When(overdue, then=None), default=F("proposal__org_path"),
                                      output_field=TextField()))
              .values_list("d", "p").annotate(n=Count("pk")))
    counts = {"red": 0, "yellow": 0}
    days = days or TrafficDays(today.year)  # always one query, rows or not (constant query counts)
    for due_on, org_path, n in groups:
        if due_on is None:
            counts["red"] += n
            continue
        light = traffic_light(due_on, today=today, days=days.for_path(org_path))
        if light and light.code == "yellow":
            counts["yellow"] += n
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
