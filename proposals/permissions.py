"""Who may do what with proposals and public-opinion items.

=============== ==========================================================================
role            rights here
=============== ==========================================================================
member          own proposals and those they co-sign; submit, withdraw, rate; submit 社情民意
proposal_staff  review, register, assign, follow up B-class replies, evaluation, 社情民意 editing
office_clerk    same as proposal staff (the office runs 社情民意 and sees overdue replies)
department      only proposals assigned to its unit: accept/contest, contact, reply
leader          read the subtree; choose key proposals, supervise; instructions
admin           everything
=============== ==========================================================================
"""

from __future__ import annotations

from organizations.models import Role
from organizations.permissions import PROPOSAL_STAFF_ROLES, has_role, is_admin

STAFF_ROLES = PROPOSAL_STAFF_ROLES
SUPERVISE_ROLES = PROPOSAL_STAFF_ROLES | {Role.LEADER}


def is_staff_for(user, org_path: str) -> bool:
    return has_role(user, STAFF_ROLES, org_path)


def is_leader_for(user, org_path: str) -> bool:
    return has_role(user, Role.LEADER, org_path)


def can_supervise(user, org_path: str) -> bool:
    return has_role(user, SUPERVISE_ROLES, org_path)


def is_proposer(user, proposal) -> bool:
    return bool(user.is_authenticated and proposal.proposer.user_id == user.pk)


def handles_unit(user, unit_path: str) -> bool:
    """A department handler of the unit (or an administrator)."""
    return is_admin(user) or has_role(user, Role.DEPARTMENT, unit_path)
