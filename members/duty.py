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


_KINDS: dict[str, DutyKind] = {}


def register_kind(kind: DutyKind) -> None:
    _KINDS[kind.code] = kind


def kinds() -> dict[str, DutyKind]:
    return dict(_KINDS)


def label_of(code: str):
    kind = _KINDS.get(code)
    return kind.label if kind else code


for _kind in [
    DutyKind("session_attended", _("Attended a consultation session"), "activity"),
    DutyKind("research", _("Took part in research"), "activity"),
    DutyKind("reception_shift", _("Reception-day shift"), "activity"),
    DutyKind("speech", _("Speech at a meeting"), "activity"),
    DutyKind("golden_idea", _("Golden idea (金点子)"), "activity"),
    DutyKind("volunteer", _("Volunteer deed"), "deed"),
    DutyKind("deed", _("Practical deed for residents"), "deed"),
    DutyKind("proposal_submitted", _("Proposal submitted"), "proposal"),
    DutyKind("proposal_registered", _("Proposal registered"), "proposal"),
    DutyKind("proposal_adopted", _("Proposal adopted / excellent"), "proposal"),
    DutyKind("opinion_submitted", _("Public-opinion item submitted"), "opinion"),
    DutyKind("opinion_adopted", _("Public-opinion item adopted"), "opinion"),
    DutyKind("opinion_instructed", _("Leader's instruction on an item"), "opinion"),
    DutyKind("workroom_activity", _("Workroom activity"), "activity"),
    DutyKind("absence_unexcused", _("Unexcused absence"), "activity"),
]:
    register_kind(_kind)
