"""Reads of the inbox, preferences and failures. A user's inbox is their own rows only."""

from __future__ import annotations

from django.db.models import QuerySet

from . import kinds
from .models import Delivery, DeliveryMode, DeliveryStatus, Notification, Preference, ScanRun, ScanStatus


def inbox_for(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user, in_inbox=True).exclude(state="suppressed")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.only("id", "kind", "subject", "body", "url", "due", "created_at", "read_at", "recipient_id")


def unread_count(*, user) -> int:
    return inbox_for(user=user, unread_only=True).count()


def preferences_for(*, user) -> list[dict]:
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "mode"))
    rows = []
    for kind in kinds.all_kinds():
        mode = chosen.get(kind.kind, DeliveryMode.IMMEDIATE)
        if kind.mandatory and mode == DeliveryMode.OFF:
            mode = DeliveryMode.IMMEDIATE
        rows.append({"kind": kind.kind, "label": kind.label, "mandatory": kind.mandatory, "mode": mode})
    return rows


# Who looks after failed deliveries: the CPPCC office of a county or city, for the
# notifications of its own subtree (their org_path); the system administrator for all of them
# and for the reminder scans, which run for the whole province.
FAILURE_ROLES = ("admin", "office_clerk")


def can_see_failures(user) -> bool:
    from organizations.permissions import has_role

    return user.is_authenticated and has_role(user, FAILURE_ROLES)


def can_see_scans(user) -> bool:
    from organizations.permissions import is_admin

    return user.is_authenticated and is_admin(user)


def deliveries_in_care_of(*, user) -> QuerySet[Delivery]:
    """Deliveries of notifications in the user's office scope (all of them for the administrator)."""
    from organizations.permissions import scope_q

    return Delivery.objects.filter(scope_q(user, "notification__org_path", FAILURE_ROLES))


def failed_deliveries(*, user) -> QuerySet[Delivery]:
    return (deliveries_in_care_of(user=user).filter(status=DeliveryStatus.FAILED)
            .select_related("notification__recipient").order_by("-next_attempt_at", "-pk"))


def failed_scans(*, user) -> QuerySet[ScanRun]:
    if not can_see_scans(user):
        return ScanRun.objects.none()
    return ScanRun.objects.filter(status=ScanStatus.FAILED).order_by("-started_at", "-pk")
