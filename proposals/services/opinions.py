"""Public-opinion information (社情民意): items submitted, compiled into bulletins, reported upward,
adopted and instructed. Each service enforces its row of proposals/workflows.py (OPINION)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from members.models import Member
from members.services import duty_record_add
from organizations.models import OrgUnit, Role, UnitKind
from organizations.permissions import has_role
from portal.audit import audit_log
from portal.concurrency import bump_version, check_version
from portal.errors import DomainError, GuardFailed, NotAllowed

from .. import dates, permissions
from ..models import (
    Adoption,
    AdoptionLevel,
    Bulletin,
    Instruction,
    OpinionItem,
    OpinionStatus,
)
from ..workflows import OPINION
from ._common import _check_choice, _create_indexed

# ── Public-opinion information (社情民意) ─────────────────────────────────────────────────


def _cppcc_unit_for(unit: OrgUnit) -> OrgUnit:
    """The nearest city or county above (or at) `unit`: its office screens the items."""
    if unit.kind in {UnitKind.CITY, UnitKind.COUNTY, UnitKind.PROVINCE}:
        return unit
    ids = unit.ancestor_ids[::-1]
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=ids)}
    for pk in ids:
        if units[pk].kind in {UnitKind.CITY, UnitKind.COUNTY, UnitKind.PROVINCE}:
            return units[pk]
    return unit


@transaction.atomic
def opinion_submit(*, actor, title: str, content: str, unit: OrgUnit | None = None, source_point: str = "",
                   submitted_on: datetime.date | None = None, source_ref: str = "") -> OpinionItem:
    """Members, information officers (liaison secretaries) and liaison points submit items, on
    `submitted_on` (default today). `source_ref` names where it came from (e.g. a resident's
    scanned-code message in the hall, ``hall-code:<tracking code>``)."""
    member = Member.objects.filter(user=actor).select_related("org_unit").first() if actor.is_authenticated else None
    if unit is None:
        if member is None:
            raise DomainError(_("Choose the unit."), field="unit")
        unit = member.org_unit
    allowed = (member is not None and unit.path.startswith(member.org_path)) or has_role(
        actor, (Role.SECRETARY, Role.OFFICE_CLERK, Role.PROPOSAL_STAFF), unit)
    if not allowed:
        raise NotAllowed()
    if not (title or "").strip() or not (content or "").strip():
        raise DomainError(_("Title and content are required."), field="title")
    submitted_on = dates.opinion_submitted_on(submitted_on)
    office = _cppcc_unit_for(unit)
    item = _create_indexed(OpinionItem, title=title.strip()[:200], content=content.strip(), submitter=actor,
                           member=member, source_point=source_point.strip()[:100], org_unit=office,
                           org_path=office.path, submitted_on=submitted_on,
                           source_ref=(source_ref or "").strip()[:100])
    audit_log(actor=actor, action="proposals.opinion.submit", target=item,
              after={"submitted_on": submitted_on.isoformat()})
    if member is not None:
        duty_record_add(member=member, kind="opinion_submitted", source=item, occurred_on=submitted_on,
                        title=item.title, actor=actor)
    return item


def _office_item(actor, item, action: str) -> OpinionItem:
    """Lock the item and enforce the row `action` of the OPINION table."""
    item = OpinionItem.objects.select_for_update().get(pk=item.pk)
    OPINION.check(item, actor, action)
    return item


@transaction.atomic
def opinion_reject(*, actor, item: OpinionItem, note: str, version=None) -> OpinionItem:
    item = _office_item(actor, item, "reject")
    check_version(item, version)
    if not (note or "").strip():
        raise DomainError(_("Give the reason."), field="note")
    item.status, item.screening_note = OpinionStatus.REJECTED, note.strip()
    bump_version(item, ["status", "screening_note"])
    audit_log(actor=actor, action="proposals.opinion.reject", target=item, note=note[:500])
    return item


@transaction.atomic
def bulletin_compile(*, actor, unit: OrgUnit, items: list[OpinionItem], published_on: datetime.date,
                     title: str = "") -> Bulletin:
    """Editors compile screened items into the next numbered issue of the unit's bulletin."""
    if not permissions.is_staff_for(actor, unit.path):
        raise NotAllowed()
    if not items:
        raise DomainError(_("Choose at least one item."), field="items")
    locked = list(OpinionItem.objects.select_for_update().filter(pk__in=[i.pk for i in items]))
    if any(i.org_unit_id != unit.pk or OPINION.refusal(i, "compile") for i in locked) or len(locked) != len(items):
        raise GuardFailed(_("Only newly submitted items of this unit can be compiled."))
    for i in locked:  # the bulletin's date is the day its items were used
        dates.opinion_used_on(published_on, item=i, field="published_on")
    OrgUnit.objects.select_for_update().filter(pk=unit.pk).first()  # serialise issue numbers per unit
    year = published_on.year
    last = Bulletin.objects.filter(org_unit=unit, year=year).order_by("-issue").values_list("issue", flat=True).first()
    bulletin = Bulletin.objects.create(org_unit=unit, org_path=unit.path, year=year, issue=(last or 0) + 1,
                                       title=title.strip()[:200], published_on=published_on)
    for item in locked:
        item.status, item.bulletin, item.used_on = OpinionStatus.COMPILED, bulletin, published_on
        bump_version(item, ["status", "bulletin", "used_on"])
        audit_log(actor=actor, action="proposals.opinion.compile", target=item, after={"bulletin": str(bulletin)})
    return bulletin


@transaction.atomic
def opinion_report(*, actor, item: OpinionItem, reported_to: str, version=None) -> OpinionItem:
    item = _office_item(actor, item, "report")
    check_version(item, version)
    if not (reported_to or "").strip():
        raise DomainError(_("Say where the item was reported to."), field="reported_to")
    item.status, item.reported_to = OpinionStatus.REPORTED, reported_to.strip()[:100]
    bump_version(item, ["status", "reported_to"])
    audit_log(actor=actor, action="proposals.opinion.report", target=item, after={"reported_to": item.reported_to})
    return item


@transaction.atomic
def opinion_adopt(*, actor, item: OpinionItem, level: str, adopted_on: datetime.date, by: str = "") -> Adoption:
    item = _office_item(actor, item, "adopt")
    _check_choice(level, AdoptionLevel, "level")
    adopted_on = dates.opinion_later_on(adopted_on, item=item, field="adopted_on", label=_("The adoption date"))
    if item.adoptions.filter(level=level).exists():
        raise GuardFailed(_("Adoption at this level is already recorded."))
    adoption = Adoption.objects.create(item=item, level=level, adopted_on=adopted_on, by=by.strip()[:100])
    item.status = OpinionStatus.ADOPTED
    bump_version(item, ["status"])
    audit_log(actor=actor, action="proposals.opinion.adopt", target=item, after={"level": level, "date": adopted_on.isoformat()})
    if item.member_id:
        duty_record_add(member=item.member, kind="opinion_adopted", source=item, occurred_on=adopted_on,
                        title=item.title, actor=actor)
    return adoption


@transaction.atomic
def instruction_add(*, actor, item: OpinionItem, leader: str, given_on: datetime.date, text: str,
                    handling: str = "") -> Instruction:
    """Record a leader's instruction (批示) on a reported item."""
    item = _office_item(actor, item, "instruction")
    if not (leader or "").strip() or not (text or "").strip():
        raise DomainError(_("Name the leader and give the instruction."), field="leader")
    given_on = dates.opinion_later_on(given_on, item=item, field="given_on", label=_("The date of the instruction"))
    instruction = Instruction.objects.create(item=item, leader=leader.strip()[:100], given_on=given_on,
                                             text=text.strip(), handling=handling.strip())
    audit_log(actor=actor, action="proposals.opinion.instruction", target=item,
              after={"leader": instruction.leader, "date": given_on.isoformat()}, note=text[:500])
    if item.member_id:
        duty_record_add(member=item.member, kind="opinion_instructed", source=item, occurred_on=given_on,
                        title=item.title, actor=actor)
    return instruction


def opinion_from_handoff(*, actor, title: str, content: str, unit: OrgUnit, source_ref: str) -> OpinionItem:
    """Another app hands a text over as a 社情民意 item (portal/handoffs.py: the hall turns a
    resident's scanned-code message into one); the same rules as a member's own submission."""
    return opinion_submit(actor=actor, title=title, content=content, unit=unit, source_ref=source_ref)
