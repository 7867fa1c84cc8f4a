from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .audit import action_label
from .models import AuditEvent, User, WorkerHeartbeat

# Two-factor devices are not edited in the admin: their keys are secrets, and a lost phone is an
# office's reset (organizations, audited) after which the person enrols again.
for _label in ("otp_totp.TOTPDevice", "otp_static.StaticDevice"):
    try:
        _model = apps.get_model(_label)
    except LookupError:
        continue
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, (_("Portal"), {"fields": ("display_name", "phone", "language")}))
    list_display = ("username", "display_name", "is_active", "is_staff", "last_login")
    search_fields = ("username", "display_name", "phone")


class ActionFilter(admin.SimpleListFilter):
    """The actions that occur, by their Chinese label (never the code, "user.login")."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        codes = model_admin.get_queryset(request).order_by().values_list("action", flat=True).distinct()
        return sorted(((code, action_label(code)) for code in codes), key=lambda pair: str(pair[1]))

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The trail is read-only, also for administrators."""

    list_display = ("created_at", "actor", "action_text", "target_repr")
    list_filter = (ActionFilter,)
    search_fields = ("target_repr", "action", "actor__username")
    list_select_related = ("actor",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("action"), ordering="action")
    def action_text(self, event):
        return action_label(event.action)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ("name", "seen_at", "hostname")
