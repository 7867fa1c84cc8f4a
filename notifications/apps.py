from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications and reminders")

    def ready(self):
        from portal.audit import register_action_labels
        from portal.reminders import register_sender
        from portal.views import register_home_panel

        from . import (  # noqa: F401 - tasks registers the Celery tasks, sms its channel
            checks,
            rules,
            services,
            sms,
            tasks,
        )

        rules.register_keys()
        register_sender(services.send_events)
        from . import audit_keys

        audit_keys.register()
        register_home_panel(_home_panel)
        register_action_labels({
            "notifications.preference_set": _("changed a notification preference"),
            "notifications.delivery_retry": _("sent a failed notification again"),
            "notifications.scan_retry": _("ran a failed reminder scan again"),
            "notifications.sms_opt_out": _("refused notifications by SMS"),
            "notifications.sms_opt_in": _("accepted notifications by SMS again"),
        })


def _home_panel(request):
    """The five newest unread notifications on the home page (none: no panel)."""
    from .selectors import inbox_for

    unread = list(inbox_for(user=request.user, unread_only=True)[:6])
    if not unread:
        return None
    return {"template": "notifications/_home_panel.html", "items": unread[:5],
            "unread": len(unread) if len(unread) <= 5 else inbox_for(user=request.user, unread_only=True).count()}
