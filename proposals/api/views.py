"""Scoped API: proposals (list, detail, create and the main transitions), the department's
assignments (contact, reply), and 社情民意 items. Every write goes through the services."""

import django_filters
from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from members.models import Member
from members.selectors import member_of_user
from organizations.models import Body, OrgUnit
from organizations.permissions import has_role
from portal.api.filters import year_filter
from portal.api.mixins import ScopedObjectMixin
from portal.errors import DomainError, NotAllowed

from .. import selectors, services
from ..models import (
    Assignment,
    AssignmentStatus,
    Cosigner,
    OpinionItem,
    OpinionStatus,
    Proposal,
    ProposalCategory,
    ProposalStatus,
    Reply,
)
from ..permissions import STAFF_ROLES
from . import serializers as s


class ProposalFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ProposalStatus.choices)
    category = django_filters.ChoiceFilter(choices=ProposalCategory.choices)
    key = django_filters.ChoiceFilter(choices=[("true", "true"), ("false", "false")], method="filter_key",
                                      label=_("Key proposals only"))
    year = year_filter(1900, 2999, field_name="year")
    q = django_filters.CharFilter(method="filter_q", label=_("Title contains"))

    class Meta:
        model = Proposal
        fields = ["status", "category", "year"]

    def filter_key(self, queryset, name, value):
        return queryset.filter(is_key=(value == "true"))

    def filter_q(self, queryset, name, value):
        return queryset.filter(title__icontains=value[:50])


class ProposalViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Proposals the caller may see: their own and co-signed, their subtree's (office, proposal
    committee, leaders), or those assigned to their department."""

    serializer_class = s.ProposalSerializer
    filterset_class = ProposalFilter

    def get_queryset(self):
        replies = Prefetch("replies", queryset=Reply.objects.order_by("round", "id"))
        return (selectors.proposals_visible_to(user=self.request.user)
                .select_related("proposer", "org_unit")
                .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.exclude(
                    status=AssignmentStatus.WITHDRAWN).select_related("unit").prefetch_related(replies, "contacts")),
                                  Prefetch("cosigners", queryset=Cosigner.objects.select_related("member")),
                                  "attachments")
                .order_by("-id"))

    def get_serializer_class(self):
        return s.ProposalDetailSerializer if self.action == "retrieve" else s.ProposalSerializer

    def _answer(self, proposal):
        return Response(s.ProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data)

    @extend_schema(request=s.ProposalCreateSerializer, responses={201: s.ProposalSerializer})
    def create(self, request):
        data = s.ProposalCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        member = member_of_user(request.user)
        if member is None:
            raise DomainError(_("Only committee members with a member record can submit proposals."))
        cosigners = list(Member.objects.filter(pk__in=d.pop("cosigners")))
        proposal = services.proposal_create(actor=request.user, member=member, cosigners=cosigners, **d)
        return Response(s.ProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PaperEntrySerializer, responses={201: s.ProposalSerializer})
    @action(detail=False, methods=["post"])
    def enter(self, request):
        """代录: proposal staff enter a paper proposal for a member of their CPPCC unit."""
        if not has_role(request.user, STAFF_ROLES):
            raise NotAllowed()
        data = s.PaperEntrySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        members = selectors.members_for_paper_entry(user=request.user)
        member = members.filter(pk=d.pop("proposer")).first()
        if member is None:
            raise DomainError(_("Choose a member of a CPPCC unit you enter proposals for."), field="proposer")
        cosigner_ids = d.pop("cosigners")
        cosigners = list(members.filter(pk__in=cosigner_ids))
        if len(cosigners) != len(set(cosigner_ids)):
            raise DomainError(_("Choose co-signers among the members of a CPPCC unit you enter proposals for."),
                              field="cosigners")
        body_id = d.pop("body")
        body = Body.objects.filter(pk=body_id, is_active=True).first() if body_id else None
        if body_id and body is None:
            raise DomainError(_("Choose a body of the member's own CPPCC unit."), field="body")
        proposal = services.proposal_enter_on_behalf(actor=request.user, member=member, cosigners=cosigners,
                                                     body=body, **d)
        return Response(s.ProposalSerializer(self.get_queryset().get(pk=proposal.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=s.SubmitSerializer, responses=s.ProposalSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        data = s.SubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.proposal_submit(actor=request.user, proposal=self.get_object(),
                                                     version=data.validated_data.get("version"),
                                                     submitted_on=data.validated_data.get("submitted_on")))

    @extend_schema(request=s.RegisterSerializer, responses=s.ProposalSerializer)
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        data = s.RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.proposal_register(actor=request.user, proposal=self.get_object(),
                                                       **data.validated_data))

    @extend_schema(request=s.RejectSerializer, responses=s.ProposalSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = s.RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.proposal_reject(actor=request.user, proposal=self.get_object(),
                                                     **data.validated_data))

    @extend_schema(request=s.PreassignSerializer, responses=s.ProposalSerializer)
    @action(detail=True, methods=["post"])
    def preassign(self, request, pk=None):
        proposal = self.get_object()
        data = s.PreassignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[d["main_unit"], *d["co_units"]])}
        if d["main_unit"] not in units or any(pk not in units for pk in d["co_units"]):
            raise DomainError(_("Choose handling departments of the proposal's own unit."), field="main_unit")
        return self._answer(services.proposal_preassign(
            actor=request.user, proposal=proposal, main_unit=units[d["main_unit"]],
            co_units=[units[pk] for pk in d["co_units"]], due_on=d["due_on"], version=d.get("version")))

    @extend_schema(request=s.AssignSerializer, responses=s.ProposalSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        data = s.AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.proposal_assign_formally(actor=request.user, proposal=self.get_object(),
                                                              version=data.validated_data.get("version"),
                                                              assigned_on=data.validated_data.get("assigned_on")))

    @extend_schema(request=s.RateSerializer, responses=s.ProposalSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        data = s.RateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.proposal_rate(actor=request.user, proposal=self.get_object(),
                                                   **data.validated_data))


class AssignmentFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=AssignmentStatus.choices)

    class Meta:
        model = Assignment
        fields = ["status"]


class AssignmentViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):
    """The caller's department's assignments (the handling unit's inbox)."""

    serializer_class = s.AssignmentSerializer
    filterset_class = AssignmentFilter

    def get_queryset(self):
        return (selectors.department_inbox(user=self.request.user)
                .prefetch_related(Prefetch("replies", queryset=Reply.objects.order_by("round", "id"))))

    def _answer(self, assignment):
        return Response(s.AssignmentSerializer(self.get_queryset().get(pk=assignment.pk)).data)

    @extend_schema(request=None, responses=s.AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(services.assignment_accept(actor=request.user, assignment=self.get_object()))

    @extend_schema(request=s.ContactSerializer, responses=s.AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def contact(self, request, pk=None):
        assignment = self.get_object()
        data = s.ContactSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.contact_add(actor=request.user, assignment=assignment, **data.validated_data)
        return self._answer(assignment)

    @extend_schema(request=s.ReplyCreateSerializer, responses=s.AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        assignment = self.get_object()
        data = s.ReplyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.reply_submit(actor=request.user, assignment=assignment, **data.validated_data)
        return self._answer(assignment)


class OpinionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OpinionStatus.choices)

    class Meta:
        model = OpinionItem
        fields = ["status"]


class OpinionItemViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """社情民意 items of the caller's subtree, or submitted by the caller."""

    serializer_class = s.OpinionItemSerializer
    filterset_class = OpinionFilter

    def get_queryset(self):
        return (selectors.opinions_visible_to(user=self.request.user).prefetch_related("adoptions")
                .annotate(n_instructions=Count("instructions")).order_by("-id"))

    @extend_schema(request=s.OpinionCreateSerializer, responses={201: s.OpinionItemSerializer})
    def create(self, request):
        data = s.OpinionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.opinion_submit(actor=request.user, **data.validated_data)
        try:
            item = self.get_queryset().get(pk=item.pk)
        except OpinionItem.DoesNotExist:  # pragma: no cover - the submitter always sees their item
            raise Http404
        return Response(s.OpinionItemSerializer(item).data, status=status.HTTP_201_CREATED)
