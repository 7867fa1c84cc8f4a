from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from organizations.unit_sections import register_unit_section
        from portal.audit import register_action_labels
        from portal.nav import NavItem, register
        from portal.views import register_home_panel

        from . import (  # noqa: F401 - registers metrics and Celery tasks
            audit_keys,
            marks,
            org_metrics,
            tasks,
            workflows,
        )
        from .views import home_panel, unit_section

        audit_keys.register()

        register(NavItem("reports", _("Reports"), "reports:index", icon="bar-chart-line",
                         roles=frozenset({"office_clerk", "proposal_staff", "leader"}), order=80))
        register(NavItem("cockpit", _("Cockpit"), "reports:cockpit_index", icon="display",
                         roles=frozenset({"office_clerk", "proposal_staff", "leader"}), order=81))
        marks.connect()  # after every app (reports come last) registered its metrics' sources
        register_unit_section(unit_section)
        register_home_panel(home_panel)
        register_action_labels({
            "reports.export_request": _("Export requested"),
            "reports.template_upload": _("Report pack template uploaded"),
            "reports.template_reset": _("Report pack template reset"),
        })
