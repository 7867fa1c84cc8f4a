from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal infrastructure")

    def ready(self):
        from .api.schema import install_enum_name_overrides
        from .api.strict import install_strict_text
        from .third_party import install_app_names

        install_enum_name_overrides()
        install_app_names()
        install_strict_text()

        from django.contrib.auth import get_user_model

        from .accounts import signals as account_signals
        from .audit import register_action_labels
        from .audit_text import plain, register_audit_model

        register_action_labels(account_signals.LABELS)
        register_audit_model(get_user_model(), labels={"username": _("user name")},
                             keys={"ip": plain(_("IP address"))})
