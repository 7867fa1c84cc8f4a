"""Who the signed-in user is in the org tree, for the shell (navigation, home page).

Infrastructure does not know the org tree: the `organizations` app registers the answer at
start-up (``register_identity``), as apps register reminders, metrics and workflows. Without a
provider (e.g. a bare test of the shell) a user has no roles and no units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    roles_of: Callable[[object], set[str]]  # user -> role codes held anywhere
    home: Callable[[object], dict]  # user -> {"units": [...], "roles": [(code, label)], "unrestricted": bool}


_identity = Identity(roles_of=lambda user: set(), home=lambda user: {"units": [], "roles": [],
                                                                       "unrestricted": False})


def register_identity(identity: Identity) -> None:
    global _identity
    _identity = identity


def roles_of(user) -> set[str]:
    return _identity.roles_of(user)


def home_context(user) -> dict:
    return _identity.home(user)
