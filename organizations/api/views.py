import django_filters
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.filters import IdFilter
from portal.api.mixins import ScopedObjectMixin

from .. import permissions, services
from ..models import OrgUnit, UnitKind
from ..selectors import under
from .serializers import MeSerializer, OrgUnitMoveSerializer, OrgUnitSerializer, OrgUnitUpdateSerializer


class OrgUnitFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices)
    parent = IdFilter(field_name="parent_id")
    under = IdFilter(method="filter_under", label=_("Within the subtree of unit id"))
    q = django_filters.CharFilter(method="filter_q", label=_("Name contains"))
    # A strict choice (not a NullBoolean that silently ignores junk like "null").
    active = django_filters.ChoiceFilter(choices=[("true", "true"), ("false", "false")],
                                         method="filter_active", label=_("Active"))

    class Meta:
        model = OrgUnit
        fields = ["kind", "parent"]

    def filter_under(self, queryset, name, value):
        return under(queryset, value, "path")

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=(value == "true"))

    def filter_q(self, queryset, name, value):
        return queryset.filter(name__icontains=value[:50])


class OrgUnitViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Units of the caller's subtree. Changes go through the services (version-checked)."""

    serializer_class = OrgUnitSerializer
    filterset_class = OrgUnitFilter

    def get_queryset(self):
        return permissions.units_visible_to(self.request.user).order_by("path")

    @extend_schema(request=OrgUnitUpdateSerializer, responses=OrgUnitSerializer)
    def partial_update(self, request, pk=None):
        unit = self.get_object()
        data = OrgUnitUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        version = fields.pop("version")
        unit = services.orgunit_update(actor=request.user, unit=unit, version=version, **fields)
        return Response(OrgUnitSerializer(unit).data)

    @extend_schema(request=OrgUnitMoveSerializer, responses=OrgUnitSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        unit = self.get_object()
        data = OrgUnitMoveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        new_parent = get_object_or_404(permissions.units_visible_to(request.user), pk=data.validated_data["parent"])
        unit = services.orgunit_move(actor=request.user, unit=unit, new_parent=new_parent)
        return Response(OrgUnitSerializer(unit).data)


class MeView(APIView):
    """The caller's account, roles and scope (subtree paths; null = unrestricted)."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
