"""How this app's audit keys read on a timeline (portal/audit_text.py)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from portal.audit_text import plain, ref, register_audit_model

from .config import registered_keys
from .models import OrgUnit, RoleAssignment


def _config_key(name):
    """`config.set` logs the configuration key itself ("proposals.reply_months")."""
    spec = registered_keys().get(name)
    return plain(spec.label) if spec else None


def register():
    user_model = get_user_model()
    register_audit_model(OrgUnit, fallback=_config_key)
    register_audit_model(RoleAssignment, labels={"user": _("user")})
    register_audit_model(user_model, hidden={"password", "last_login", "first_name", "last_name"},
                         keys={"unit": ref(OrgUnit, _("unit"))})
