"""Admin pages. Tree changes go through the services so paths, guards and the audit trail hold."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from guardian.admin import GuardedModelAdmin

from portal.errors import DomainError

from . import services
from .models import Body, BodyOfficer, OrgUnit, RoleAssignment, UnitConfig


class OrgUnitAdminForm(forms.ModelForm):
    """The change form carries the version it was read at; saving over someone else's change is
    refused with a message (the same optimistic check as the portal's own edit pages)."""

    seen_version = forms.IntegerField(label=_("version read"), widget=forms.HiddenInput, required=False, min_value=0)

    class Meta:
        model = OrgUnit
        fields = ["parent", "kind", "name", "short_name", "liaison_body_name", "code", "is_active", "sort_order",
                  "source_lines"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version
            self.fields["seen_version"].required = True

    def clean(self):
        data = super().clean()
        if self.instance.pk and data.get("seen_version") is not None:
            current = OrgUnit.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if current != data["seen_version"]:
                raise ValidationError(_("Someone else changed this unit while you were editing it. Reload the "
                                        "page to see their change, then make yours again."), code="stale")
        return data


@admin.register(OrgUnit)
class OrgUnitAdmin(GuardedModelAdmin):
    form = OrgUnitAdminForm
    list_display = ("name", "kind", "liaison_body_name", "parent", "path", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name", "code", "liaison_body_name")
    readonly_fields = ("path", "depth", "version")
    raw_id_fields = ("parent",)
    list_select_related = ("parent",)

    def save_model(self, request, obj, form, change):
        try:
            if not change:
                created = services.orgunit_create(
                    actor=request.user, parent=obj.parent, kind=obj.kind, name=obj.name, code=obj.code,
                    short_name=obj.short_name, liaison_body_name=obj.liaison_body_name, sort_order=obj.sort_order,
                )
                obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth
                return
            original = OrgUnit.objects.get(pk=obj.pk)
            fields = {f: getattr(obj, f) for f in services.UNIT_EDIT_FIELDS if getattr(obj, f) != getattr(original, f)}
            if fields:
                # The version the form was read at: a change saved meanwhile is refused, not overwritten.
                services.orgunit_update(actor=request.user, unit=original, version=form.cleaned_data["seen_version"],
                                        **fields)
            if obj.parent_id != original.parent_id and obj.parent_id:
                services.orgunit_move(actor=request.user, unit=original, new_parent=obj.parent)
        except DomainError as exc:
            messages.error(request, str(exc.message))
            raise ValidationError(str(exc.message))

    def has_delete_permission(self, request, obj=None):
        return False  # units are archived (is_active), never deleted


class BodyOfficerInline(admin.TabularInline):
    model = BodyOfficer
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "unit", "group", "is_active")
    list_filter = ("kind",)
    search_fields = ("name", "unit__name")
    raw_id_fields = ("unit", "group")
    inlines = [BodyOfficerInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "is_active")
    list_filter = ("role", "is_active")
    search_fields = ("user__username", "user__display_name", "unit__name")
    raw_id_fields = ("user", "unit")


@admin.register(UnitConfig)
class UnitConfigAdmin(admin.ModelAdmin):
    list_display = ("unit", "key", "year", "updated_at")
    list_filter = ("key",)
    raw_id_fields = ("unit",)
