"""Reads of the member and workroom codes, scoped: a message is seen by its addressee (the
member; a workroom's lead member and members) and by the secretaries and office clerks over the
unit where it is followed up — nobody else (404)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from members.models import Workroom
from organizations.permissions import CLERK_ROLES, MANAGE_ROLES, scope_paths, scope_q

from ..models import CodeMessage, ContactCode

STATUS_FILTERS = ("open", "done", "all")


def _addressed_to(user) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    in_workroom = Workroom.members.through.objects.filter(workroom_id=OuterRef("workroom_id"), member__user=user)
    return Q(member__user=user) | Q(workroom__lead_member__user=user) | Exists(in_workroom)


def messages_visible_to(*, user, mine_only: bool = False) -> QuerySet[CodeMessage]:
    """Messages the user may read; `mine_only` keeps those addressed to the user (the member's
    inbox) and leaves out what they see only as a secretary or clerk."""
    q = _addressed_to(user)
    if not mine_only:
        if scope_paths(user, MANAGE_ROLES) is None:  # an administrator (Q() | q would be just q)
            return CodeMessage.objects.all()
        q |= scope_q(user, roles=MANAGE_ROLES)
    return CodeMessage.objects.filter(q)


def inbox(*, user, status: str = "open", mine_only: bool = False) -> QuerySet[CodeMessage]:
    qs = messages_visible_to(user=user, mine_only=mine_only)
    if status == "open":
        qs = qs.filter(status=CodeMessage.Status.NEW)
    elif status == "done":
        qs = qs.exclude(status=CodeMessage.Status.NEW)
    return (qs.select_related("member", "workroom", "org_unit")
            .only("id", "title", "status", "received_on", "answered_on", "created_at", "member__name",
                  "workroom__name", "org_unit__name", "org_path")
            .order_by("-created_at", "-id"))


def message_for(*, user, pk) -> CodeMessage:
    try:
        return (messages_visible_to(user=user)
                .select_related("member__org_unit", "workroom__lead_member", "workroom__org_unit", "org_unit",
                                "topic", "answered_by")
                .get(pk=int(pk)))
    except (CodeMessage.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404


def message_by_code(code: str) -> CodeMessage | None:
    """The message a resident follows by tracking code (public; no personal data is shown)."""
    code = (code or "").strip()
    if not code or len(code) > 32:
        return None
    return (CodeMessage.objects.select_related("member", "workroom", "org_unit", "topic")
            .filter(tracking_code=code).first())


def codes_visible_to(*, user) -> QuerySet[ContactCode]:
    """Codes (active and retired) the user may show, renew or retire — the same people as
    ``services.can_show_member_code`` / ``can_show_workroom_code``: the member themself and the
    office clerks over the member's unit; a workroom's lead member and members, and the
    secretaries and clerks over its unit."""
    if not user.is_authenticated:
        return ContactCode.objects.none()
    if scope_paths(user, MANAGE_ROLES) is None:
        return ContactCode.objects.all()
    in_workroom = Workroom.members.through.objects.filter(workroom_id=OuterRef("workroom_id"), member__user=user)
    q = (Q(member__user=user) | Q(workroom__lead_member__user=user) | Exists(in_workroom)
         | (Q(member__isnull=False) & scope_q(user, "member__org_path", roles=CLERK_ROLES))
         | (Q(workroom__isnull=False) & scope_q(user, "workroom__org_path", roles=MANAGE_ROLES)))
    return ContactCode.objects.filter(q)


def counts(*, member=None, workroom=None, year: int | None = None) -> dict:
    """Received, answered, turned into topics and into 社情民意 — by the day each happened —
    for one member or workroom, in one query."""
    qs = CodeMessage.objects.filter(member=member) if member is not None else CodeMessage.objects.filter(
        workroom=workroom)
    received = Q(received_on__year=year) if year else Q()
    answered = Q(answered_on__year=year) if year else Q(answered_on__isnull=False)
    converted = Q(converted_on__year=year) if year else Q(converted_on__isnull=False)
    return qs.aggregate(
        received=Count("pk", filter=received),
        answered=Count("pk", filter=answered),
        topics=Count("pk", filter=converted & Q(status=CodeMessage.Status.TOPIC)),
        opinions=Count("pk", filter=converted & Q(status=CodeMessage.Status.OPINION)),
        waiting=Count("pk", filter=Q(status=CodeMessage.Status.NEW)),
    )
