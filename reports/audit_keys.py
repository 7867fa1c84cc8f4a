"""How this app's audit keys read on a timeline (portal/audit_text.py)."""

from django.utils.translation import gettext_lazy as _

from organizations.models import OrgUnit
from portal.audit_text import hidden, plain, ref, register_audit_model

from .models import ExportJob, ReportTemplate


def register():
    register_audit_model(ReportTemplate)
    register_audit_model(ExportJob, hidden={"params", "file", "error", "progress", "total"}, labels={
        "requested_by": _("requested by"), "filename": _("file name"),
    }, keys={
        "unit": ref(OrgUnit, _("unit")),
        "period": hidden(),  # the period is part of the file's name
        "language": hidden(),
        "metric": plain(_("metric")),
    })
