import django_filters
from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from organizations import permissions
from organizations.models import OrgUnit
from organizations.selectors import under
from portal.api.filters import MAX_ID, IdFilter, reject_empty, year_filter
from portal.api.mixins import ScopedObjectMixin
from portal.errors import NotAllowed

from .. import selectors, services
from ..models import DutyRecord, DutyStatus, Member, MemberLevel, Posting, Workroom, WorkroomStatus
from .serializers import (
    DutyRecordCreateSerializer,
    DutyRecordSerializer,
    MemberSerializer,
    PostingCreateSerializer,
    PostingSerializer,
    ReviewSerializer,
    ScoreSerializer,
    WorkroomDetailSerializer,
    WorkroomSerializer,
)

NO_ECHO = {"invalid_choice": _("Select one of the listed values.")}


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Name, work unit or expertise contains"))
    sector = IdFilter(field_name="sector_id")
    committee = IdFilter(field_name="committees", distinct=True)
    level = django_filters.ChoiceFilter(choices=MemberLevel.choices, error_messages=NO_ECHO)
    under = IdFilter(method="filter_under", label=_("Members of units within the subtree of unit id"))
    posted_under = IdFilter(method="filter_posted", label=_("Members posted within the subtree of unit id"))

    class Meta:
        model = Member
        fields = ["level"]

    def filter_q(self, qs, name, value):
        from django.db.models import Q

        value = value[:50]
        return qs.filter(Q(name__icontains=value) | Q(work_unit__icontains=value) | Q(expertise__icontains=value))

    def filter_under(self, qs, name, value):
        return under(qs, value)

    def filter_posted(self, qs, name, value):
        path = OrgUnit.objects.filter(pk=value).values_list("path", flat=True).first()
        if path is None:
            return qs.none()
        return qs.filter(pk__in=Posting.objects.filter(org_path__startswith=path, is_active=True).values("member_id"))


class MemberViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Members in the caller's scope (or posted into it). Writes: postings."""

    serializer_class = MemberSerializer
    filterset_class = MemberFilter

    def get_queryset(self):
        # Lists include members posted into the caller's area; a single member's record is
        # opened only within the caller's scope (or their own).
        base = selectors.members_visible_to if self.action == "list" else selectors.members_in_scope
        return (base(user=self.request.user).select_related("org_unit", "sector")
                .prefetch_related("committees", Prefetch("postings", queryset=Posting.objects.filter(
                    is_active=True).select_related("org_unit"))).order_by("org_path", "name", "pk"))

    @extend_schema(request=PostingCreateSerializer, responses=PostingSerializer)
    @action(detail=True, methods=["post"])
    def postings(self, request, pk=None):
        member = self.get_object()
        data = PostingCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = permissions.units_visible_to(request.user).filter(pk=data.validated_data["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": [_("No such unit in your area.")]})
        posting = services.posting_add(actor=request.user, member=member, unit=unit,
                                       basis=data.validated_data["basis"],
                                       started_on=data.validated_data.get("started_on"))
        return Response(PostingSerializer(posting).data, status=201)


class PostingFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id")
    under = IdFilter(method="filter_under", label=_("Postings within the subtree of unit id"))
    active = django_filters.ChoiceFilter(choices=[("true", "true"), ("false", "false")], method="filter_active",
                                         label=_("Active"), error_messages=NO_ECHO)

    class Meta:
        model = Posting
        fields = ["member"]

    def filter_under(self, qs, name, value):
        return under(qs, value)

    def filter_active(self, qs, name, value):
        return qs.filter(is_active=(value == "true"))


class PostingViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Postings of members the caller can see."""

    serializer_class = PostingSerializer
    filterset_class = PostingFilter

    def get_queryset(self):
        if self.action == "list":
            members = selectors.members_visible_to(user=self.request.user)
        else:  # one posting opens only for staff of the member's own unit
            members = Member.objects.filter(permissions.scope_q(self.request.user))
        return (Posting.objects.filter(member__in=members)
                .select_related("org_unit").order_by("org_path", "pk"))

    @extend_schema(request=None, responses=PostingSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        posting = services.posting_end(actor=request.user, posting=self.get_object())
        return Response(PostingSerializer(posting).data)


class DutyRecordFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id")
    kind = django_filters.CharFilter(max_length=40)  # free text: never echoed
    status = django_filters.ChoiceFilter(choices=DutyStatus.choices, error_messages=NO_ECHO)
    year = year_filter(2000, 2100, field_name="occurred_on__year")
    under = IdFilter(method="filter_under", label=_("Entries of members within the subtree of unit id"))

    class Meta:
        model = DutyRecord
        fields = ["member", "kind", "status"]

    def filter_under(self, qs, name, value):
        return under(qs, value)


class DutyRecordViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """The duty file: members see their own entries, staff those of their area. Members add
    entries with evidence (multipart); office clerks verify or reject them."""

    serializer_class = DutyRecordSerializer
    filterset_class = DutyRecordFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return (selectors.duty_records_visible_to(self.request.user).select_related("member")
                .order_by("-occurred_on", "-pk"))

    @extend_schema(request={"multipart/form-data": DutyRecordCreateSerializer,
                            "application/json": DutyRecordCreateSerializer}, responses={201: DutyRecordSerializer})
    def create(self, request):
        data = DutyRecordCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        member_id = values.pop("member", None)
        if member_id is None:
            member = selectors.member_of_user(request.user)
            if member is None:
                raise ValidationError({"member": [_("Your account is not linked to a member; name the member.")]})
        else:
            member = selectors.members_in_scope(user=request.user).filter(pk=member_id).first()
            if member is None:
                raise ValidationError({"member": [_("No such member in your area.")]})
        record = services.duty_record_submit(actor=request.user, member=member, **values)
        return Response(DutyRecordSerializer(record).data, status=201)

    @extend_schema(request=ReviewSerializer, responses=DutyRecordSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        record = self.get_object()
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = services.duty_record_review(actor=request.user, record=record, **data.validated_data)
        return Response(DutyRecordSerializer(record).data)


class WorkroomFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=WorkroomStatus.choices, error_messages=NO_ECHO)
    under = IdFilter(method="filter_under", label=_("Workrooms within the subtree of unit id"))
    idle = django_filters.ChoiceFilter(choices=[("true", "true")], method="filter_idle", error_messages=NO_ECHO,
                                       label=_("Only idle workrooms"))

    class Meta:
        model = Workroom
        fields = ["status"]

    def filter_under(self, qs, name, value):
        return under(qs, value)

    def filter_idle(self, qs, name, value):
        return qs.filter(selectors.idle_q(timezone.localdate()))


class WorkroomViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Workrooms of the caller's area (and those the caller's member record belongs to)."""

    serializer_class = WorkroomSerializer
    filterset_class = WorkroomFilter

    def get_serializer_class(self):
        return WorkroomDetailSerializer if self.action == "retrieve" else WorkroomSerializer

    def get_queryset(self):
        return (selectors.workrooms_visible_to(self.request.user).select_related("org_unit")
                .annotate(member_count=Count("members", distinct=True)).order_by("org_path", "name", "pk"))


class RankingView(APIView):
    """Duty-score ranking of a CPPCC unit's members for a year (computed, explainable by kind)."""

    @extend_schema(parameters=[
        OpenApiParameter("unit", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, required=True),
        OpenApiParameter("year", {"type": "integer", "minimum": 2000, "maximum": 2100},
                         description="Default: this year")],
        responses=ScoreSerializer(many=True))
    def get(self, request):
        reject_empty(request.query_params, ["unit", "year"])
        errors = {}
        try:
            unit_id = int(request.query_params.get("unit", ""))
            if not 0 < unit_id < 2**63:
                raise ValueError
        except ValueError:
            errors["unit"] = [_("Enter a unit id.")]
        try:
            year = int(request.query_params.get("year", timezone.localdate().year))
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            errors["year"] = [_("Enter a year between 2000 and 2100.")]
        if errors:
            raise ValidationError(errors)
        unit = selectors.ranking_units(request.user).filter(pk=unit_id).first()
        if unit is None:
            if not permissions.has_role(request.user, permissions.READ_ROLES):
                raise NotAllowed()
            raise Http404  # outside the caller's area, like every other record
        scores = selectors.ranking(request.user, unit, year)
        return Response(ScoreSerializer(scores, many=True).data)
