"""The Django admin, with every add, change and delete on the audit trail (portal.audit).

`PortalAdminConfig` replaces ``django.contrib.admin`` in INSTALLED_APPS; its site wraps every
ModelAdmin that is registered — ours and third-party apps' alike — in `AuditedAdminMixin`, so a
model registered tomorrow is audited without anyone remembering to. Django's own `LogEntry`
(the admin's "历史") is still written; the audit event is what the portal's timelines and the
审计记录 list read. Events are written inside the admin's transaction (the change form and the
delete view run in one), so a change and its event commit or roll back together.

- ``admin.add``: the new record; ``after`` holds the fields the form set.
- ``admin.change``: ``before``/``after`` hold the fields the form changed (values as stored: ids
  for foreign keys); the note is the admin's own summary (also of inline rows).
- ``admin.delete``: one event per deleted record (also through the "delete selected" action),
  written before the row goes, with its name.
Redacted fields (passwords, tokens, phone numbers; portal.audit.REDACTED) show as ``***``."""

from __future__ import annotations

from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "admin.add": _("Added in the system administration"),
    "admin.change": _("Changed in the system administration"),
    "admin.delete": _("Deleted in the system administration"),
}
_CHANGED_ATTR = "_portal_admin_changed"


def _model_fields(obj, names) -> list[str]:
    concrete = {f.name for f in obj._meta.get_fields() if getattr(f, "concrete", False) or f.many_to_many}
    return [n for n in names if n in concrete]


def _note(entry) -> str:
    """The admin's own summary of the change ("修改 名称 和 简称。"), as its history shows it."""
    if entry is None or isinstance(entry, list):
        return ""
    return entry.get_change_message()[:500]


class AuditedAdminMixin:
    """Writes one portal.audit event for each add, change and delete the admin logs."""

    def construct_change_message(self, request, form, formsets, add=False):
        # The form is gone by the time log_change runs: keep what it changed, and the values
        # it was read with, on the request.
        names = _model_fields(form.instance, form.changed_data)
        setattr(request, _CHANGED_ATTR, (names, {n: form.initial.get(n) for n in names}))
        return super().construct_change_message(request, form, formsets, add)

    def _changes(self, request, obj):
        from portal.audit import REDACTED, _plain, snapshot

        names, initial = getattr(request, _CHANGED_ATTR, ((), {}))
        after = snapshot(obj, [n for n in names if not obj._meta.get_field(n).many_to_many])
        for name in names:
            if obj._meta.get_field(name).many_to_many:
                after[name] = sorted(obj.pk and getattr(obj, name).values_list("pk", flat=True) or [])
        before = {n: "***" if n in REDACTED else _plain(initial.get(n)) for n in names}
        if hasattr(request, _CHANGED_ATTR):
            delattr(request, _CHANGED_ATTR)
        return before, after

    def log_addition(self, request, obj, message):
        from portal.audit import audit_log

        entry = super().log_addition(request, obj, message)
        _before, after = self._changes(request, obj)
        audit_log(actor=request.user, action="admin.add", target=obj, after=after or None,
                  note=_note(entry))
        return entry

    def log_change(self, request, obj, message):
        from portal.audit import audit_log

        entry = super().log_change(request, obj, message)
        before, after = self._changes(request, obj)
        audit_log(actor=request.user, action="admin.change", target=obj, before=before or None,
                  after=after or None, note=_note(entry))
        return entry

    def log_deletions(self, request, queryset):
        from portal.audit import audit_log

        objects = list(queryset)
        for obj in objects:
            audit_log(actor=request.user, action="admin.delete", target=obj, note=str(obj)[:200])
        return super().log_deletions(request, objects)


class AuditedAdminSite(AdminSite):
    """The default admin site: every registered ModelAdmin is audited (AuditedAdminMixin)."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(f"Audited{admin_class.__name__}", (AuditedAdminMixin, admin_class),
                               {"__module__": admin_class.__module__})
        return super().register(model_or_iterable, admin_class, **options)


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.AuditedAdminSite"
