"""How this app's audit keys read on a timeline (portal/audit_text.py)."""

from django.utils.translation import gettext_lazy as _

from portal.audit_text import AuditKey, register_audit_model

from .models import ChannelOptOut, Delivery, Preference, ScanRun


def register():
    register_audit_model(Delivery)
    register_audit_model(ScanRun)
    register_audit_model(Preference, labels={"user": _("user")})
    register_audit_model(ChannelOptOut, labels={"user": _("user")},
                         keys={"sms": AuditKey(_("notifications by SMS"))})
