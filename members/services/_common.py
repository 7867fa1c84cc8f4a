"""Helpers the members' services share (who counts as a clerk, and the check that refuses others)."""

from __future__ import annotations

from organizations import permissions
from portal.errors import NotAllowed

CLERKS = permissions.CLERK_ROLES


def _require_clerk(actor, unit) -> None:
    if not permissions.has_role(actor, CLERKS, unit):
        raise NotAllowed()
