"""The audit trail: every service writes one event per change, inside its own transaction."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy

from .bulk import HeldWrites
from .models import AuditEvent

# Field names whose values never go into the trail.
REDACTED = {"password", "token", "secret", "id_key_hash", "contact_phone"}


def _plain(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or None
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict:
    """The named fields of `instance` as JSON-safe values (foreign keys as ids)."""
    data = {}
    for name in fields:
        if name in REDACTED:
            data[name] = "***"
            continue
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        data[name] = _plain(getattr(instance, attname))
    return data


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, so the timeline shows what really changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def audit_log(**fields) -> AuditEvent:
    """Record one change (the keyword arguments of audit_event). Call it inside the service's
    transaction so the event and the change commit or roll back together."""
    event = audit_event(**fields)
    if not _HELD.hold([event], event._state.db or "default"):  # inside deferred(): written at its end
        event.save(force_insert=True)
    return event


def audit_event(
    *,
    actor,
    action: str,
    target: models.Model,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEvent:
    """The event audit_log records, not yet saved: a service that writes many records at once
    writes their events with one AuditEvent.objects.bulk_create, in the same transaction."""
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent(
        actor=actor_obj,
        action=action,
        target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        target_id="" if target.pk is None else str(target.pk),
        target_repr=str(target)[:200],
        org_path=getattr(target, "org_path", None) or getattr(target, "path", "") or "",
        before=before,
        after=after,
        note=note,
    )


# Bulk loads (`manage.py load_demo`): inside `deferred()` the events are held and inserted at the
# block's end in the order they were logged — the same rows and ids, timed at the block's end.
# Nothing inside the block may read the trail, and the event audit_log returns is not saved yet.
_HELD = HeldWrites("audit_held", lambda events, using: AuditEvent.objects.using(using).bulk_create(events, batch_size=1000))
deferred = _HELD.block


def timeline_for(target: models.Model):
    """The record's history, newest first, with actors fetched in the same query."""
    return (
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
            target_id=str(target.pk),
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


# Human labels for audit actions ("consultations.topic.approve" → "审核通过"). Each app registers
# its own in AppConfig.ready(); the timeline shows the label, falling back to the code.
_ACTION_LABELS: dict[str, str] = {}


def register_action_labels(labels: dict[str, str]) -> None:
    """`labels` maps action codes to lazy translated strings."""
    _ACTION_LABELS.update(labels)


# The last part of an unregistered action code, read as a generic verb: a timeline never shows a
# code ("members.thing.frobnicate"), whatever a new service forgets to register
# (tests/portal/test_action_labels.py fails on such a service).
_GENERIC_VERBS = {
    "create": gettext_lazy("Created"), "add": gettext_lazy("Added"), "update": gettext_lazy("Edited"), "edit": gettext_lazy("Edited"),
    "delete": gettext_lazy("Deleted"), "remove": gettext_lazy("Removed"), "submit": gettext_lazy("Submitted"),
    "approve": gettext_lazy("Approved"), "reject": gettext_lazy("Rejected"), "close": gettext_lazy("Closed"),
    "upload": gettext_lazy("Uploaded"), "import": gettext_lazy("Imported"),
}


def action_label(code: str) -> str:
    label = _ACTION_LABELS.get(code)
    if label is not None:
        return label
    verb = (code or "").rsplit(".", 1)[-1]
    return _GENERIC_VERBS.get(verb, gettext_lazy("Record changed"))
