"""The duty activities proposals and 社情民意 record in members' duty files (members.duty)."""

from django.utils.translation import gettext_lazy as _

from members.duty import DutyKind, register_kind


def register() -> None:
    for kind in [
        DutyKind("proposal_submitted", _("Proposal submitted"), "proposal", order=80),
        DutyKind("proposal_registered", _("Proposal registered"), "proposal", order=90),
        DutyKind("proposal_adopted", _("Proposal adopted / excellent"), "proposal", order=100),
        DutyKind("opinion_submitted", _("Public-opinion item submitted"), "opinion", order=110),
        DutyKind("opinion_adopted", _("Public-opinion item adopted"), "opinion", order=120),
        DutyKind("opinion_instructed", _("Leader's instruction on an item"), "opinion", order=130),
    ]:
        register_kind(kind)
