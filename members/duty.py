"""Registry of duty activity kinds. Apps that produce duty activities register their kinds here
(in their AppConfig.ready) so the duty file, scoring rules and reports know them without
importing the producing app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class DutyKind:
    code: str
    label: Any
    group: str = "activity"  # activity | proposal | opinion | deed
    order: int = 500  # where the kind stands in lists (forms, scoring plans, the duty file)


_KINDS: dict[str, DutyKind] = {}


_ORDERED: dict[str, DutyKind] = {}


def register_kind(kind: DutyKind) -> None:
    _KINDS[kind.code] = kind
    _ORDERED.clear()


def kinds() -> dict[str, DutyKind]:
    """Every registered kind, in list order (sorted once per registration: rankings ask per row)."""
    if not _ORDERED:
        _ORDERED.update({k.code: k for k in sorted(_KINDS.values(), key=lambda k: k.order)})
    return dict(_ORDERED)


def label_of(code: str):
    kind = _KINDS.get(code)
    return kind.label if kind else code


# The members' own kinds (entered in the duty file or by workrooms). Consultations and proposals
# register theirs in their AppConfig.ready() (consultations/duty_kinds.py, proposals/duty_kinds.py).
for _kind in [
    DutyKind("reception_shift", _("Reception-day shift"), "activity", order=30),
    DutyKind("speech", _("Speech at a meeting"), "activity", order=40),
    DutyKind("golden_idea", _("Golden idea (金点子)"), "activity", order=50),
    DutyKind("volunteer", _("Volunteer deed"), "deed", order=60),
    DutyKind("deed", _("Practical deed for residents"), "deed", order=70),
    DutyKind("workroom_activity", _("Workroom activity"), "activity", order=140),
    DutyKind("absence_unexcused", _("Unexcused absence"), "activity", order=150),
]:
    register_kind(_kind)
