from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and duties")

    def ready(self):
        from organizations.config import ConfigKey, positive_int, register_key
        from portal.audit import register_action_labels
        from portal.nav import NavItem, register
        from portal.views import register_home_panel

        from . import (  # noqa: F401 - register metrics and reminder sources
            audit_keys,
            duty,  # noqa: F401 - registers the built-in duty kinds
            metrics,
            reminders,
            workflows,  # noqa: F401 - registers the WORKROOM transition table
        )
        from .panels import my_duties_panel

        audit_keys.register()
        from . import score_table

        score_table.connect()

        staff = frozenset({"office_clerk", "proposal_staff", "secretary", "leader", "approver"})
        register(NavItem("members", _("Members"), "members:list", icon="people", roles=staff, order=40))
        register(NavItem("members_me", _("My duties"), "members:me", icon="journal-check",
                         roles=frozenset({"member"}), order=41))
        register(NavItem("workrooms", _("Workrooms"), "members:workrooms", icon="house-heart", roles=staff, order=42))
        register_key(ConfigKey("members.workroom_idle_days", _("Days without activity before a workroom is idle"),
                               90, positive_int(3650)))
        register_key(ConfigKey("members.interview_after_years",
                               _("Years running below the duty minimum before an interview (约谈)"), 2,
                               positive_int(10)))
        register_key(ConfigKey("members.resign_after_years",
                               _("Years running below the duty minimum, among the bottom, before advising "
                                 "resignation (劝辞)"), 2, positive_int(10)))
        register_home_panel(my_duties_panel)
        register_action_labels({
            "duty.add": _("Duty entry recorded"), "duty.restore": _("Duty entry restored"),
            "duty.withdraw": _("Duty entry withdrawn"),
            "members.member.create": _("Member added"), "members.member.update": _("Member changed"),
            "members.posting.add": _("Member posted"), "members.posting.end": _("Posting ended"),
            "members.duty.submit": _("Duty entry submitted"), "members.duty.verify": _("Duty entry verified"),
            "members.duty.reject": _("Duty entry rejected"), "members.duty.cancel": _("Duty entry withdrawn"),
            "members.scoring.create": _("Scoring rules created"), "members.scoring.update": _("Scoring rules changed"),
            "members.workroom.create": _("Workroom applied for"), "members.workroom.update": _("Workroom changed"),
            "members.workroom.review": _("Workroom reviewed"), "members.workroom.approve": _("Workroom approved"),
            "members.workroom.reject": _("Workroom rejected"), "members.workroom.plaque": _("Plaque awarded"),
            "members.workroom.revoke": _("Workroom revoked"), "members.workroom.check": _("Annual check"),
            "members.workroom.activity": _("Workroom activity logged"),
            "members.checklist.add": _("Checklist item added"),
            "members.checklist.evidence": _("Checklist evidence uploaded"),
            "members.import": _("Members imported"),
        })
