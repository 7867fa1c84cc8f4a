"""Hand a record over to another app's workflow without importing that app.

An app that can *receive* something registers a handler in its AppConfig.ready():

    from portal.handoffs import register_handoff
    register_handoff("opinion", _("Public-opinion item"), opinion_from_text)

and an app that *sends* (the hall turning a resident's scanned-code message into a 社情民意 item)
calls ``handoff("opinion", actor=…, …)``. The handler is the receiving app's own service, so its
permission checks, guards and audit stay where they belong; it returns the record it created.
This keeps the layering of ARCHITECTURE.md (the hall never imports proposals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .errors import GuardFailed


@dataclass(frozen=True)
class Handoff:
    key: str
    label: object
    func: Callable


_HANDOFFS: dict[str, Handoff] = {}


def register_handoff(key: str, label, func: Callable) -> None:
    _HANDOFFS[key] = Handoff(key, label, func)


def available(key: str) -> bool:
    return key in _HANDOFFS


def handoff(key: str, **kwargs):
    """Call the receiving app's service registered under `key`."""
    found = _HANDOFFS.get(key)
    if found is None:
        raise GuardFailed(_("This hand-over is not available in this installation."))
    return found.func(**kwargs)
