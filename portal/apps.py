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
