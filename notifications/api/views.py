import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.mixins import ScopedObjectMixin

from .. import selectors, services
from ..models import Notification
from .serializers import MarkedSerializer, NotificationSerializer, UnreadCountSerializer


class NotificationFilter(django_filters.FilterSet):
    # A strict choice, so junk values are a 400 rather than silently ignored.
    unread = django_filters.ChoiceFilter(choices=[("true", "true"), ("false", "false")], method="filter_unread",
                                         label=_("Only unread (true) or only read (false)"))

    def filter_unread(self, queryset, name, value):
        return queryset.filter(read_at__isnull=(value == "true"))


class NotificationViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's own inbox, newest first (other users' ids are 404)."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Notification.objects.none()
        return selectors.inbox_for(user=self.request.user)

    @extend_schema(responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count", filterset_class=None, pagination_class=None)
    def unread_count(self, request):
        return Response({"unread": selectors.unread_count(user=request.user)})

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(user=request.user, notification=self.get_object())
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all", filterset_class=None, pagination_class=None)
    def read_all(self, request):
        return Response({"marked": services.notification_mark_all_read(user=request.user)})
