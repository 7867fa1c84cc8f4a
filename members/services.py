"""Writes to members and the duty file."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db import models as djm
from django.utils.translation import gettext as _

from portal.audit import audit_log
from portal.errors import DomainError

from . import duty
from .models import DutyRecord, DutyStatus, Member


@transaction.atomic
def duty_record_add(*, member: Member, kind: str, source: djm.Model | None, occurred_on: datetime.date,
                    title: str, activity_unit=None, actor=None) -> DutyRecord:
    """Record that `member` did `kind` because of `source` (a session, a proposal …).

    Idempotent: calling it again for the same member, kind and source returns the existing
    entry (reactivating a withdrawn one), so workflows may call it on every transition."""
    if kind not in duty.kinds():
        raise DomainError(_("Unknown duty activity kind: %(kind)s") % {"kind": kind})
    source_type = ContentType.objects.get_for_model(source) if source is not None else None
    source_id = str(source.pk) if source is not None else ""
    if source is not None:
        existing = DutyRecord.objects.filter(member=member, kind=kind, source_type=source_type,
                                             source_id=source_id).first()
        if existing:
            if existing.status == DutyStatus.WITHDRAWN:
                existing.status = DutyStatus.AUTO
                existing.save(update_fields=["status"])
                audit_log(actor=actor, action="duty.restore", target=existing)
            return existing
    record = DutyRecord(
        member=member, kind=kind, source_type=source_type, source_id=source_id, occurred_on=occurred_on,
        title=title[:200], activity_unit=activity_unit, org_unit_id=member.org_unit_id, org_path=member.org_path,
        status=DutyStatus.AUTO if source is not None else DutyStatus.PENDING,
    )
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:  # a concurrent call recorded it first
        return DutyRecord.objects.get(member=member, kind=kind, source_type=source_type, source_id=source_id)
    audit_log(actor=actor, action="duty.add", target=record,
              after={"kind": kind, "source": f"{source_type}:{source_id}" if source else None})
    return record


@transaction.atomic
def duty_record_withdraw(*, member: Member, kind: str, source: djm.Model, actor=None) -> int:
    """Undo an automatic entry when its cause is undone (e.g. attendance corrected)."""
    source_type = ContentType.objects.get_for_model(source)
    records = list(DutyRecord.objects.select_for_update().filter(
        member=member, kind=kind, source_type=source_type, source_id=str(source.pk),
    ).exclude(status=DutyStatus.WITHDRAWN))
    for record in records:
        record.status = DutyStatus.WITHDRAWN
        record.save(update_fields=["status"])
        audit_log(actor=actor, action="duty.withdraw", target=record)
    return len(records)
