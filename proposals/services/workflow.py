"""Proposals from drafting to the handling units' replies: drafting and submission, review and
registration, assignment, handling and reply, supervision and attachments. Each service enforces
its row of proposals/workflows.py (PROPOSAL, ASSIGNMENT)."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Member
from members.services import duty_record_add
from organizations.config import config_get
from organizations.models import OrgUnit, Role, UnitKind
from organizations.permissions import has_role
from portal.audit import audit_log, changed, snapshot
from portal.concurrency import bump_version, check_version
from portal.errors import DomainError, GuardFailed, NotAllowed
from portal.reminders import send_now
from portal.uploads import content_matches

from .. import dates, permissions, reminders, similar
from ..models import (
    ALLOWED_EXTENSIONS,
    MAX_ATTACHMENT_BYTES,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Attachment,
    Contact,
    ContactMethod,
    Cosigner,
    CosignerStatus,
    NotRegisteredConversion,
    NumberCounter,
    OpinionItem,
    Proposal,
    ProposalCategory,
    ProposalKind,
    ProposalStatus,
    Publication,
    Reply,
    ReplyClass,
    Satisfaction,
    SupervisionKind,
    SupervisionRecord,
)
from ..workflows import (
    ASSIGNMENT,
    PROPOSAL,
    review_stages,
)
from ._common import _check_choice, _clean_suggestions, _create_indexed, _locked, _today

EDIT_FIELDS = ["title", "case", "analysis", "suggestions", "category", "kind", "body", "publish_wish"]


# ── Drafting and submission ───────────────────────────────────────────────────────────────


@transaction.atomic
def proposal_create(*, actor, member: Member, title: str, case: str, suggestions, analysis: str = "",
                    category: str = ProposalCategory.OTHER, kind: str = ProposalKind.INDIVIDUAL, body=None,
                    cosigners: list[Member] | None = None, publish_wish: bool = True) -> Proposal:
    """A member drafts a proposal (or staff enter one on a member's behalf). `publish_wish` is
    the proposer's 是否公开 choice; the office decides when registering or later."""
    if not (member.user_id == actor.pk or permissions.is_staff_for(actor, member.org_path)):
        raise NotAllowed()
    if not title.strip() or not case.strip():
        raise DomainError(_("Title and case are required."), field="title")
    _check_choice(category, ProposalCategory, "category")
    _check_choice(kind, ProposalKind, "kind")
    if body is not None and body.unit_id != member.org_unit_id:
        raise DomainError(_("Choose a body of the member's own CPPCC unit."), field="body")
    proposal = _create_indexed(
        Proposal, proposer=member, submitted_by=actor, org_unit_id=member.org_unit_id, org_path=member.org_path,
        title=title.strip()[:200], case=case.strip(), analysis=analysis.strip(),
        suggestions=_clean_suggestions(suggestions), category=category, kind=kind, body=body,
        year=_today().year, publish_wish=bool(publish_wish),
    )
    _set_cosigners(proposal, cosigners or [])
    audit_log(actor=actor, action="proposals.proposal.create", target=proposal,
              after=snapshot(proposal, ["title", "kind", "category", "publish_wish"]))
    return proposal


EARLIEST_PAPER_DATE = datetime.date(1949, 10, 1)


@transaction.atomic
def proposal_enter_on_behalf(*, actor, member: Member, submitted_on: datetime.date, title: str, case: str,
                             suggestions, analysis: str = "", category: str = ProposalCategory.OTHER,
                             kind: str = ProposalKind.INDIVIDUAL, body=None,
                             cosigners: list[Member] | None = None) -> Proposal:
    """代录: proposal staff enter a proposal a member handed in on paper. It is submitted as of the
    date on the paper (never in the future), the co-signers signed the paper so they count as
    confirmed, and the record says it was entered by staff (`entered_by_staff`, `submitted_by`,
    audit event `proposals.proposal.enter_on_behalf`)."""
    if not permissions.is_staff_for(actor, member.org_path):
        raise NotAllowed()
    if not member.is_active:
        raise DomainError(_("Choose an active member of the unit."), field="proposer")
    if not isinstance(submitted_on, datetime.date):
        raise DomainError(_("Enter the date on the paper."), field="submitted_on")
    if submitted_on > _today():
        raise DomainError(_("The date on the paper cannot be in the future."), field="submitted_on")
    if submitted_on < EARLIEST_PAPER_DATE:
        raise DomainError(_("The date on the paper cannot be before 1 October 1949."), field="submitted_on")
    if not title.strip() or not case.strip():
        raise DomainError(_("Title and case are required."), field="title")
    _check_choice(category, ProposalCategory, "category")
    _check_choice(kind, ProposalKind, "kind")
    if body is not None and body.unit_id != member.org_unit_id:
        raise DomainError(_("Choose a body of the member's own CPPCC unit."), field="body")
    wanted = [m for m in (cosigners or []) if m.pk != member.pk]
    if kind == ProposalKind.JOINT and not wanted:
        raise DomainError(_("A joint proposal needs at least one co-signer."), field="cosigners")
    # the date on the paper, at noon local time, so it falls on that day in every report
    submitted_at = timezone.make_aware(datetime.datetime.combine(submitted_on, datetime.time(12)))
    proposal = _create_indexed(
        Proposal, proposer=member, submitted_by=actor, org_unit_id=member.org_unit_id, org_path=member.org_path,
        title=title.strip()[:200], case=case.strip(), analysis=analysis.strip(),
        suggestions=_clean_suggestions(suggestions), category=category, kind=kind, body=body,
        year=submitted_on.year, status=ProposalStatus.SUBMITTED, submitted_at=submitted_at,
        submitted_on=submitted_on, review_stage=0, entered_by_staff=True,
    )
    _set_cosigners(proposal, wanted)
    proposal.cosigners.update(status=CosignerStatus.CONFIRMED)
    audit_log(actor=actor, action="proposals.proposal.enter_on_behalf", target=proposal,
              after={**snapshot(proposal, ["title", "kind", "category", "status", "entered_by_staff"]),
                     "proposer": member.name, "submitted_on": submitted_on.isoformat(),
                     "cosigners": [m.name for m in wanted]})
    duty_record_add(member=member, kind="proposal_submitted", source=proposal, occurred_on=submitted_on,
                    title=proposal.title, actor=actor)
    return proposal


def _set_cosigners(proposal: Proposal, cosigners: list[Member]) -> None:
    wanted = {m.pk: m for m in cosigners if m.pk != proposal.proposer_id}
    for m in wanted.values():
        if m.org_unit_id != proposal.org_unit_id:
            raise DomainError(_("Co-signers must be members of the same CPPCC unit."), field="cosigners")
    proposal.cosigners.exclude(member_id__in=wanted).delete()
    existing = set(proposal.cosigners.values_list("member_id", flat=True))
    Cosigner.objects.bulk_create([Cosigner(proposal=proposal, member=m) for pk, m in wanted.items()
                                  if pk not in existing])


@transaction.atomic
def proposal_update(*, actor, proposal: Proposal, version, cosigners: list[Member] | None = None,
                    **fields) -> Proposal:
    proposal = _locked(Proposal, proposal.pk)
    PROPOSAL.check(proposal, actor, "edit")
    check_version(proposal, version, required=True)
    before = snapshot(proposal, EDIT_FIELDS)
    if "suggestions" in fields:
        fields["suggestions"] = _clean_suggestions(fields["suggestions"])
    for name, value in fields.items():
        if name not in EDIT_FIELDS:
            raise DomainError(_("This field cannot be changed."), field=name)
        setattr(proposal, name, value)
    _check_choice(proposal.category, ProposalCategory, "category")
    _check_choice(proposal.kind, ProposalKind, "kind")
    if not proposal.title.strip() or not proposal.case.strip():
        raise DomainError(_("Title and case are required."), field="title")
    indexed = ["similarity_terms"] if similar.proposal_terms_refresh(proposal) else []
    bump_version(proposal, [*fields, *indexed])
    if cosigners is not None:
        _set_cosigners(proposal, cosigners)
    b, a = changed(before, snapshot(proposal, EDIT_FIELDS))
    audit_log(actor=actor, action="proposals.proposal.update", target=proposal, before=b, after=a)
    return proposal


@transaction.atomic
def cosigner_answer(*, actor, proposal: Proposal, confirm: bool) -> Cosigner:
    """A co-signer confirms (or declines) signing a joint proposal."""
    proposal = _locked(Proposal, proposal.pk)
    cosigner = proposal.cosigners.filter(member__user=actor).first()
    if cosigner is None:
        raise NotAllowed()
    if cosigner.status != CosignerStatus.PENDING and proposal.status == ProposalStatus.DRAFT:
        raise GuardFailed(_("You already answered."))
    PROPOSAL.check(proposal, actor, "cosign")
    cosigner.status = CosignerStatus.CONFIRMED if confirm else CosignerStatus.DECLINED
    cosigner.answered_at = timezone.now()
    cosigner.save(update_fields=["status", "answered_at"])
    audit_log(actor=actor, action="proposals.cosigner.confirm" if confirm else "proposals.cosigner.decline",
              target=proposal, after={"cosigner": cosigner.member.name})
    return cosigner


@transaction.atomic
def proposal_submit(*, actor, proposal: Proposal, version=None, submitted_on: datetime.date | None = None) -> Proposal:
    """Hand in the proposal, on `submitted_on` (the plenary or the date on the paper; default today)."""
    proposal = _locked(Proposal, proposal.pk)
    if not PROPOSAL.may(proposal, actor, "submit"):
        raise NotAllowed()
    check_version(proposal, version)
    row = PROPOSAL.check(proposal, actor, "submit")
    proposal.submitted_on = dates.proposal_submitted_on(submitted_on)
    proposal.status = row.target
    proposal.submitted_at = timezone.now()
    proposal.review_stage = 0
    bump_version(proposal, ["status", "submitted_at", "submitted_on", "review_stage"])
    audit_log(actor=actor, action="proposals.proposal.submit", target=proposal,
              after={"status": proposal.status, "submitted_on": proposal.submitted_on.isoformat()})
    duty_record_add(member=proposal.proposer, kind="proposal_submitted", source=proposal,
                    occurred_on=proposal.submitted_on,
                    title=proposal.title, actor=actor)
    return proposal


@transaction.atomic
def proposal_withdraw(*, actor, proposal: Proposal) -> Proposal:
    proposal = _locked(Proposal, proposal.pk)
    row = PROPOSAL.check(proposal, actor, "withdraw")
    was_submitted = proposal.status == ProposalStatus.SUBMITTED
    proposal.status = row.target
    bump_version(proposal, ["status"])
    audit_log(actor=actor, action="proposals.proposal.withdraw", target=proposal, after={"status": proposal.status})
    if was_submitted:
        from members.services import duty_record_withdraw

        duty_record_withdraw(member=proposal.proposer, kind="proposal_submitted", source=proposal, actor=actor)
    return proposal


# ── Review and registration ───────────────────────────────────────────────────────────────


def _staff_locked(actor, proposal, action: str, version=None) -> Proposal:
    """Lock the proposal and enforce the row `action` of the PROPOSAL table (a stale version is
    refused before the state is judged, as the user acted on what they saw)."""
    proposal = _locked(Proposal, proposal.pk)
    if not PROPOSAL.may(proposal, actor, action):
        raise NotAllowed()
    check_version(proposal, version)
    PROPOSAL.check(proposal, actor, action)
    return proposal


@transaction.atomic
def proposal_review_advance(*, actor, proposal: Proposal, note: str = "", version=None) -> Proposal:
    """Pass the proposal to the next review stage (e.g. first review → second review)."""
    proposal = _staff_locked(actor, proposal, "review", version)
    stages = review_stages(proposal)
    before = snapshot(proposal, ["review_stage"])
    proposal.review_stage += 1
    bump_version(proposal, ["review_stage"])
    audit_log(actor=actor, action="proposals.proposal.review", target=proposal, before=before,
              after={"review_stage": proposal.review_stage, "stage": stages[proposal.review_stage]}, note=note[:500])
    return proposal


def _next_number(proposal: Proposal) -> int:
    """Lock the unit's counter row and take the next number; concurrent registrations queue on
    the lock, so numbers never repeat and never skip."""
    key = {"org_unit_id": proposal.org_unit_id, "term": proposal.term, "session": proposal.session}
    counter = NumberCounter.objects.select_for_update().filter(**key).first()
    if counter is None:
        try:
            with transaction.atomic():
                NumberCounter.objects.create(**key)
        except IntegrityError:  # created by a concurrent registration: fall through to the lock
            pass
        counter = NumberCounter.objects.select_for_update().get(**key)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def proposal_register(*, actor, proposal: Proposal, version=None, note: str = "",
                      registered_on: datetime.date | None = None, term: str = "", session: str = "",
                      publication: str = "", show_proposer: bool = True) -> Proposal:
    """立案: give the proposal its number for the unit's current term and session, on
    `registered_on` (default today). Back-entry of a past session's register names that term
    and session (`term`, `session`): the number is then taken in that session's sequence.
    `publication` ("public" / "private", empty: decide later) is the office's 是否公开 decision,
    taken with the registration."""
    proposal = _staff_locked(actor, proposal, "register", version)
    if publication:
        _check_publication(proposal, publication)
    proposal.registered_on = dates.proposal_registered_on(registered_on, proposal=proposal)
    proposal.term = term.strip()[:20] or config_get(proposal.org_unit, "proposals.term") or ""
    proposal.session = session.strip()[:20] or config_get(proposal.org_unit, "proposals.session") or ""
    proposal.number = _next_number(proposal)
    proposal.status = ProposalStatus.REGISTERED
    proposal.registered_at = timezone.now()
    bump_version(proposal, ["term", "session", "number", "status", "registered_at", "registered_on"])
    audit_log(actor=actor, action="proposals.proposal.register", target=proposal,
              after={"status": proposal.status, "number": proposal.number_label,
                     "registered_on": proposal.registered_on.isoformat()}, note=note[:500])
    duty_record_add(member=proposal.proposer, kind="proposal_registered", source=proposal,
                    occurred_on=proposal.registered_on,
                    title=proposal.title, actor=actor)
    if publication:
        _apply_publication(actor, proposal, publication, show_proposer)
    return proposal


PUBLICATION_FIELDS = ["publication", "publish_proposer_name", "publication_decided_on"]


def _check_publication(proposal: Proposal, publication: str) -> None:
    _check_choice(publication, Publication, "publication")
    if publication == Publication.PUBLIC and not proposal.publish_wish:
        raise GuardFailed(_("The proposer asked not to publish this proposal; it stays off the public site."))


def _apply_publication(actor, proposal: Proposal, publication: str, show_proposer: bool) -> None:
    before = snapshot(proposal, PUBLICATION_FIELDS)
    proposal.publication = publication
    proposal.publish_proposer_name = bool(show_proposer)
    proposal.publication_decided_on = _today()
    bump_version(proposal, PUBLICATION_FIELDS)
    audit_log(actor=actor, action="proposals.proposal.publication", target=proposal, before=before,
              after=snapshot(proposal, PUBLICATION_FIELDS))


@transaction.atomic
def proposal_set_publication(*, actor, proposal: Proposal, publication: str, show_proposer: bool = True,
                             version=None) -> Proposal:
    """The office decides (or changes) whether a registered proposal and its replies are public,
    and whether the proposer's name is shown with it (是否公开). Never public against the
    proposer's wish."""
    proposal = _staff_locked(actor, proposal, "publish", version)
    _check_publication(proposal, publication)
    _apply_publication(actor, proposal, publication, show_proposer)
    return proposal


@transaction.atomic
def proposal_reject(*, actor, proposal: Proposal, reason: str, conversion: str = "", version=None) -> Proposal:
    """不立案, with a reason; optionally converted to a 社情民意 item or an opinion letter."""
    proposal = _staff_locked(actor, proposal, "reject", version)
    if not (reason or "").strip():
        raise DomainError(_("Give the reason for not registering."), field="reason")
    _check_choice(conversion or "", NotRegisteredConversion, "conversion")
    proposal.status = ProposalStatus.NOT_REGISTERED
    proposal.not_registered_reason = reason.strip()
    proposal.conversion = conversion or ""
    bump_version(proposal, ["status", "not_registered_reason", "conversion"])
    audit_log(actor=actor, action="proposals.proposal.reject", target=proposal,
              after={"status": proposal.status, "conversion": proposal.conversion}, note=reason[:500])
    if conversion == NotRegisteredConversion.OPINION:
        item = _create_indexed(
            OpinionItem, title=proposal.title, content=f"{proposal.case}\n\n" + "\n".join(proposal.suggestions),
            submitter=proposal.submitted_by, member=proposal.proposer, org_unit_id=proposal.org_unit_id,
            org_path=proposal.org_path, from_proposal=proposal,
        )
        audit_log(actor=actor, action="proposals.opinion.submit", target=item, note=_("Converted from a proposal"))
    return proposal


@transaction.atomic
def proposal_merge(*, actor, proposal: Proposal, into: Proposal, version=None) -> Proposal:
    """并案: a similar proposal is handled together with a registered one."""
    proposal = _staff_locked(actor, proposal, "merge", version)
    into = Proposal.objects.filter(pk=getattr(into, "pk", None), org_unit_id=proposal.org_unit_id).first()
    if into is None or into.pk == proposal.pk:
        raise DomainError(_("Choose another proposal of the same unit."), field="into")
    if into.status in {ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.NOT_REGISTERED,
                       ProposalStatus.MERGED, ProposalStatus.WITHDRAWN}:
        raise DomainError(_("Merge only into a registered proposal."), field="into")
    proposal.status = ProposalStatus.MERGED
    proposal.merged_into = into
    bump_version(proposal, ["status", "merged_into"])
    audit_log(actor=actor, action="proposals.proposal.merge", target=proposal,
              after={"status": proposal.status, "merged_into": into.pk})
    return proposal


# ── Assignment ────────────────────────────────────────────────────────────────────────────


def _check_units(proposal, units):
    for unit in units:
        if unit.kind != UnitKind.DEPARTMENT or not unit.path.startswith(proposal.org_path):
            raise DomainError(_("Choose handling departments of the proposal's own unit."), field="units")


@transaction.atomic
def proposal_preassign(*, actor, proposal: Proposal, main_unit: OrgUnit, co_units=(), due_on=None,
                       version=None) -> Proposal:
    """预交办 (and 协商调整 when called again): set the lead unit and co-handlers. Units already
    pre-assigned keep their answer; units no longer listed are withdrawn."""
    proposal = _staff_locked(actor, proposal, "preassign", version)
    co_units = [u for u in co_units if u.pk != main_unit.pk]
    _check_units(proposal, [main_unit, *co_units])
    if due_on is None:
        months = int(config_get(proposal.org_unit, "proposals.reply_months", proposal.year) or 3)
        today = _today()
        month = today.month - 1 + months
        year, month = today.year + month // 12, month % 12 + 1
        due_on = datetime.date(year, month, min(today.day, 28))
    if due_on <= _today():
        raise DomainError(_("The reply deadline must be in the future."), field="due_on")
    wanted = {main_unit.pk: AssignmentRole.MAIN, **{u.pk: AssignmentRole.CO for u in co_units}}
    units = {u.pk: u for u in [main_unit, *co_units]}
    current = {a.unit_id: a for a in proposal.assignments.exclude(status=AssignmentStatus.WITHDRAWN)}
    for unit_id, assignment in current.items():
        if unit_id not in wanted:
            assignment.status = AssignmentStatus.WITHDRAWN
            assignment.save(update_fields=["status"])
    new_assignments = []
    for unit_id, role in wanted.items():
        assignment = current.get(unit_id)
        if assignment is None:
            new_assignments.append(Assignment.objects.create(proposal=proposal, unit=units[unit_id],
                                                             unit_path=units[unit_id].path, role=role, due_on=due_on))
        else:
            changes = {"role": role, "due_on": due_on}
            if role != assignment.role or assignment.status == AssignmentStatus.CONTESTED:
                changes["status"] = AssignmentStatus.PRE
            for k, v in changes.items():
                setattr(assignment, k, v)
            assignment.save(update_fields=list(changes))
    proposal.status = ProposalStatus.ASSIGNING
    bump_version(proposal, ["status"])
    audit_log(actor=actor, action="proposals.proposal.preassign", target=proposal,
              after={"main": main_unit.name, "co": [u.name for u in co_units], "due_on": due_on.isoformat()})
    send_now(reminders.assignment_events(proposal, new_assignments, stage="pre"))
    return proposal


def _dept_assignment(actor, assignment, action: str) -> Assignment:
    """Lock the assignment and enforce the row `action` of the ASSIGNMENT table."""
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("proposal").get(pk=assignment.pk)
    ASSIGNMENT.check(assignment, actor, action)
    return assignment


@transaction.atomic
def assignment_accept(*, actor, assignment: Assignment) -> Assignment:
    assignment = _dept_assignment(actor, assignment, "accept")
    assignment.status = ASSIGNMENT["accept"].target
    assignment.save(update_fields=["status"])
    audit_log(actor=actor, action="proposals.assignment.accept", target=assignment.proposal,
              after={"unit": assignment.unit.name})
    return assignment


@transaction.atomic
def assignment_contest(*, actor, assignment: Assignment, reason: str) -> Assignment:
    assignment = _dept_assignment(actor, assignment, "contest")
    if not (reason or "").strip():
        raise DomainError(_("Give the reason why the proposal is not for your unit."), field="reason")
    assignment.status = AssignmentStatus.CONTESTED
    assignment.contest_reason = reason.strip()
    assignment.save(update_fields=["status", "contest_reason"])
    audit_log(actor=actor, action="proposals.assignment.contest", target=assignment.proposal,
              after={"unit": assignment.unit.name}, note=reason[:500])
    return assignment


@transaction.atomic
def proposal_assign_formally(*, actor, proposal: Proposal, version=None,
                             assigned_on: datetime.date | None = None) -> Proposal:
    """正式交办: every listed unit starts handling with its deadline, from `assigned_on`
    (default today)."""
    proposal = _staff_locked(actor, proposal, "assign", version)
    assigned_on = dates.proposal_assigned_on(assigned_on, proposal=proposal)
    active = list(proposal.assignments.exclude(status=AssignmentStatus.WITHDRAWN).select_related("unit"))
    now = timezone.now()
    for a in active:
        a.status = AssignmentStatus.ASSIGNED
        a.assigned_at = now
        a.assigned_on = assigned_on
        a.save(update_fields=["status", "assigned_at", "assigned_on"])
    proposal.status = ProposalStatus.HANDLING
    proposal.assigned_at = now
    proposal.assigned_on = assigned_on
    bump_version(proposal, ["status", "assigned_at", "assigned_on"])
    audit_log(actor=actor, action="proposals.proposal.assign", target=proposal,
              after={"status": proposal.status, "units": [a.unit.name for a in active],
                     "assigned_on": assigned_on.isoformat()})
    send_now(reminders.assignment_events(proposal, active, stage="assigned"))
    return proposal


# ── Handling and reply ────────────────────────────────────────────────────────────────────


@transaction.atomic
def contact_add(*, actor, assignment: Assignment, method: str, contacted_on: datetime.date, note: str = "") -> Contact:
    assignment = _dept_assignment(actor, assignment, "contact")
    _check_choice(method, ContactMethod, "method")
    if contacted_on > _today():
        raise DomainError(_("The date cannot be in the future."), field="contacted_on")
    contact = Contact.objects.create(assignment=assignment, method=method, contacted_on=contacted_on,
                                     note=note.strip(), created_by=actor)
    audit_log(actor=actor, action="proposals.assignment.contact", target=assignment.proposal,
              after={"unit": assignment.unit.name, "method": method, "date": contacted_on.isoformat()}, note=note[:500])
    return contact


def validate_upload(upload, field="file"):
    """Size and type limits for attachments and reply letters; the content must match the type."""
    name = getattr(upload, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED_EXTENSIONS:
        raise DomainError(_("Upload a PDF, Word, Excel, image or text file."), field=field)
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise DomainError(_("The file is larger than 10 MB."), field=field)
    if upload.size == 0:
        raise DomainError(_("The file is empty."), field=field)
    if not content_matches(upload, "." + ext):
        raise DomainError(_("The file's content does not match its type."), field=field)


@transaction.atomic
def reply_submit(*, actor, assignment: Assignment, reply_class: str, text: str, lines=None,
                 document_number: str = "", letter=None, follow_up_on: datetime.date | None = None,
                 replied_on: datetime.date | None = None) -> Reply:
    """The handling unit replies: result class, per-suggestion actions, the signed letter, dated
    `replied_on` (the letter's date; default today)."""
    # Lock order of the proposal aggregate: the proposal, then its assignments (as
    # proposal_assign_formally and proposal_rate do), never the other way round.
    proposal = _locked(Proposal, assignment.proposal_id)
    assignment = Assignment.objects.select_for_update(of=("self",)).get(pk=assignment.pk)
    assignment.proposal = proposal
    if not ASSIGNMENT.may(assignment, actor, "reply"):
        raise NotAllowed()
    ASSIGNMENT.check(assignment, actor, "reply")
    replied_on = dates.reply_replied_on(replied_on, assignment=assignment, proposal=proposal)
    _check_choice(reply_class, ReplyClass, "reply_class")
    if not (text or "").strip():
        raise DomainError(_("Write the reply."), field="text")
    if reply_class == ReplyClass.B:
        if follow_up_on is None:
            raise DomainError(_("B-class replies need a follow-up review date."), field="follow_up_on")
        if follow_up_on <= replied_on:
            raise DomainError(_("The follow-up date must be in the future."), field="follow_up_on")
    if letter is not None:
        validate_upload(letter, "letter")
    clean_lines = []
    for i, line in enumerate(lines or [], start=1):
        action = str(line.get("action", "") if isinstance(line, dict) else line).strip()
        if action:
            clean_lines.append({"suggestion": i, "action": action[:2000]})
    round_no = 2 if proposal.reopened else 1
    reply = Reply(assignment=assignment, round=round_no, reply_class=reply_class, text=text.strip(),
                  lines=clean_lines, document_number=document_number.strip()[:60],
                  follow_up_on=follow_up_on if reply_class == ReplyClass.B else None, created_by=actor,
                  replied_on=replied_on)
    if letter is not None:
        reply.letter = letter
    try:
        with transaction.atomic():
            reply.save()
    except IntegrityError:
        raise GuardFailed(_("This unit already replied."))
    assignment.status = AssignmentStatus.REPLIED
    assignment.replied_at = timezone.now()
    assignment.replied_on = replied_on
    assignment.save(update_fields=["status", "replied_at", "replied_on"])
    audit_log(actor=actor, action="proposals.assignment.reply", target=proposal,
              after={"unit": assignment.unit.name, "class": reply_class, "document_number": reply.document_number,
                     "replied_on": replied_on.isoformat()})
    if not proposal.assignments.filter(status=AssignmentStatus.ASSIGNED).exists():
        proposal.status = ProposalStatus.REPLIED
        bump_version(proposal, ["status"])
        audit_log(actor=actor, action="proposals.proposal.replied", target=proposal, after={"status": proposal.status})
    return reply


@transaction.atomic
def proposal_rate(*, actor, proposal: Proposal, attitude: str, result: str, comment: str = "",
                  closed_on: datetime.date | None = None) -> Proposal:
    """The proposer rates attitude and result. Dissatisfaction reopens handling once."""
    proposal = _locked(Proposal, proposal.pk)
    PROPOSAL.check(proposal, actor, "rate")
    _check_choice(attitude, Satisfaction, "attitude")
    _check_choice(result, Satisfaction, "result")
    proposal.satisfaction_attitude, proposal.satisfaction_result = attitude, result
    proposal.rating_comment = comment.strip()
    dissatisfied = Satisfaction.DISSATISFIED in (attitude, result)
    fields = ["satisfaction_attitude", "satisfaction_result", "rating_comment", "status"]
    if dissatisfied and not proposal.reopened:
        proposal.status = ProposalStatus.HANDLING
        proposal.reopened = True
        fields.append("reopened")
        proposal.assignments.filter(status=AssignmentStatus.REPLIED).update(status=AssignmentStatus.ASSIGNED)
    else:
        proposal.status = ProposalStatus.CLOSED
        proposal.closed_at = timezone.now()
        proposal.closed_on = dates.proposal_closed_on(closed_on, proposal=proposal)
        fields += ["closed_at", "closed_on"]
    bump_version(proposal, fields)
    audit_log(actor=actor, action="proposals.proposal.rate", target=proposal,
              after={"attitude": attitude, "result": result, "status": proposal.status}, note=comment[:500])
    main_reply = Reply.objects.filter(assignment__proposal=proposal, assignment__role=AssignmentRole.MAIN).last()
    if proposal.status == ProposalStatus.CLOSED and main_reply and main_reply.reply_class == ReplyClass.A:
        duty_record_add(member=proposal.proposer, kind="proposal_adopted", source=proposal,
                        occurred_on=proposal.closed_on, title=proposal.title, actor=actor)
    return proposal


@transaction.atomic
def reply_follow_up(*, actor, reply: Reply, note: str) -> Reply:
    """Record the follow-up review of a B-class reply."""
    reply = Reply.objects.select_for_update(of=("self",)).select_related("assignment__proposal").get(pk=reply.pk)
    proposal = reply.assignment.proposal
    if not (permissions.is_staff_for(actor, proposal.org_path) or permissions.is_leader_for(actor, proposal.org_path)):
        raise NotAllowed()
    if reply.reply_class != ReplyClass.B or reply.followed_up_at:
        raise GuardFailed(_("Only an open B-class reply can be followed up."))
    if not (note or "").strip():
        raise DomainError(_("Write the follow-up result."), field="note")
    reply.followed_up_at, reply.follow_up_note = timezone.now(), note.strip()
    reply.save(update_fields=["followed_up_at", "follow_up_note"])
    audit_log(actor=actor, action="proposals.reply.follow_up", target=proposal, note=note[:500])
    return reply


# ── Supervision ───────────────────────────────────────────────────────────────────────────

@transaction.atomic
def proposal_mark_key(*, actor, proposal: Proposal, supervising_leader, note: str = "") -> Proposal:
    """A leader (or the committee on the leaders' behalf) makes a proposal a key proposal with
    a named supervising leader (领衔督办)."""
    proposal = _locked(Proposal, proposal.pk)
    PROPOSAL.check(proposal, actor, "mark_key")
    if supervising_leader is None or not has_role(supervising_leader, Role.LEADER, proposal.org_path):
        raise DomainError(_("Choose a leader of this unit."), field="supervising_leader")
    before = snapshot(proposal, ["is_key", "supervising_leader"])
    proposal.is_key, proposal.supervising_leader, proposal.supervision_note = True, supervising_leader, note[:200]
    bump_version(proposal, ["is_key", "supervising_leader", "supervision_note"])
    audit_log(actor=actor, action="proposals.proposal.mark_key", target=proposal, before=before,
              after=snapshot(proposal, ["is_key", "supervising_leader"]), note=note[:200])
    return proposal


@transaction.atomic
def supervision_add(*, actor, proposal: Proposal, kind: str, held_on: datetime.date, note: str) -> SupervisionRecord:
    proposal = _locked(Proposal, proposal.pk)
    PROPOSAL.check(proposal, actor, "supervise")
    _check_choice(kind, SupervisionKind, "kind")
    if held_on > _today():
        raise DomainError(_("The date cannot be in the future."), field="held_on")
    if not (note or "").strip():
        raise DomainError(_("Write what was discussed or seen."), field="note")
    record = SupervisionRecord.objects.create(proposal=proposal, kind=kind, held_on=held_on, note=note.strip(),
                                              created_by=actor)
    audit_log(actor=actor, action="proposals.proposal.supervise", target=proposal,
              after={"kind": kind, "date": held_on.isoformat()}, note=note[:500])
    return record


@transaction.atomic
def attachment_add(*, actor, proposal: Proposal, upload) -> Attachment:
    proposal = _locked(Proposal, proposal.pk)
    PROPOSAL.check(proposal, actor, "attach")
    validate_upload(upload)
    attachment = Attachment.objects.create(proposal=proposal, file=upload, name=upload.name[:200],
                                           size=upload.size, uploaded_by=actor)
    audit_log(actor=actor, action="proposals.proposal.attach", target=proposal, after={"file": attachment.name})
    return attachment
