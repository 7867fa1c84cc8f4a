"""Kinds of notification: every reminder source (portal.reminders) plus the kinds apps send
immediately with `notify()`. A kind may be mandatory: users cannot switch it off (they may still
take it as a daily digest)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from portal.reminders import EVENT_KINDS, SOURCES

DIGEST_KIND = "notifications.digest"


@dataclass(frozen=True)
class Kind:
    kind: str
    label: object
    mandatory: bool = False


_KINDS: dict[str, Kind] = {}
_MANDATORY: set[str] = set()


def register_kind(kind: str, label, *, mandatory: bool = False) -> None:
    """For events sent with `notify()` (reminder sources are known from portal.reminders)."""
    _KINDS[kind] = Kind(kind, label, mandatory)
    if mandatory:
        _MANDATORY.add(kind)


def mark_mandatory(kind: str) -> None:
    """Make a reminder source's kind mandatory (call from the app's reminders.py)."""
    _MANDATORY.add(kind)


def unregister_kind(kind: str) -> None:
    _KINDS.pop(kind, None)
    _MANDATORY.discard(kind)


def is_mandatory(kind: str) -> bool:
    return kind in _MANDATORY


def all_kinds() -> list[Kind]:
    """Every kind a user can set a preference for, sorted by kind."""
    found = {k: Kind(k, s.label, k in _MANDATORY) for k, s in SOURCES.items()}
    for k, label in EVENT_KINDS.items():
        found[k] = Kind(k, label, k in _MANDATORY)
    for k, spec in _KINDS.items():
        found[k] = Kind(k, spec.label, k in _MANDATORY)
    return [found[k] for k in sorted(found)]


def label_of(kind: str):
    if kind == DIGEST_KIND:
        return _("Daily digest")
    if kind in _KINDS:
        return _KINDS[kind].label
    if kind in SOURCES:
        return SOURCES[kind].label
    if kind in EVENT_KINDS:
        return EVENT_KINDS[kind]
    return kind
