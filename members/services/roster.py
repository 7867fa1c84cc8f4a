"""The roster: members (create, update) and their postings (下沉) to townships and communities."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from organizations import permissions
from organizations.models import OrgUnit, UnitKind
from portal.audit import audit_event, audit_log, changed, snapshot
from portal.concurrency import bump_version, check_version
from portal.errors import DomainError, GuardFailed, NotAllowed
from portal.metrics import records_created
from portal.models import AuditEvent

from ..models import Member, Posting, PostingBasis
from ._common import CLERKS, _require_clerk

BULK_BATCH = 1000  # rows per INSERT of member_create_many

POSTABLE_KINDS = {UnitKind.TOWNSHIP, UnitKind.VILLAGE, UnitKind.COMPOUND, UnitKind.GRID, UnitKind.GROUP}


MEMBER_FIELDS = ["name", "id_key", "gender", "level", "term", "sector", "party", "work_unit", "position", "phone",
                 "expertise", "is_standing", "is_active", "joined_on"]


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


def _check_sector(unit, sector, committees=()) -> None:
    for body in [sector, *committees]:
        if body is not None and not unit.path.startswith(body.unit.path):
            raise DomainError(_("%(body)s belongs to another CPPCC unit.") % {"body": body.name}, field="sector")


def _new_member_fields(unit, fields: dict, committees) -> dict:
    """A new member's fields, checked and normalised (identity key, sector and committees of this
    unit, the day of taking office) — member_create's checks, also applied by member_create_many."""
    fields = {**fields, "id_key": (fields.get("id_key") or "").strip().upper()}
    if not fields["id_key"]:
        raise DomainError(_("Enter the identity key."), field="id_key")
    _check_sector(unit, fields.get("sector"), committees)
    fields["joined_on"] = _joined_on(fields.get("joined_on"))
    return fields


def _check_posting_target(actor, unit: OrgUnit) -> None:
    """A member may be posted to this unit by this clerk."""
    if not permissions.has_role(actor, CLERKS, unit):
        raise NotAllowed(_("%(unit)s is outside your area.") % {"unit": unit.name})
    if unit.kind not in POSTABLE_KINDS:
        raise DomainError(_("Members are posted to a township, a village or a community."), field="unit")


def _posting_added(unit: OrgUnit, basis: str, started_on: datetime.date | None) -> dict:
    """The audit trail's record of a new posting."""
    return {"unit": unit.pk, "unit_name": unit.name, "basis": basis,
            "started_on": started_on.isoformat() if started_on else None}


@transaction.atomic
def member_create(*, actor, unit: OrgUnit, committees=(), **fields) -> Member:
    _require_clerk(actor, unit)
    fields = _new_member_fields(unit, fields, committees)
    if Member.objects.filter(id_key=fields["id_key"]).exists():
        raise DomainError(_("A member with this identity key already exists."), field="id_key")
    member = Member(org_unit=unit, **fields)
    member.save()
    member.committees.set(committees)
    audit_log(actor=actor, action="members.member.create", target=member, after=snapshot(member, MEMBER_FIELDS))
    return member


@transaction.atomic
def member_create_many(*, actor, unit: OrgUnit, rows: list[dict]) -> list[Member]:
    """member_create for each row, then posting_add (basis residence) to each unit of its
    `postings`, written in bulk: the same members, committee seats, postings, audit events and
    summary marks, in that order, as one call per row — in a few queries instead of a dozen a row.
    Each row holds the fields of member_create, `committees` and `postings` (units). All or
    nothing: a row that member_create or posting_add would refuse refuses the whole batch."""
    _require_clerk(actor, unit)
    targets = {target.pk: target for row in rows for target in row.get("postings", ())}
    for target in targets.values():
        _check_posting_target(actor, target)
    members, seats, keys = [], [], set()
    for row in rows:
        committees = list(row.get("committees", ()))
        fields = _new_member_fields(unit, {k: v for k, v in row.items() if k not in ("committees", "postings")},
                                    committees)
        if fields["id_key"] in keys:
            raise DomainError(_("A member with this identity key already exists."), field="id_key")
        keys.add(fields["id_key"])
        posted = [target.pk for target in row.get("postings", ())]
        if len(set(posted)) < len(posted):
            twice = next(t for t in row["postings"] if posted.count(t.pk) > 1)
            raise GuardFailed(_("%(member)s is already posted to %(unit)s.") % {"member": fields.get("name", ""),
                                                                                "unit": twice.name})
        members.append(Member(org_unit=unit, org_path=unit.path, **fields))
        seats.append(committees)
    if Member.objects.filter(id_key__in=keys).exists():
        raise DomainError(_("A member with this identity key already exists."), field="id_key")
    Member.objects.bulk_create(members, batch_size=BULK_BATCH)
    Member.committees.through.objects.bulk_create(
        [Member.committees.through(member_id=member.pk, body_id=body.pk)
         for member, committees in zip(members, seats, strict=True) for body in committees], batch_size=BULK_BATCH)
    postings = {member.pk: [Posting(member=member, org_unit=target, org_path=target.path, basis=PostingBasis.RESIDENCE,
                                    started_on=None, is_active=True) for target in row.get("postings", ())]
                for member, row in zip(members, rows, strict=True)}
    Posting.objects.bulk_create([p for posted in postings.values() for p in posted], batch_size=BULK_BATCH)
    written, events = [], []
    for member in members:
        written.append(member)
        events.append(audit_event(actor=actor, action="members.member.create", target=member,
                                  after=snapshot(member, MEMBER_FIELDS)))
        for posting in postings[member.pk]:
            written.append(posting)
            events.append(audit_event(actor=actor, action="members.posting.add", target=member,
                                      after=_posting_added(posting.org_unit, posting.basis, None)))
    records_created(written)  # bulk_create sends no signals: the summary marks each save writes
    AuditEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
    return members


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
    _check_posting_target(actor, unit)
    posting = Posting.objects.select_for_update().filter(member=member, org_unit=unit).first()
    if posting is not None and posting.is_active:
        raise GuardFailed(_("%(member)s is already posted to %(unit)s.") % {"member": member.name, "unit": unit.name})
    if posting is None:
        posting = Posting(member=member, org_unit=unit)
    posting.basis, posting.started_on, posting.is_active = basis, started_on, True
    posting.save()
    audit_log(actor=actor, action="members.posting.add", target=member, after=_posting_added(unit, basis, started_on))
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
