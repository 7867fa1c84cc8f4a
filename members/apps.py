from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members and duties")

    def ready(self):
        from portal.nav import NavItem, register

        from . import duty  # noqa: F401 - registers the built-in duty kinds

        register(NavItem("members", _("Members"), "members:list", icon="people",
                         roles=frozenset({"office_clerk", "proposal_staff", "secretary", "leader"}), order=40))
