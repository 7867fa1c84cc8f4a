from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.models import User

from ..models import OrgUnit, RoleAssignment, UnitKind


class OrgUnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["id", "parent", "kind", "kind_display", "name", "short_name", "liaison_body_name", "code",
                  "path", "depth", "is_active", "version"]
        read_only_fields = fields


class OrgUnitUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    short_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    liaison_body_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=UnitKind.choices, required=False)
    is_active = serializers.BooleanField(required=False)
    version = serializers.IntegerField(min_value=1, help_text=_("The version you loaded; a stale one is refused with 409."))


class OrgUnitMoveSerializer(serializers.Serializer):
    parent = serializers.IntegerField(min_value=1)


class RoleSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["role", "role_display", "unit", "unit_name"]


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    scope = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "language", "roles", "scope"]

    def get_roles(self, obj) -> list[dict]:
        qs = obj.role_assignments.filter(is_active=True).select_related("unit")
        return RoleSerializer(qs, many=True).data

    def get_scope(self, obj) -> list[str] | None:
        from ..permissions import scope_paths

        return scope_paths(obj)
