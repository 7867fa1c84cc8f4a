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
    "otp_static": _("Two-factor backup codes"),
    "otp_totp": _("Two-factor authenticator apps"),
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
ADMIN_STRINGS = (gettext_noop("Model name"), gettext_noop("Add link"), gettext_noop("Change or view list link"),
                 gettext_noop("After you’ve created a user, you’ll be able to edit more user options."))

# django-celery-beat's msgids its Chinese catalog lacks, and three whose Chinese shows code words
# ("设置为False可禁用时间表"); ours in locale/zh_Hans win over its catalog.
CELERY_BEAT_STRINGS = (
    gettext_noop("Schedule"), gettext_noop("Arguments"), gettext_noop("Execution Options"),
    gettext_noop('Cron Minutes to Run. Use "*" for "all". (Example: "0,30")'),
    gettext_noop('Cron Hours to Run. Use "*" for "all". (Example: "8,20")'),
    gettext_noop('Cron Days Of The Month to Run. Use "*" for "all". (Example: "1,15")'),
    gettext_noop('Cron Months (1-12) Of The Year to Run. Use "*" for "all". (Example: "1,12")'),
    gettext_noop('Cron Days Of The Week to Run. Use "*" for "all", Sunday is 0 or 7, Monday is 1. (Example: "0,5")'),
    gettext_noop("Datetime that the schedule last triggered the task to run. Reset to None if enabled is set to False."),
    gettext_noop("If True, the schedule will only run the task a single time"),
    gettext_noop("Set to False to disable the schedule"),
)

# Admin names third-party code gives without marking them for translation (changed on the running
# classes only: no field's deconstruction changes, so no migration in their apps).
PERMISSION_ACTIONS = {
    "add": _("Can add %(name)s"), "change": _("Can change %(name)s"),
    "delete": _("Can delete %(name)s"), "view": _("Can view %(name)s"),
}
MODEL_NAMES = {
    "guardian.UserObjectPermission": (_("user's permission on a record"), _("users' permissions on records")),
    "guardian.GroupObjectPermission": (_("group's permission on a record"), _("groups' permissions on records")),
    "django_celery_beat.PeriodicTasks": (_("periodic task changes"), _("periodic task changes")),
    "otp_static.StaticDevice": (_("backup code set"), _("backup code sets")),
    "otp_static.StaticToken": (_("backup code"), _("backup codes")),
    "otp_totp.TOTPDevice": (_("authenticator app"), _("authenticator apps")),
}


def install_app_names() -> None:
    for label, name in APP_NAMES.items():
        if apps.is_installed(label):
            apps.get_app_config(label).verbose_name = name
    for label, (singular, plural) in MODEL_NAMES.items():
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        model._meta.verbose_name, model._meta.verbose_name_plural = singular, plural
    _install_permission_names()
    if apps.is_installed("django_celery_beat"):
        _install_celery_beat_labels()


def permission_label(permission) -> str:
    """'登录安全 | 登录尝试 | 可以查看登录尝试' for the stored 'Can view access attempt': Django
    stores a permission's name in English when the table is migrated."""
    content_type = permission.content_type
    model = content_type.model_class()
    if model is None:
        return f"{content_type} | {permission.name}"
    action, _sep, model_name = permission.codename.partition("_")
    custom = dict(model._meta.permissions).get(permission.codename)
    if custom is not None:
        name = str(custom)
    elif action in PERMISSION_ACTIONS and model_name == model._meta.model_name:
        name = str(PERMISSION_ACTIONS[action]) % {"name": model._meta.verbose_name}
    else:
        name = permission.name
    return f"{content_type} | {name}"


def _install_permission_names() -> None:
    from django.contrib.auth.models import Permission

    Permission.__str__ = permission_label


def _install_celery_beat_labels() -> None:
    from django_celery_beat import admin as beat_admin
    from django_celery_beat import models as beat

    beat.PeriodicTask._meta.get_field("task").verbose_name = _("task name")
    beat.PeriodicTask.scheduler.fget.short_description = _("schedule")
    beat.CrontabSchedule.human_readable.fget.short_description = _("schedule in words")
    beat_admin.PeriodicTaskAdmin.crontab_translation.short_description = _("schedule in words")
    beat_admin.PeriodicTaskInline.verbose_name = _("periodic task using this schedule")
    beat_admin.PeriodicTaskInline.verbose_name_plural = _("periodic tasks using this schedule")
