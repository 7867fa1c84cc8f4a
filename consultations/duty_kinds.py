"""The duty activities the consultation loop records in members' duty files (members.duty)."""

from django.utils.translation import gettext_lazy as _

from members.duty import DutyKind, register_kind


def register() -> None:
    register_kind(DutyKind("session_attended", _("Attended a consultation session"), "activity", order=10))
    register_kind(DutyKind("research", _("Took part in research"), "activity", order=20))
