"""Who may do what in the consultation loop — named predicates over role and unit.

=============== ==================================================================================
role            rights on consultation records of their subtree
=============== ==================================================================================
secretary       record and edit topics, research, sessions, participants, outcomes, suggestions,
                feedback, close, 回头看, evidence; submit topics for approval
office_clerk    same as secretary over the county/city subtree (plans, quotas)
approver        approve / reject topics, publish or withdraw publication, evaluate
leader          read; record instructions (批示), evaluate
department      only suggestions routed to its unit: accept, report progress
member          own invitations: confirm or ask for leave
admin           everything
=============== ==================================================================================
"""

from __future__ import annotations

from organizations.models import Role
from organizations.permissions import APPROVER_ROLES, MANAGE_ROLES, has_role

# Compositions of the shared role sets of organizations/permissions.py.
MANAGERS = MANAGE_ROLES
APPROVERS = APPROVER_ROLES
INSTRUCTORS = MANAGE_ROLES | {Role.LEADER}
EVALUATORS = MANAGE_ROLES | APPROVER_ROLES | {Role.LEADER}


def can_manage(user, path: str) -> bool:
    return has_role(user, MANAGERS, path)


def can_approve(user, path: str) -> bool:
    return has_role(user, APPROVERS, path)


def can_instruct(user, path: str) -> bool:
    return has_role(user, INSTRUCTORS, path)


def can_evaluate(user, path: str) -> bool:
    return has_role(user, EVALUATORS, path)


def can_handle(user, suggestion) -> bool:
    """The handling department of a suggestion (or a manager of the topic)."""
    if suggestion.handling_unit_id and has_role(user, Role.DEPARTMENT, suggestion.handling_unit.path):
        return True
    return can_manage(user, suggestion.topic.org_path)
