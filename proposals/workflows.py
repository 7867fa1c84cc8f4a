"""The proposals' transition tables (see portal/workflow.py for the row format): proposals
(提案), their assignments to handling units, and public-opinion items (社情民意).

The services enforce these rows (``PROPOSAL.check(proposal, actor, "withdraw")``); the record
page's "Next steps", the opinion page, the queue tabs and the API's ``allowed_actions`` read them.
To add a step: add a row, call ``<TABLE>.check`` in its service, show the button when the action
is in ``allowed_actions(obj, user)``; tests/proposals/test_workflows.py proves both agree for
every role and state.

Roles: staff (PROPOSAL_STAFF, OFFICE_CLERK), leaders and departments hold them at or above the
record's unit (an administrator holds every role); ``@proposer`` and ``@cosigner`` are relations
to the record.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.config import config_get
from organizations.models import Role
from organizations.permissions import has_role
from portal.workflow import Row, Workflow, register

from .models import (
    PUBLISHABLE_STATUSES,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    CosignerStatus,
    OpinionItem,
    OpinionStatus,
    Proposal,
    ProposalKind,
)
from .models import ProposalStatus as P
from .permissions import STAFF_ROLES, SUPERVISE_ROLES

DEFAULT_REVIEW_STAGES = ["秘书处提案组初审", "提案委员会复审", "三方会审", "主席会议终审"]
SUPERVISABLE = frozenset({P.REGISTERED, P.ASSIGNING, P.HANDLING, P.REPLIED})
MAX_ATTACHMENTS = 10


def review_stages(proposal) -> list[str]:
    stages = config_get(proposal.org_unit, "proposals.review_stages", proposal.year)
    return list(stages) if stages else list(DEFAULT_REVIEW_STAGES)


# ------------------------------------------------------------------------------ named guards

def cosigners_ready(proposal):
    cosigners = list(proposal.cosigners.all())
    if proposal.kind == ProposalKind.JOINT and not cosigners:
        return _("A joint proposal needs at least one co-signer.")
    waiting = [c.member.name for c in cosigners if c.status != CosignerStatus.CONFIRMED]
    if waiting:
        return _("These co-signers have not confirmed: %(names)s. Wait for them or remove them.") % {
            "names": "、".join(waiting)}
    return None


def review_not_started(proposal):
    """The one withdraw rule: a draft, or a submitted proposal still at its first review stage."""
    if proposal.status == P.SUBMITTED and proposal.review_stage != 0:
        return _("A proposal can be withdrawn only before its review starts.")
    return None


def another_review_stage(proposal):
    if proposal.review_stage >= len(review_stages(proposal)) - 1:
        return _("This is the last review stage: register the proposal or not.")
    return None


def assignment_complete(proposal):
    active = [a for a in proposal.assignments.all() if a.status != AssignmentStatus.WITHDRAWN]
    if any(a.status == AssignmentStatus.CONTESTED for a in active):
        return _("A unit contested the assignment: adjust the units first.")
    if sum(1 for a in active if a.role == AssignmentRole.MAIN) != 1:
        return _("Exactly one lead unit is needed.")
    if any(a.due_on <= timezone.localdate() for a in active):
        return _("A reply deadline has passed: adjust the assignment first.")
    return None


def is_key(proposal):
    return None if proposal.is_key else _("Supervision is recorded for key proposals.")


def room_for_attachments(proposal):
    if len(proposal.attachments.all()) >= MAX_ATTACHMENTS:
        return _("At most 10 attachments per proposal.")
    return None


def proposal_handling_and_contacted(assignment):
    """不协商不答复: the proposal is being handled and the unit has contacted the proposer."""
    if assignment.proposal.status != P.HANDLING:
        return _("This assignment is not open for a reply (already replied or not yet assigned).")
    if not assignment.contacts.all():
        return _("Record a contact with the proposer before replying (不协商不答复).")
    return None


def _is_proposer(user, proposal) -> bool:
    return bool(user.is_authenticated and proposal.proposer.user_id == user.pk)


def _is_pending_cosigner(user, proposal) -> bool:
    return bool(user.is_authenticated) and any(
        c.member.user_id == user.pk and c.status == CosignerStatus.PENDING for c in proposal.cosigners.all())


# ------------------------------------------------------------------------------------ tables

STAFF = tuple(STAFF_ROLES)

PROPOSAL = register(Proposal, Workflow("proposal", [
    Row("edit", _("Edit draft"), {P.DRAFT}, ("@proposer",), refusal=_("Only drafts can be edited.")),
    Row("submit", _("Submit the proposal"), {P.DRAFT}, ("@proposer",), P.SUBMITTED, cosigners_ready,
        _("Only drafts can be submitted.")),
    Row("cosign", _("Confirm co-signature"), {P.DRAFT}, ("@cosigner",),
        refusal=_("The proposal was already submitted.")),
    Row("review", _("Pass to the next review stage"), {P.SUBMITTED}, STAFF, guard=another_review_stage),
    Row("register", _("Register"), {P.SUBMITTED}, STAFF, P.REGISTERED),
    Row("reject", _("Do not register"), {P.SUBMITTED}, STAFF, P.NOT_REGISTERED),
    Row("merge", _("Merge"), {P.SUBMITTED}, STAFF, P.MERGED),
    Row("preassign", _("Pre-assign (预交办)"), {P.REGISTERED, P.ASSIGNING}, STAFF, P.ASSIGNING),
    Row("assign", _("Assign formally (正式交办)"), {P.ASSIGNING}, STAFF, P.HANDLING, assignment_complete),
    Row("rate", _("Rate the reply"), {P.REPLIED}, ("@proposer",), refusal=_("Only a replied proposal can be rated.")),
    Row("mark_key", _("Make a key proposal"), SUPERVISABLE, SUPERVISE_ROLES,
        refusal=_("Only registered proposals still being handled can become key proposals.")),
    Row("supervise", _("Record supervision"), None, SUPERVISE_ROLES, guard=is_key),
    Row("attach", _("Add an attachment"), set(P.values) - {P.WITHDRAWN, P.CLOSED}, (*STAFF, "@proposer"),
        guard=room_for_attachments),
    Row("publish", _("Decide on publication (是否公开)"), PUBLISHABLE_STATUSES, STAFF,
        refusal=_("Only registered proposals can be published.")),
    Row("withdraw", _("Withdraw the proposal"), {P.DRAFT, P.SUBMITTED}, ("@proposer",), P.WITHDRAWN,
        review_not_started, _("A proposal can be withdrawn only before its review starts.")),
], has_role=has_role, path=lambda proposal: proposal.org_path,
    relations={"proposer": _is_proposer, "cosigner": _is_pending_cosigner}))


ASSIGNMENT = register(Assignment, Workflow("assignment", [
    Row("accept", _("Accept"), {AssignmentStatus.PRE}, (Role.DEPARTMENT,), AssignmentStatus.ACCEPTED),
    Row("contest", _("Contest"), {AssignmentStatus.PRE}, (Role.DEPARTMENT,), AssignmentStatus.CONTESTED),
    Row("contact", _("Record contact with the proposer"),
        {AssignmentStatus.PRE, AssignmentStatus.ACCEPTED, AssignmentStatus.ASSIGNED}, (Role.DEPARTMENT,)),
    Row("reply", _("Send reply"), {AssignmentStatus.ASSIGNED}, (Role.DEPARTMENT,), AssignmentStatus.REPLIED,
        proposal_handling_and_contacted,
        _("This assignment is not open for a reply (already replied or not yet assigned).")),
], has_role=has_role, path=lambda assignment: assignment.unit_path))


OPINION = register(OpinionItem, Workflow("opinion", [
    Row("reject", _("Not used"), {OpinionStatus.SUBMITTED}, STAFF, OpinionStatus.REJECTED),
    Row("compile", _("Compile into a bulletin"), {OpinionStatus.SUBMITTED}, STAFF, OpinionStatus.COMPILED,
        refusal=_("Only newly submitted items of this unit can be compiled.")),
    Row("report", _("Report upward"), {OpinionStatus.COMPILED}, STAFF, OpinionStatus.REPORTED),
    Row("adopt", _("Record an adoption"), {OpinionStatus.REPORTED, OpinionStatus.ADOPTED}, STAFF,
        OpinionStatus.ADOPTED),
    Row("instruction", _("Record a leader's instruction"), {OpinionStatus.REPORTED, OpinionStatus.ADOPTED},
        (*STAFF, Role.LEADER), refusal=_("Instructions are recorded on items reported upward.")),
], has_role=has_role, path=lambda item: item.org_path))
