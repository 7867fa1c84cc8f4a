"""Transition tables: one per workflow, written once, read by everybody.

A workflow is a list of rows. Each row says, for one *action*:

    Row(action, label, sources, roles, target=None, guard=None, refusal="")

- ``sources``: the states the action starts from (``None``: any state);
- ``roles``: role codes held at or above the record's unit, and/or *relations* written with an
  ``@`` (e.g. ``"@proposer"``) that the workflow resolves with a predicate ``(user, obj) -> bool``;
- ``target``: the next state (``None``: the action records something and keeps the state);
- ``guard``: a named predicate ``(obj) -> str | None`` over the stored record: ``None`` when the
  action may go on, else the translated reason it may not (e.g. "no closing before feedback"),
  or a ``GuardFailed`` carrying the reason and the form field it belongs to;
- ``refusal``: the translated message when the record is in a state the action does not start from.

Services enforce a row with ``WORKFLOW.check(obj, actor, action)`` (roles → ``NotAllowed``,
state and guard → ``GuardFailed``) after locking the record and before validating input.
Record pages, "下一步" boxes, tabs and the API read the same rows through
``allowed_actions(obj, user)``, so a button is shown exactly when the service would accept the
step (input validation aside). Guards read relations through ``.all()`` so that a page that
prefetched them runs no extra query.

Infrastructure does not know the apps: each app builds its ``Workflow`` objects in its own
``workflows.py`` with its role predicate and registers them for its models (``register``), the
same way reminders and metrics plug in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .errors import GuardFailed, NotAllowed

Guard = Callable[[object], "str | None"]


@dataclass(frozen=True)
class Row:
    action: str
    label: object  # lazy translation
    sources: frozenset | None
    roles: tuple[str, ...]
    target: str | None = None
    guard: Guard | None = None
    refusal: object = ""

    def __post_init__(self):
        if self.sources is not None and not isinstance(self.sources, frozenset):
            object.__setattr__(self, "sources", frozenset(self.sources))
        object.__setattr__(self, "roles", tuple(self.roles))


class Workflow:
    """One table. ``has_role(user, roles, path) -> bool`` answers for role codes at ``path(obj)``;
    ``relations`` maps relation names used in ``roles`` to ``(user, obj) -> bool``."""

    def __init__(self, name: str, rows: Iterable[Row], *, has_role: Callable, path: Callable[[object], str],
                 state: Callable[[object], str] = lambda obj: obj.status,
                 relations: dict[str, Callable] | None = None):
        self.name = name
        self.rows = {row.action: row for row in rows}
        self._has_role = has_role
        self._path = path
        self._state = state
        self.relations = relations or {}
        for row in self.rows.values():
            for role in row.roles:
                if role.startswith("@") and role[1:] not in self.relations:
                    raise ValueError(f"{name}.{row.action}: unknown relation {role}")

    def __getitem__(self, action: str) -> Row:
        return self.rows[action]

    def __iter__(self):
        return iter(self.rows.values())

    # -- the three questions -----------------------------------------------------------------

    def may(self, obj, user, action: str) -> bool:
        """Whether the user holds a role (or relation) of the row. Cheap: no query beyond the
        user's cached role assignments and what the relation predicates read."""
        row = self.rows[action]
        codes = [r for r in row.roles if not r.startswith("@")]
        if codes and self._has_role(user, codes, self._path(obj)):
            return True
        return any(self.relations[r[1:]](user, obj) for r in row.roles if r.startswith("@"))

    def refusal(self, obj, action: str):
        """``None`` when the record's state and guard allow the action, else the reason."""
        row = self.rows[action]
        if row.sources is not None and self._state(obj) not in row.sources:
            return row.refusal or GuardFailed.default_message
        if row.guard is not None:
            return row.guard(obj)
        return None

    def check(self, obj, user, action: str) -> Row:
        """Enforce the row in a service: raises NotAllowed, then GuardFailed."""
        row = self.rows[action]
        if not self.may(obj, user, action):
            raise NotAllowed()
        reason = self.refusal(obj, action)
        if isinstance(reason, GuardFailed):
            raise reason
        if reason is not None:
            raise GuardFailed(reason)
        return row

    def allowed(self, obj, user) -> list[str]:
        """Every action the user may take on the record now, in table order."""
        return [a for a in self.rows if self.may(obj, user, a) and self.refusal(obj, a) is None]

    def labels(self, obj, user) -> list[tuple[str, object]]:
        return [(a, self.rows[a].label) for a in self.allowed(obj, user)]


_REGISTRY: dict[type, Workflow] = {}


def register(model: type, workflow: Workflow) -> Workflow:
    """Declare the table of a model's lifecycle (from the app's ``workflows.py``)."""
    _REGISTRY[model] = workflow
    return workflow


def workflow_for(obj) -> Workflow:
    for cls in type(obj).__mro__:
        if cls in _REGISTRY:
            return _REGISTRY[cls]
    raise LookupError(f"No workflow registered for {type(obj).__name__}")


def allowed_actions(obj, user) -> list[str]:
    """The one answer to "what may this user do next with this record?"."""
    return workflow_for(obj).allowed(obj, user)


def roles_in(rows: Iterable[Row]) -> set[str]:
    return {r for row in rows for r in row.roles}
