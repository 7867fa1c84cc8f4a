"""Back-entry (补录) of a proposal that already ran its course, in one go.

Proposal offices keep the paper of past sessions: the proposal as handed in at the plenary, the
register (立案) with its number, the assignment sheet (交办单), the units' signed reply letters
and the proposer's feedback form (征询意见表). One call records the whole loop — submission on the
paper's date (代录), registration with the number of that session, the handling units with their
deadlines, each unit's reply, the key-proposal mark and the closing with the proposer's rating —
in ONE transaction: any refusal leaves nothing behind. Every step is audited as usual (who typed
which date, when) and the proposal is marked as entered by staff.

Back-entered work is held to the order of its event dates (proposals/dates.py: submitted →
registered → assigned → replied → closed; a deadline not before the assignment), not to the
live-work guards that assume "today" — a reply deadline that passed years ago does not block the
formal assignment of a proposal of the previous term. Nothing is sent to the units or the
proposer: the work is over. The steps a proposal office records for someone else (a unit's reply,
the proposer's rating) happened on paper, so they are recorded rather than given.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member
from members.services import duty_record_add
from organizations.models import OrgUnit
from portal.audit import audit_log
from portal.concurrency import bump_version
from portal.errors import DomainError, NotAllowed

from . import dates, permissions, services
from .models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Proposal,
    ProposalCategory,
    ProposalKind,
    ProposalStatus,
    Reply,
    ReplyClass,
    Satisfaction,
)


@dataclass
class BackAssignment:
    """One handling unit of the assignment sheet and, when it answered, its reply letter."""

    unit: OrgUnit
    role: str = AssignmentRole.MAIN
    due_on: datetime.date | None = None
    replied_on: datetime.date | None = None
    reply_class: str = ""
    reply_text: str = ""
    actions: list[str] = field(default_factory=list)  # one per suggestion, in order ("" = no action)
    document_number: str = ""
    follow_up_on: datetime.date | None = None


@dataclass
class BackProposal:
    """Everything the paper file holds about one past proposal."""

    member: Member
    submitted_on: datetime.date
    title: str
    case: str
    suggestions: list[str]
    analysis: str = ""
    category: str = ProposalCategory.OTHER
    kind: str = ProposalKind.INDIVIDUAL
    cosigners: list[Member] = field(default_factory=list)
    registered_on: datetime.date | None = None
    term: str = ""  # the session the number belongs to (default: the unit's current term/session)
    session: str = ""
    is_key: bool = False
    key_leader_name: str = ""
    assigned_on: datetime.date | None = None
    assignments: list[BackAssignment] = field(default_factory=list)
    closed_on: datetime.date | None = None
    attitude: str = ""
    result: str = ""
    rating_comment: str = ""


def _prefixed(exc: DomainError, prefix: str) -> DomainError:
    exc.field = f"{prefix}{exc.field}" if exc.field else None
    return exc


def _register(*, actor, proposal: Proposal, entry: BackProposal) -> Proposal:
    return services.proposal_register(actor=actor, proposal=proposal, registered_on=entry.registered_on,
                                      term=entry.term, session=entry.session,
                                      note=_("Registered from the paper register."))


def _assign(*, actor, proposal: Proposal, entry: BackProposal) -> list[Assignment]:
    """The assignment sheet: every unit with its deadline, formally assigned on `assigned_on`."""
    if not entry.assignments:
        raise DomainError(_("Give the handling units of the assignment sheet."), field="assignments")
    units = [a.unit for a in entry.assignments]
    services._check_units(proposal, units)
    if len({u.pk for u in units}) != len(units):
        raise DomainError(_("Each handling unit is listed once."), field="assignments")
    if sum(1 for a in entry.assignments if a.role == AssignmentRole.MAIN) != 1:
        raise DomainError(_("Exactly one lead unit is needed."), field="assignments")
    assigned_on = dates.proposal_assigned_on(entry.assigned_on, proposal=proposal)
    now = timezone.now()
    created = []
    for i, line in enumerate(entry.assignments):
        if line.role not in AssignmentRole.values:
            raise DomainError(_("Choose lead unit or co-handler."), field=f"a{i}_role")
        if line.due_on is None or line.due_on < assigned_on:
            raise DomainError(_("The reply deadline cannot be before the assignment date."), field=f"a{i}_due_on")
        created.append(Assignment.objects.create(
            proposal=proposal, unit=line.unit, unit_path=line.unit.path, role=line.role,
            status=AssignmentStatus.ASSIGNED, due_on=line.due_on, assigned_on=assigned_on, assigned_at=now))
    proposal.status = ProposalStatus.HANDLING
    proposal.assigned_on, proposal.assigned_at = assigned_on, now
    bump_version(proposal, ["status", "assigned_on", "assigned_at"])
    audit_log(actor=actor, action="proposals.proposal.assign", target=proposal,
              after={"status": proposal.status, "units": [u.name for u in units],
                     "assigned_on": assigned_on.isoformat()},
              note=_("Recorded from the assignment sheet."))
    return created


def _reply(*, actor, proposal: Proposal, assignment: Assignment, line: BackAssignment, index: int) -> Reply:
    """A unit's signed reply letter, recorded by the proposal office."""
    replied_on = dates.reply_replied_on(line.replied_on, assignment=assignment, proposal=proposal,
                                        field=f"a{index}_replied_on")
    if line.reply_class not in ReplyClass.values:
        raise DomainError(_("Choose the result class of the reply."), field=f"a{index}_reply_class")
    if not line.reply_text.strip():
        raise DomainError(_("Write the reply."), field=f"a{index}_reply_text")
    follow_up_on = None
    if line.reply_class == ReplyClass.B:
        if line.follow_up_on is None or line.follow_up_on <= replied_on:
            raise DomainError(_("B-class replies need a follow-up review date after the reply."),
                              field=f"a{index}_follow_up_on")
        follow_up_on = line.follow_up_on
    lines = [{"suggestion": n, "action": str(action).strip()[:2000]}
             for n, action in enumerate(line.actions, start=1) if str(action).strip()]
    if len(line.actions) > len(proposal.suggestions):
        raise DomainError(_("More actions than the proposal has suggestions."), field=f"a{index}_actions")
    reply = Reply.objects.create(assignment=assignment, reply_class=line.reply_class, text=line.reply_text.strip(),
                                 lines=lines, document_number=line.document_number.strip()[:60],
                                 follow_up_on=follow_up_on, created_by=actor, replied_on=replied_on)
    assignment.status, assignment.replied_on, assignment.replied_at = AssignmentStatus.REPLIED, replied_on, timezone.now()
    assignment.save(update_fields=["status", "replied_on", "replied_at"])
    audit_log(actor=actor, action="proposals.assignment.reply", target=proposal,
              after={"unit": assignment.unit.name, "class": line.reply_class,
                     "document_number": reply.document_number, "replied_on": replied_on.isoformat()},
              note=_("Reply letter recorded by the proposal office."))
    return reply


def _close(*, actor, proposal: Proposal, entry: BackProposal, replies: list[tuple[Assignment, Reply]]) -> None:
    """Closing (办结) with the proposer's rating from the feedback form."""
    if any(a.status != AssignmentStatus.REPLIED for a in proposal.assignments.all()):
        raise DomainError(_("A proposal is closed once every handling unit has replied."), field="closed_on")
    for name in ("attitude", "result"):
        value = getattr(entry, name)
        if value and value not in Satisfaction.values:
            raise DomainError(_("Choose satisfied, basically satisfied or dissatisfied."), field=name)
    proposal.closed_on = dates.proposal_closed_on(entry.closed_on, proposal=proposal)
    proposal.status, proposal.closed_at = ProposalStatus.CLOSED, timezone.now()
    proposal.satisfaction_attitude, proposal.satisfaction_result = entry.attitude, entry.result
    proposal.rating_comment = entry.rating_comment.strip()
    bump_version(proposal, ["status", "closed_at", "closed_on", "satisfaction_attitude", "satisfaction_result",
                            "rating_comment"])
    audit_log(actor=actor, action="proposals.proposal.rate", target=proposal,
              after={"attitude": entry.attitude, "result": entry.result, "status": proposal.status,
                     "closed_on": proposal.closed_on.isoformat()},
              note=_("Closed from the proposer's feedback form."))
    main = next((r for a, r in replies if a.role == AssignmentRole.MAIN), None)
    if main is not None and main.reply_class == ReplyClass.A:
        duty_record_add(member=proposal.proposer, kind="proposal_adopted", source=proposal,
                        occurred_on=proposal.closed_on, title=proposal.title, actor=actor)


@transaction.atomic
def proposal_back_enter(*, actor, entry: BackProposal) -> Proposal:
    """Record a past proposal (补录) through the services and the date-order checks, all or nothing."""
    if not permissions.is_staff_for(actor, entry.member.org_path):
        raise NotAllowed()
    proposal = services.proposal_enter_on_behalf(
        actor=actor, member=entry.member, submitted_on=entry.submitted_on, title=entry.title, case=entry.case,
        suggestions=entry.suggestions, analysis=entry.analysis, category=entry.category, kind=entry.kind,
        cosigners=entry.cosigners)
    if entry.registered_on is None:
        if entry.assignments or entry.closed_on or entry.is_key:
            raise DomainError(_("A proposal is registered before it is assigned: give the registration date."),
                              field="registered_on")
        return proposal
    proposal = _register(actor=actor, proposal=proposal, entry=entry)
    if entry.is_key:
        proposal.is_key = True
        proposal.supervision_note = entry.key_leader_name.strip()[:200]
        bump_version(proposal, ["is_key", "supervision_note"])
        audit_log(actor=actor, action="proposals.proposal.mark_key", target=proposal, after={"is_key": True},
                  note=entry.key_leader_name.strip()[:200])
    if entry.assigned_on is None:
        if entry.assignments or entry.closed_on:
            raise DomainError(_("Give the date of the formal assignment."), field="assigned_on")
        return proposal
    assignments = _assign(actor=actor, proposal=proposal, entry=entry)
    replies = []
    for i, (assignment, line) in enumerate(zip(assignments, entry.assignments, strict=True)):
        if line.replied_on is None:
            continue
        try:
            replies.append((assignment, _reply(actor=actor, proposal=proposal, assignment=assignment, line=line,
                                               index=i)))
        except DomainError as exc:
            if exc.field and not exc.field.startswith(f"a{i}_"):
                raise _prefixed(exc, f"a{i}_")
            raise
    if len(replies) == len(assignments):
        proposal.status = ProposalStatus.REPLIED
        bump_version(proposal, ["status"])
    if entry.closed_on is not None:
        _close(actor=actor, proposal=proposal, entry=entry, replies=replies)
    audit_log(actor=actor, action="proposals.proposal.back_entered", target=proposal,
              after={"submitted_on": entry.submitted_on.isoformat(), "status": proposal.status})
    return proposal
