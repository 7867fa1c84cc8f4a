"""The duty file (履职档案): automatic entries that workflows record, manual entries by members
and clerks, and their verification."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db import models as djm
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations import permissions
from organizations.models import OrgUnit
from portal.audit import audit_log
from portal.errors import DomainError, GuardFailed, NotAllowed

from .. import duty  # members/duty.py: the register of duty kinds (not this module)
from ..models import DutyRecord, DutyStatus, Member
from ..validators import validate_evidence
from ._common import CLERKS, _require_clerk


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

# ---------------------------------------------------------------------------------------------
# Manual duty entries and their verification

# Entries that workflows record themselves are never typed by hand ("nothing is typed twice").
AUTOMATIC_GROUPS = {"proposal", "opinion"}
AUTOMATIC_KINDS = {"session_attended", "workroom_activity"}
CLERK_ONLY_KINDS = {"absence_unexcused"}


def manual_kinds(*, clerk: bool) -> list[tuple[str, object]]:
    return [(k.code, k.label) for k in duty.kinds().values()
            if k.group not in AUTOMATIC_GROUPS and k.code not in AUTOMATIC_KINDS
            and (clerk or k.code not in CLERK_ONLY_KINDS)]


@transaction.atomic
def duty_record_submit(*, actor, member: Member, kind: str, occurred_on: datetime.date, title: str,
                       note: str = "", evidence=None, activity_unit: OrgUnit | None = None,
                       today: datetime.date | None = None) -> DutyRecord:
    """A manual entry: by the member (awaits a clerk's verification) or by a clerk (verified)."""
    today = today or timezone.localdate()
    is_self = member.user_id is not None and member.user_id == getattr(actor, "pk", None)
    is_clerk = permissions.has_role(actor, CLERKS, member.org_unit)
    if not (is_self or is_clerk):
        raise NotAllowed()
    if kind not in dict(manual_kinds(clerk=is_clerk)):
        raise DomainError(_("This kind of activity is recorded automatically or by the office."), field="kind")
    if occurred_on > today:
        raise DomainError(_("The date is in the future."), field="occurred_on")
    if occurred_on.year < today.year - 1:
        raise DomainError(_("Entries older than last year can no longer be added."), field="occurred_on")
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Describe what you did."), field="title")
    if not is_clerk and not evidence:
        raise DomainError(_("Attach a photo or document as evidence."), field="evidence")
    if evidence:
        try:
            validate_evidence(evidence)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="evidence")
    record = DutyRecord(
        member=member, kind=kind, occurred_on=occurred_on, title=title[:200], note=note,
        activity_unit=activity_unit, org_unit_id=member.org_unit_id, org_path=member.org_path, entered_by=actor,
        status=DutyStatus.VERIFIED if is_clerk and not is_self else DutyStatus.PENDING,
    )
    if record.status == DutyStatus.VERIFIED:
        record.reviewed_by, record.reviewed_at = actor, timezone.now()
    if evidence:
        record.evidence = evidence
    record.save()
    audit_log(actor=actor, action="members.duty.submit", target=record,
              after={"kind": kind, "occurred_on": occurred_on.isoformat(), "status": record.status,
                     "evidence": record.evidence.name or None})
    return record


@transaction.atomic
def duty_record_review(*, actor, record: DutyRecord, approve: bool, note: str = "") -> DutyRecord:
    record = DutyRecord.objects.select_for_update(of=("self",)).select_related("member", "org_unit").get(pk=record.pk)
    _require_clerk(actor, record.org_unit)
    if record.status != DutyStatus.PENDING:
        raise GuardFailed(_("Only entries awaiting verification can be verified or rejected."))
    if record.member.user_id is not None and record.member.user_id == actor.pk:
        raise GuardFailed(_("You cannot verify your own entry."))
    note = (note or "").strip()
    if not approve and not note:
        raise DomainError(_("Say why the entry is rejected."), field="note")
    before = {"status": record.status}
    record.status = DutyStatus.VERIFIED if approve else DutyStatus.REJECTED
    record.reviewed_by, record.reviewed_at, record.review_note = actor, timezone.now(), note[:300]
    record.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    audit_log(actor=actor, action="members.duty.verify" if approve else "members.duty.reject", target=record,
              before=before, after={"status": record.status}, note=note)
    return record


@transaction.atomic
def duty_record_cancel(*, actor, record: DutyRecord) -> DutyRecord:
    """The member takes back their own entry while it awaits verification."""
    record = DutyRecord.objects.select_for_update(of=("self",)).select_related("member").get(pk=record.pk)
    if record.member.user_id is None or record.member.user_id != actor.pk:
        raise NotAllowed()
    if record.status != DutyStatus.PENDING:
        raise GuardFailed(_("Only entries awaiting verification can be withdrawn."))
    record.status = DutyStatus.WITHDRAWN
    record.save(update_fields=["status"])
    audit_log(actor=actor, action="members.duty.cancel", target=record, before={"status": DutyStatus.PENDING},
              after={"status": DutyStatus.WITHDRAWN})
    return record
