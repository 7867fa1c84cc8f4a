from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultations")

    def ready(self):
        from organizations.unit_sections import register_unit_section
        from portal.audit import register_action_labels
        from portal.nav import NavItem, register
        from portal.views import register_home_panel

        from . import (  # noqa: F401 - they register
            audit_keys,
            duty_kinds,
            metrics,
            overdue,
            reminders,
            settings_keys,
            workflows,
        )
        from .views import home_panel, unit_section

        settings_keys.register()
        duty_kinds.register()
        audit_keys.register()
        register_action_labels(ACTION_LABELS)
        register_home_panel(home_panel)
        register_unit_section(unit_section)
        if not _NAV_READY:
            return
        register(NavItem("consultations", _("Consultations"), "consultations:topics", icon="chat-square-text",
                         roles=frozenset({"admin", "office_clerk", "secretary", "approver", "leader"}), order=20))
        register(NavItem("consultations-approval", _("Approvals"), "consultations:approvals", icon="check2-square",
                         roles=frozenset({"approver"}), order=21))
        register(NavItem("consultations-plan", _("Plans and quotas"), "consultations:plan", icon="calendar3",
                         roles=frozenset({"admin", "office_clerk", "secretary", "leader"}), order=22))
        register(NavItem("consultations-mine", _("My sessions"), "consultations:my_sessions", icon="calendar-event",
                         roles=frozenset({"member"}), order=23))
        register(NavItem("consultations-handling", _("Suggestions to handle"), "consultations:handling",
                         icon="inbox", roles=frozenset({"department"}), order=24))


_NAV_READY = True


ACTION_LABELS = {
    "consultations.topic.create": _("Topic recorded"),
    "consultations.topic.update": _("Topic edited"),
    "consultations.topic.submit": _("Submitted for approval"),
    "consultations.topic.approve": _("Topic approved"),
    "consultations.topic.reject": _("Topic not adopted"),
    "consultations.topic.publish": _("Published"),
    "consultations.topic.unpublish": _("Publication withdrawn"),
    "consultations.topic.researched": _("Research completed"),
    "consultations.topic.scheduled": _("Session scheduled"),
    "consultations.topic.unscheduled": _("No session planned any more"),
    "consultations.topic.consulted": _("Consultation held"),
    "consultations.topic.handling": _("Handling started"),
    "consultations.topic.close": _("Topic closed"),
    "consultations.topic.reopen": _("Topic reopened by the follow-up review"),
    "consultations.topic.reviewed": _("Follow-up review completed"),
    "consultations.research.add": _("Research recorded"),
    "consultations.research.waive": _("Research waived (exception)"),
    "consultations.session.schedule": _("Session planned"),
    "consultations.session.cancel": _("Session cancelled"),
    "consultations.session.hold": _("Session held"),
    "consultations.participant.add": _("Participant invited"),
    "consultations.participant.remove": _("Participant removed"),
    "consultations.participant.respond": _("Invitation answered"),
    "consultations.outcome.record": _("Outcome recorded"),
    "consultations.outcome.update": _("Outcome edited"),
    "consultations.suggestion.add": _("Suggestion added"),
    "consultations.suggestion.accept": _("Suggestion accepted"),
    "consultations.suggestion.progress": _("Progress reported"),
    "consultations.suggestion.close": _("Feedback given"),
    "consultations.instruction.add": _("Leader's instruction recorded"),
    "consultations.followup.schedule": _("Follow-up review scheduled"),
    "consultations.followup.record": _("Follow-up review recorded"),
    "consultations.evaluation.add": _("Results rated"),
    "consultations.attachment.add": _("Evidence uploaded"),
    "consultations.attachment.remove": _("Evidence removed"),
    "consultations.template.upload": _("Minutes template uploaded"),
    "consultations.topic.back_entered": _("Finished consultation entered from the ledger (补录)"),
    "consultations.session.reschedule": _("Session rescheduled"),
    "consultations.participant.add_many": _("Participants added"),
    "consultations.attendance.mark": _("Attendance marked"),
    "consultations.attendance.correct": _("Attendance corrected"),
    "consultations.outcome.typical": _("Typical case marked"),
    "consultations.signin": _("Signed in at the session"),
}
