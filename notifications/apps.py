from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications and reminders")

    def ready(self):
        from portal.audit import register_action_labels

        from . import rules, tasks  # noqa: F401 - tasks registers the Celery tasks

        rules.register_keys()
        register_action_labels({
            "notifications.preference_set": _("changed a notification preference"),
            "notifications.delivery_retry": _("sent a failed notification again"),
            "notifications.scan_retry": _("ran a failed reminder scan again"),
        })
