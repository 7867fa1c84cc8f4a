"""Chinese for what third-party apps show in the admin.

django-axes ships no Chinese catalog and names its app "Axes" without marking it for translation;
guardian's app name is not marked either. The strings axes marks for translation are listed here so
`make messages` puts them in the project catalog (locale/), which Django reads before any app's; the
app names are replaced when the portal app is ready (they are not part of any migration)."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

APP_NAMES = {
    "axes": _("Login security"),
    "guardian": _("Per-object permissions"),
}

# django-axes' own msgids (axes/models.py), translated in locale/zh_Hans.
AXES_STRINGS = (
    gettext_noop("User Agent"), gettext_noop("IP Address"), gettext_noop("Username"), gettext_noop("HTTP Accept"),
    gettext_noop("Path"), gettext_noop("Attempt Time"), gettext_noop("Access lock out"),
    gettext_noop("access failure"), gettext_noop("access failures"), gettext_noop("GET Data"),
    gettext_noop("POST Data"), gettext_noop("Failed Logins"), gettext_noop("access attempt"),
    gettext_noop("access attempts"), gettext_noop("Logout Time"), gettext_noop("Session key hash (sha256)"),
    gettext_noop("access log"), gettext_noop("access logs"),
)

# Django 5.2 admin's screen-reader headings, not yet in Django's own Chinese catalog.
ADMIN_STRINGS = (gettext_noop("Model name"), gettext_noop("Add link"), gettext_noop("Change or view list link"))


def install_app_names() -> None:
    for label, name in APP_NAMES.items():
        if apps.is_installed(label):
            apps.get_app_config(label).verbose_name = name
