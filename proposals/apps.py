from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("Proposals")

    def ready(self):
        from organizations.config import ConfigKey, positive_int, register_key
        from portal.audit import register_action_labels
        from portal.nav import NavItem, register

        from . import (  # noqa: F401 - they register
            audit_keys,
            duty_kinds,
            metrics,
            overdue,
            reminders,
            similar,
            workflows,
        )
        from .labels import ACTION_LABELS

        audit_keys.register()
        duty_kinds.register()
        register_action_labels(ACTION_LABELS)
        register_key(ConfigKey("proposals.review_stages", _("Proposal review stages"), None, _stages))
        register_key(ConfigKey("proposals.reply_months", _("Months for a proposal reply"), 3, positive_int(24)))
        register_key(ConfigKey("proposals.term", _("Current term (届)"), ""))
        register_key(ConfigKey("proposals.session", _("Current session (次会议)"), ""))
        register(NavItem("proposals", pgettext_lazy("menu", "Proposals"), "proposals:index", icon="file-earmark-text",
                         roles=frozenset({"member", "proposal_staff", "office_clerk", "department", "leader"}),
                         order=50))
        register(NavItem("opinions", _("Public opinion (社情民意)"), "proposals:opinions", icon="megaphone",
                         roles=frozenset({"member", "proposal_staff", "office_clerk", "leader", "secretary"}),
                         order=55))
        from portal.views import register_home_panel

        from .views import home_panel

        register_home_panel(home_panel)
        from portal.handoffs import register_handoff

        from .services import opinion_from_handoff

        register_handoff("opinion", _("Public-opinion item (社情民意)"), opinion_from_handoff)


def _stages(value):
    from django.utils.translation import gettext

    from portal.errors import DomainError

    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise DomainError(gettext("Give the review stages as a list of names."), field="value")
    return [v.strip() for v in value]
