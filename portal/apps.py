from django.apps import AppConfig
from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig
from django.utils.translation import gettext_lazy as _


class StaticFilesConfig(BaseStaticFilesConfig):
    """collectstatic leaves out the ECharts bundles the pages never load (the ES-module, "common"
    and "simple" builds, the unminified one, their source maps and the extensions: ~50 MB that
    whitenoise would otherwise gzip and brotli on every deployment); pages load echarts.min.js."""

    ignore_patterns = [*BaseStaticFilesConfig.ignore_patterns, "echarts.esm.*", "echarts.common.*",
                       "echarts.simple.*", "echarts.js", "echarts.js.map", "extension"]


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
