from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Organisations")

    def ready(self):
        from portal.identity import Identity, register_identity
        from portal.nav import NavItem, register

        from . import audit_keys, traffic
        from .permissions import home_identity, roles_of

        register_identity(Identity(roles_of=roles_of, home=home_identity))
        audit_keys.register()
        traffic.register_keys()

        register(NavItem("home", _("Home"), "home", icon="house", order=0))
        register(NavItem("org-tree", _("Organisation tree"), "organizations:tree", icon="diagram-3", order=90))
