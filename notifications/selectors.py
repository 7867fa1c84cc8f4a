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


def failed_deliveries() -> QuerySet[Delivery]:
    return (Delivery.objects.filter(status=DeliveryStatus.FAILED)
            .select_related("notification__recipient").order_by("-next_attempt_at", "-pk"))


def failed_scans() -> QuerySet[ScanRun]:
    return ScanRun.objects.filter(status=ScanStatus.FAILED).order_by("-started_at", "-pk")
