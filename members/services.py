"""Writes to members and the duty file."""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db import models as djm
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations import permissions
from organizations.models import OrgUnit, UnitKind
from portal.audit import audit_log, changed, snapshot
from portal.concurrency import bump_version, check_version
from portal.errors import DomainError, GuardFailed, NotAllowed
from portal.metrics import records_changed

from . import duty
from .models import (
    ChecklistEvidence,
    ChecklistItem,
    DutyRecord,
    DutyStatus,
    Member,
    Posting,
    PostingBasis,
    ScoringPlan,
    ScoringRule,
    Workroom,
    WorkroomActivity,
)
from .scoring import MAX_POINTS, MIN_POINTS, resolve_plans
from .validators import validate_evidence
from .workflows import TRANSITIONS as WORKROOM_STEPS
from .workflows import WORKROOM

POSTABLE_KINDS = {UnitKind.TOWNSHIP, UnitKind.VILLAGE, UnitKind.COMPOUND, UnitKind.GRID, UnitKind.GROUP}


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
# Members and postings

MEMBER_FIELDS = ["name", "id_key", "gender", "level", "term", "sector", "party", "work_unit", "position", "phone",
                 "expertise", "is_standing", "is_active", "joined_on"]
CLERKS = permissions.CLERK_ROLES


def _joined_on(value, member: Member | None = None) -> datetime.date:
    """The day the member took office: not in the future, not before 1949, and not after the
    member's first posting (下沉) began — a member is posted once in office."""
    from portal.event_dates import check_event_date

    first_posting = None
    if member is not None and member.pk:
        first_posting = (Posting.objects.filter(member=member, started_on__isnull=False).order_by("started_on")
                         .values_list("started_on", flat=True).first())
    return check_event_date(value, field="joined_on", label=_("The date of taking office"),
                            before=[(first_posting, _("the first posting"))])


def _require_clerk(actor, unit) -> None:
    if not permissions.has_role(actor, CLERKS, unit):
        raise NotAllowed()


def _check_sector(unit, sector, committees=()) -> None:
    for body in [sector, *committees]:
        if body is not None and not unit.path.startswith(body.unit.path):
            raise DomainError(_("%(body)s belongs to another CPPCC unit.") % {"body": body.name}, field="sector")


@transaction.atomic
def member_create(*, actor, unit: OrgUnit, committees=(), **fields) -> Member:
    _require_clerk(actor, unit)
    fields["id_key"] = (fields.get("id_key") or "").strip().upper()
    if not fields["id_key"]:
        raise DomainError(_("Enter the identity key."), field="id_key")
    if Member.objects.filter(id_key=fields["id_key"]).exists():
        raise DomainError(_("A member with this identity key already exists."), field="id_key")
    _check_sector(unit, fields.get("sector"), committees)
    fields["joined_on"] = _joined_on(fields.get("joined_on"))
    member = Member(org_unit=unit, **fields)
    member.save()
    member.committees.set(committees)
    audit_log(actor=actor, action="members.member.create", target=member, after=snapshot(member, MEMBER_FIELDS))
    return member


@transaction.atomic
def member_update(*, actor, member: Member, version, committees=None, **fields) -> Member:
    member = Member.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=member.pk)
    _require_clerk(actor, member.org_unit)
    check_version(member, version, required=True)
    if "id_key" in fields:
        fields["id_key"] = (fields["id_key"] or "").strip().upper()
        if Member.objects.filter(id_key=fields["id_key"]).exclude(pk=member.pk).exists():
            raise DomainError(_("A member with this identity key already exists."), field="id_key")
    _check_sector(member.org_unit, fields.get("sector"), committees or ())
    if "joined_on" in fields:
        if fields["joined_on"] is None:  # left empty on the form: unchanged
            fields.pop("joined_on")
        else:
            fields["joined_on"] = _joined_on(fields["joined_on"], member)
    before = snapshot(member, MEMBER_FIELDS)
    for name, value in fields.items():
        setattr(member, name, value)
    bump_version(member)
    if committees is not None:
        member.committees.set(committees)
    b, a = changed(before, snapshot(member, MEMBER_FIELDS))
    audit_log(actor=actor, action="members.member.update", target=member, before=b, after=a)
    return member


@transaction.atomic
def posting_add(*, actor, member: Member, unit: OrgUnit, basis: str = PostingBasis.RESIDENCE,
                started_on: datetime.date | None = None) -> Posting:
    """Post a member down to a township or community (下沉). The clerk must manage both the
    member's unit and the target unit."""
    _require_clerk(actor, member.org_unit)
    if not permissions.has_role(actor, CLERKS, unit):
        raise NotAllowed(_("%(unit)s is outside your area.") % {"unit": unit.name})
    if unit.kind not in POSTABLE_KINDS:
        raise DomainError(_("Members are posted to a township, a village or a community."), field="unit")
    posting = Posting.objects.select_for_update().filter(member=member, org_unit=unit).first()
    if posting is not None and posting.is_active:
        raise GuardFailed(_("%(member)s is already posted to %(unit)s.") % {"member": member.name, "unit": unit.name})
    if posting is None:
        posting = Posting(member=member, org_unit=unit)
    posting.basis, posting.started_on, posting.is_active = basis, started_on, True
    posting.save()
    audit_log(actor=actor, action="members.posting.add", target=member,
              after={"unit": unit.pk, "unit_name": unit.name, "basis": basis,
                     "started_on": started_on.isoformat() if started_on else None})
    return posting


@transaction.atomic
def posting_end(*, actor, posting: Posting) -> Posting:
    posting = Posting.objects.select_for_update(of=("self",)).select_related("member__org_unit", "org_unit").get(pk=posting.pk)
    _require_clerk(actor, posting.member.org_unit)
    if not posting.is_active:
        raise GuardFailed(_("This posting has already ended."))
    posting.is_active = False
    posting.save(update_fields=["is_active"])
    audit_log(actor=actor, action="members.posting.end", target=posting.member,
              before={"unit": posting.org_unit_id, "unit_name": posting.org_unit.name})
    return posting


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


# ---------------------------------------------------------------------------------------------
# Scoring plans


def _check_range(value, low, high, field):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise DomainError(_("Enter a whole number."), field=field)
    if number < low or number > high:
        raise DomainError(_("Enter a number between %(low)d and %(high)d.") % {"low": low, "high": high},
                          field=field)
    return number


@transaction.atomic
def scoring_plan_save(*, actor, unit: OrgUnit, year: int, annual_minimum: int, points: dict[str, int],
                      valid_from: datetime.date | None = None, require_four_ones: bool = True,
                      commend_top_percent: int = 10, interview_bottom: int = 5, version=None) -> ScoringPlan:
    """Create or change a unit's plan for a year. Points that differ from the rule in force on
    `valid_from` become a new rule from that day (a mid-year change); earlier entries keep their
    points. Scores are computed on read, so every ranking reflects the change at once."""
    _require_clerk(actor, unit)
    year = _check_range(year, 2000, 2100, "year")
    annual_minimum = _check_range(annual_minimum, 0, 1000, "annual_minimum")
    commend_top_percent = _check_range(commend_top_percent, 0, 50, "commend_top_percent")
    interview_bottom = _check_range(interview_bottom, 0, 1000, "interview_bottom")
    start = datetime.date(year, 1, 1)
    valid_from = valid_from or start
    if valid_from.year != year:
        raise DomainError(_("The change must take effect within %(year)d.") % {"year": year}, field="valid_from")
    known = duty.kinds()
    cleaned = {}
    for kind, value in points.items():
        if kind not in known:
            raise DomainError(_("Unknown duty activity kind: %(kind)s") % {"kind": kind}, field="points")
        cleaned[kind] = _check_range(value, MIN_POINTS, MAX_POINTS, f"points_{kind}")
        if cleaned[kind] < 0 and kind not in CLERK_ONLY_KINDS:
            raise DomainError(_("Only penalties can have negative points."), field=f"points_{kind}")
    plan = ScoringPlan.objects.select_for_update().filter(org_unit=unit, year=year).first()
    fields = {"annual_minimum": annual_minimum, "require_four_ones": bool(require_four_ones),
              "commend_top_percent": commend_top_percent, "interview_bottom": interview_bottom}
    if plan is None:
        plan = ScoringPlan.objects.create(org_unit=unit, year=year, **fields)
        before, action = {}, "members.scoring.create"
        valid_from = start
    else:
        check_version(plan, version, required=True)
        before, action = snapshot(plan, list(fields)), "members.scoring.update"
        for name, value in fields.items():
            setattr(plan, name, value)
        bump_version(plan)
    in_force = resolve_plans([unit], year)[unit.pk]
    changes = {}
    same_day = {r.kind: r for r in ScoringRule.objects.filter(plan=plan, valid_from=valid_from)}
    to_create, to_update = [], []
    for kind, value in cleaned.items():
        current = in_force.points_for(kind, valid_from) if in_force.plan and in_force.plan.pk == plan.pk else None
        if current == value and (kind in same_day or valid_from != start or in_force.rules.get(kind)):
            continue
        if kind in same_day:
            same_day[kind].points = value
            to_update.append(same_day[kind])
        else:
            to_create.append(ScoringRule(plan=plan, kind=kind, valid_from=valid_from, points=value))
        changes[kind] = value
    ScoringRule.objects.bulk_create(to_create)
    ScoringRule.objects.bulk_update(to_update, ["points"])
    records_changed(ScoringRule.objects.filter(plan=plan))  # bulk writes send no signals
    after = snapshot(plan, list(fields))
    if changes:
        after["points"] = changes
        after["valid_from"] = valid_from.isoformat()
    audit_log(actor=actor, action=action, target=plan, before=before, after=after)
    return plan


# ---------------------------------------------------------------------------------------------
# Workrooms

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
