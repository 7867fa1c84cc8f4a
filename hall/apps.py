from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _moderation(value):
    from django.utils.translation import gettext

    from portal.errors import DomainError

    if value not in ("pre", "post"):
        raise DomainError(gettext("Enter “pre” (comments wait for a moderator) or “post” (comments show at once)."),
                          field="value")
    return value


class HallConfig(AppConfig):
    name = "hall"
    verbose_name = _("Online consultation hall")

    def ready(self):
        from members.my_page import register_my_page_section
        from members.page_sections import register_member_section, register_workroom_section
        from organizations.config import ConfigKey, register_key
        from portal.audit import register_action_labels
        from portal.nav import NavItem, register
        from portal.views import register_home_panel, register_landing

        from . import audit_keys, metrics, reminders, similar  # noqa: F401 - they register
        from .codes import metrics as code_metrics  # noqa: F401 - the codes' metrics
        from .codes import sections as code_sections

        register_member_section(code_sections.member_section)
        register_workroom_section(code_sections.workroom_section)
        register_my_page_section(code_sections.my_page_section)

        audit_keys.register()
        from .views import home_panel

        register_home_panel(home_panel)
        register_landing("resident", "hall:my")

        register(NavItem("hall-manage", _("Online hall"), "hall:manage", icon="chat-dots",
                         roles=frozenset({"secretary", "office_clerk"}), order=60))
        register(NavItem("hall-letters", _("Residents' messages"), "hall:code_inbox", icon="qr-code",
                         roles=frozenset({"member", "secretary", "office_clerk"}), order=61))
        register_key(ConfigKey("hall.moderation", _("Online hall: comment moderation (pre / post)"), "post",
                               _moderation))
        register_action_labels({
            "hall.submission.create": _("Resident submitted a topic"),
            "hall.submission.accept": _("Taken up as a consultation topic"),
            "hall.submission.decline": _("Not taken up"),
            "hall.consultation.create": _("Online consultation created"),
            "hall.consultation.publish": _("Online consultation published"),
            "hall.consultation.result": _("Result published"),
            "hall.comment.add": _("Comment posted"),
            "hall.comment.moderate": _("Comment moderated"),
            "hall.comment.adoption": _("Suggestion adoption recorded"),
            "hall.comment.report": _("Comment reported"),
            "hall.rating.add": _("Result rated"),
            "hall.live.create": _("Live session created"),
            "hall.topic_rating.add": _("Residents rated the outcome"),
            "hall.live.publish": _("Live session published"),
            "hall.live_question.answer": _("Live question answered"),
            "hall.resident.signup": _("Resident account created"),
            "hall.code.create": _("Member or workroom code made"),
            "hall.code.renew": _("Member or workroom code renewed"),
            "hall.code.retire": _("Member or workroom code withdrawn"),
            "hall.code_message.create": _("Resident wrote by scanning a code"),
            "hall.code_message.answer": _("Resident's message answered"),
            "hall.code_message.topic": _("Resident's message turned into a consultation topic"),
            "hall.code_message.opinion": _("Resident's message turned into a public-opinion item"),
        })
