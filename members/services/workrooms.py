"""Workrooms (委员工作室): writes, the annual check, activities and the plaque checklist. Which step
may be taken from which state, by whom, is the WORKROOM table of members/workflows.py."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations import permissions
from organizations.models import OrgUnit
from portal.audit import audit_log, changed, snapshot
from portal.concurrency import bump_version, check_version
from portal.errors import DomainError, GuardFailed, NotAllowed

from ..models import ChecklistEvidence, ChecklistItem, Workroom, WorkroomActivity
from ..validators import validate_evidence
from ..workflows import TRANSITIONS as WORKROOM_STEPS
from ..workflows import WORKROOM
from ._common import _require_clerk
from .duty import duty_record_add

WORKROOM_FIELDS = ["name", "kind", "lead_type", "lead_member", "place", "opening_hours", "reception_days",
                   "standard", "description"]
WORKROOM_EDITORS = permissions.MANAGE_ROLES
# Who may take which step from which state: the WORKROOM table of members/workflows.py.


@transaction.atomic
def workroom_create(*, actor, unit: OrgUnit, members=(), **fields) -> Workroom:
    if not permissions.has_role(actor, WORKROOM_EDITORS, unit):
        raise NotAllowed()
    if not (fields.get("name") or "").strip():
        raise DomainError(_("Enter a name."), field="name")
    workroom = Workroom(org_unit=unit, **fields)
    workroom.save()
    workroom.members.set(members)
    audit_log(actor=actor, action="members.workroom.create", target=workroom,
              after=snapshot(workroom, WORKROOM_FIELDS) | {"members": [m.pk for m in members]})
    return workroom


@transaction.atomic
def workroom_update(*, actor, workroom: Workroom, version, members=None, **fields) -> Workroom:
    workroom = Workroom.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=workroom.pk)
    WORKROOM.check(workroom, actor, "edit")
    check_version(workroom, version, required=True)
    before = snapshot(workroom, WORKROOM_FIELDS) | {"members": sorted(workroom.members.values_list("pk", flat=True))}
    for name, value in fields.items():
        setattr(workroom, name, value)
    bump_version(workroom)
    if members is not None:
        workroom.members.set(members)
    after = snapshot(workroom, WORKROOM_FIELDS) | {"members": sorted(workroom.members.values_list("pk", flat=True))}
    b, a = changed(before, after)
    audit_log(actor=actor, action="members.workroom.update", target=workroom, before=b, after=a)
    return workroom


@transaction.atomic
def workroom_transition(*, actor, workroom: Workroom, action: str, version=None, note: str = "",
                        today: datetime.date | None = None) -> Workroom:
    """application → review → approval → plaque (挂牌) → revocation. The plaque needs evidence for
    every checklist item; a revocation needs a reason."""
    if action not in WORKROOM_STEPS:
        raise GuardFailed()
    workroom = Workroom.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=workroom.pk)
    to = WORKROOM.check(workroom, actor, action).target  # roles, state, and the plaque's evidence
    check_version(workroom, version)
    note = (note or "").strip()
    if action in ("reject", "revoke") and not note:
        raise DomainError(_("Give the reason."), field="note")
    if action == "plaque":
        workroom.plaqued_on = today or timezone.localdate()
    if action == "approve":
        workroom.approved_on = today or timezone.localdate()  # idle days count from here
    before = {"status": workroom.status}
    workroom.status = to
    bump_version(workroom, ["status", "plaqued_on", "approved_on"])
    audit_log(actor=actor, action=f"members.workroom.{action}", target=workroom, before=before,
              after={"status": to}, note=note)
    return workroom


@transaction.atomic
def workroom_annual_check(*, actor, workroom: Workroom, passed: bool, note: str = "", version=None,
                          today: datetime.date | None = None) -> Workroom:
    workroom = Workroom.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=workroom.pk)
    WORKROOM.check(workroom, actor, "check_pass" if passed else "check_fail")
    check_version(workroom, version)
    if not passed and not (note or "").strip():
        raise DomainError(_("Give the reason."), field="note")
    workroom.last_checked_on, workroom.last_check_passed = today or timezone.localdate(), bool(passed)
    bump_version(workroom, ["last_checked_on", "last_check_passed"])
    audit_log(actor=actor, action="members.workroom.check", target=workroom,
              after={"passed": bool(passed), "on": workroom.last_checked_on.isoformat()}, note=note)
    return workroom


@transaction.atomic
def workroom_activity_add(*, actor, workroom: Workroom, occurred_on: datetime.date, title: str,
                          summary: str = "", participants=(), residents: int = 0,
                          today: datetime.date | None = None) -> WorkroomActivity:
    """Log an activity; each participating member gets a duty entry automatically."""
    workroom = Workroom.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=workroom.pk)
    WORKROOM.check(workroom, actor, "activity")
    if occurred_on > (today or timezone.localdate()):
        raise DomainError(_("The date is in the future."), field="occurred_on")
    if not (title or "").strip():
        raise DomainError(_("Enter a title."), field="title")
    activity = WorkroomActivity.objects.create(workroom=workroom, occurred_on=occurred_on, title=title.strip()[:200],
                                               summary=summary, residents=residents, created_by=actor)
    activity.participants.set(participants)
    if workroom.last_activity_on is None or occurred_on > workroom.last_activity_on:
        workroom.last_activity_on = occurred_on
        workroom.save(update_fields=["last_activity_on"])
    for member in participants:
        duty_record_add(member=member, kind="workroom_activity", source=activity, occurred_on=occurred_on,
                        title=f"{workroom.name}：{activity.title}", activity_unit=workroom.org_unit, actor=actor)
    audit_log(actor=actor, action="members.workroom.activity", target=workroom,
              after={"activity": activity.pk, "title": activity.title, "occurred_on": occurred_on.isoformat(),
                     "participants": [m.pk for m in participants]})
    return activity


def checklist_for(unit: OrgUnit) -> list[ChecklistItem]:
    """The nearest ancestor-or-self's checklist (one query)."""
    items = list(ChecklistItem.objects.filter(org_unit_id__in=unit.ancestor_ids, is_active=True))
    if not items:
        return []
    depth = {uid: i for i, uid in enumerate(unit.ancestor_ids)}
    owner = max((i.org_unit_id for i in items), key=lambda uid: depth[uid])
    return sorted((i for i in items if i.org_unit_id == owner), key=lambda i: (i.order, i.pk))


def compliance(workroom: Workroom) -> list[tuple[ChecklistItem, ChecklistEvidence | None]]:
    items = checklist_for(workroom.org_unit)
    evidence = {e.item_id: e for e in workroom.evidence.all()}
    return [(item, evidence.get(item.pk)) for item in items]


@transaction.atomic
def checklist_item_add(*, actor, unit: OrgUnit, label: str, order: int = 0) -> ChecklistItem:
    _require_clerk(actor, unit)
    label = (label or "").strip()
    if not label:
        raise DomainError(_("Enter the item."), field="label")
    item = ChecklistItem.objects.create(org_unit=unit, label=label[:120], order=order)
    audit_log(actor=actor, action="members.checklist.add", target=item, after={"label": item.label})
    return item


@transaction.atomic
def checklist_evidence_upload(*, actor, workroom: Workroom, item: ChecklistItem, file, note: str = ""):
    workroom = Workroom.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=workroom.pk)
    if not permissions.has_role(actor, WORKROOM_EDITORS, workroom.org_unit):
        raise NotAllowed()
    if item.pk not in {i.pk for i in checklist_for(workroom.org_unit)}:
        raise DomainError(_("This item is not on the workroom's checklist."), field="item")
    if not file:
        raise DomainError(_("A checklist item needs evidence: attach a photo or document."), field="file")
    try:
        validate_evidence(file)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field="file")
    evidence, _created = ChecklistEvidence.objects.update_or_create(
        workroom=workroom, item=item, defaults={"file": file, "note": note[:300], "uploaded_by": actor})
    audit_log(actor=actor, action="members.checklist.evidence", target=workroom,
              after={"item": item.label, "file": evidence.file.name})
    return evidence
