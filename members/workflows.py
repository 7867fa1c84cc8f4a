"""The workrooms' transition table (see portal/workflow.py for the row format): a 委员工作室 is
applied for → reviewed → approved → awarded its plaque (挂牌) → revoked, with the annual check and
the activity log open while it is approved.

The services enforce these rows (``WORKROOM.check(workroom, actor, "approve")``); the workroom
page's buttons and the API's ``allowed_actions`` read them; tests/members/test_workflows.py proves
both agree for every role and state.

Roles: the liaison groups' secretaries and the offices (``MANAGE_ROLES``) edit, review and log
activities; the offices (``CLERK_ROLES``) decide — at or above the workroom's unit (an
administrator holds every role).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from organizations.permissions import CLERK_ROLES, MANAGE_ROLES, has_role
from portal.workflow import Row, Workflow, register

from .models import Workroom
from .models import WorkroomStatus as W

EDITORS = tuple(MANAGE_ROLES)
CLERKS = tuple(CLERK_ROLES)
OPEN = frozenset({W.APPROVED, W.PLAQUED})
CHANGEABLE = frozenset(set(W.values) - {W.REVOKED, W.REJECTED})


def evidence_complete(workroom):
    """The plaque needs evidence for every item of the workroom's checklist."""
    from .services import compliance  # the checklist lives with the services that keep it

    missing = [item.label for item, evidence in compliance(workroom) if evidence is None]
    if missing:
        return _("Evidence is missing for: %(items)s") % {"items": "、".join(missing)}
    return None


WORKROOM = register(Workroom, Workflow("workroom", [
    Row("edit", _("Edit"), CHANGEABLE, EDITORS,
        refusal=_("A revoked or rejected workroom can no longer be changed.")),
    Row("review", _("Mark reviewed"), {W.APPLIED}, EDITORS, W.REVIEWED),
    Row("approve", _("Approve"), {W.REVIEWED}, CLERKS, W.APPROVED),
    Row("reject", _("Reject"), {W.APPLIED, W.REVIEWED}, CLERKS, W.REJECTED),
    Row("plaque", _("Award plaque"), {W.APPROVED}, CLERKS, W.PLAQUED, evidence_complete),
    Row("revoke", _("Revoke"), OPEN, CLERKS, W.REVOKED),
    Row("check_pass", _("Annual check passed"), OPEN, CLERKS,
        refusal=_("Only approved workrooms are checked.")),
    Row("check_fail", _("Annual check failed"), OPEN, CLERKS,
        refusal=_("Only approved workrooms are checked.")),
    Row("activity", _("Log an activity"), OPEN, EDITORS,
        refusal=_("Activities are logged for approved workrooms only.")),
], has_role=has_role, path=lambda w: w.org_path))

# The steps the page's "Decisions" box offers (edit and the activity log have their own places).
DECISIONS = ("review", "approve", "reject", "plaque", "revoke", "check_pass", "check_fail")
TRANSITIONS = ("review", "approve", "reject", "plaque", "revoke")
