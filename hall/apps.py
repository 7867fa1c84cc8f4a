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
        from organizations.config import ConfigKey, register_key
        from portal.audit import register_action_labels
        from portal.nav import NavItem, register
        from portal.views import register_home_panel, register_landing

        from . import audit_keys, metrics, reminders, similar  # noqa: F401 - they register

        audit_keys.register()
        from .views import home_panel

        register_home_panel(home_panel)
        register_landing("resident", "hall:my")

        register(NavItem("hall-manage", _("Online hall"), "hall:manage", icon="chat-dots",
                         roles=frozenset({"secretary", "office_clerk"}), order=60))
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
        })
