from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal infrastructure")

    def ready(self):
        from . import sets  # noqa: F401 - registers the `in_array` lookup
        from .api.schema import install_enum_name_overrides
        from .api.strict import install_strict_text
        from .third_party import install_app_names

        install_enum_name_overrides()
        install_app_names()
        install_strict_text()

        from django.contrib.auth import get_user_model

        from .accounts import authcache
        from .accounts import signals as account_signals
        from .accounts.two_factor import _CACHE_ATTR as TWO_FACTOR_ATTR
        from .accounts.two_factor import is_required
        from .admin_site import ACTION_LABELS as ADMIN_ACTION_LABELS
        from .audit import register_action_labels
        from .audit_text import flag, plain, register_audit_model

        # who a user is: any change but a login's last_login (a new account has no session yet);
        # the two-factor answer is carried over
        authcache.invalidate_on(get_user_model(), ignore_updates=("last_login",), ignore_new=True)
        authcache.carry(TWO_FACTOR_ATTR, is_required)
        # an API token deleted or replaced (a new one has no entry yet)
        from rest_framework.authtoken.models import Token

        authcache.invalidate_on(Token, ignore_new=True)
        register_action_labels(account_signals.LABELS)
        register_action_labels(ADMIN_ACTION_LABELS)
        register_audit_model(get_user_model(), labels={"username": _("user name")},
                             keys={"ip": plain(_("IP address")), "backup_code": flag(_("with a backup code")),
                                   "devices": plain(_("devices removed"))})
