"""The consultation API: scoped lists and details, and every transition through the same
services as the pages (so no guard can be skipped)."""

import django_filters
from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from members.models import Member
from organizations import permissions
from organizations.models import OrgUnit
from organizations.selectors import under
from portal.api.actions import respond, validated
from portal.api.filters import IdFilter
from portal.api.mixins import ScopedObjectMixin
from portal.errors import DomainError

from .. import rules, selectors, services
from ..models import (
    Channel,
    FollowUp,
    Outcome,
    Research,
    Session,
    SessionForm,
    SessionStatus,
    Suggestion,
    SuggestionStatus,
    Topic,
    TopicStatus,
)
from . import serializers as s


class TopicFilter(django_filters.FilterSet):
    under = IdFilter(method="filter_under", label=_("Within the subtree of unit id"))
    status = django_filters.ChoiceFilter(choices=TopicStatus.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Source channel"))
    created_after = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_before = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")
    q = django_filters.CharFilter(method="filter_q", label=_("Title contains"))

    class Meta:
        model = Topic
        fields = ["status", "channel"]

    def filter_under(self, queryset, name, value):
        return under(queryset, value, "org_path")

    def filter_q(self, queryset, name, value):
        return queryset.filter(title__icontains=value[:50])


class SessionFilter(django_filters.FilterSet):
    under = IdFilter(method="filter_under", label=_("Within the subtree of unit id"))
    topic = IdFilter(field_name="topic_id")
    status = django_filters.ChoiceFilter(choices=SessionStatus.choices)
    form = django_filters.ChoiceFilter(choices=SessionForm.choices)
    date_from = django_filters.DateFilter(field_name="scheduled_on", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="scheduled_on", lookup_expr="lte")

    class Meta:
        model = Session
        fields = ["status", "form"]

    def filter_under(self, queryset, name, value):
        return under(queryset, value, "org_path")


class SuggestionFilter(django_filters.FilterSet):
    under = IdFilter(method="filter_under", label=_("Within the subtree of unit id"))
    topic = IdFilter(field_name="topic_id")
    status = django_filters.ChoiceFilter(choices=SuggestionStatus.choices)
    deadline_before = django_filters.DateFilter(field_name="deadline", lookup_expr="lt")

    class Meta:
        model = Suggestion
        fields = ["status"]

    def filter_under(self, queryset, name, value):
        return under(queryset, value, "topic__org_path")


class TopicViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Consultation topics of the caller's subtree, and the loop's transitions."""

    filterset_class = TopicFilter

    def get_queryset(self):
        qs = selectors.topics_visible_to(user=self.request.user).select_related("org_unit")
        if self.action == "retrieve":
            qs = qs.select_related("outcome").prefetch_related(
                "research__members", Prefetch("sessions", queryset=Session.objects.select_related("org_unit", "topic")),
                Prefetch("suggestions", queryset=Suggestion.objects.select_related("topic", "handling_unit")),
                "followups")
        return qs.order_by("-updated_at", "-id")

    def get_serializer_class(self):
        return s.TopicDetailSerializer if self.action == "retrieve" else s.TopicSerializer

    @extend_schema(request=s.BackEntrySerializer, responses={201: s.TopicSerializer})
    @action(detail=False, methods=["post"], url_path="back-entry")
    def back_entry(self, request):
        """补录: record a finished consultation with its event dates, all or nothing."""
        from ..backentry import BackEntry, BackSuggestion, consultation_back_enter

        request._request.repeated_writes = "one service call (and audit row) per step of the consultation"
        d = dict(validated(self.request, s.BackEntrySerializer))
        units, members, handling = selectors.back_entry_choices(user=request.user)
        unit = units.filter(pk=d.pop("org_unit")).first()
        if unit is None:
            raise DomainError(_("Choose a unit within your scope."), field="org_unit")
        by_id = members.in_bulk([*d["members_attended"], *d["members_absent"]])
        for key in ("members_attended", "members_absent"):
            if any(pk not in by_id for pk in d[key]):
                raise DomainError(_("Unknown members for this unit: %(names)s")
                                  % {"names": ", ".join(str(pk) for pk in d[key] if pk not in by_id)}, field=key)
            d[key] = [by_id[pk] for pk in d[key]]
        handlers = handling.in_bulk([x["handling_unit"] for x in d["suggestions"] if x["handling_unit"]])
        lines = []
        for i, line in enumerate(d.pop("suggestions")):
            if line["handling_unit"] and line["handling_unit"] not in handlers:
                raise DomainError(_("Choose a unit from the list."), field=f"s{i}_handling_unit")
            lines.append(BackSuggestion(**{**line, "handling_unit": handlers.get(line["handling_unit"])}))
        topic = consultation_back_enter(actor=request.user, entry=BackEntry(org_unit=unit, suggestions=lines, **d))
        return respond(s.TopicSerializer, topic, status.HTTP_201_CREATED)

    @extend_schema(request=s.TopicCreateSerializer, responses={201: s.TopicSerializer})
    def create(self, request):
        d = dict(validated(self.request, s.TopicCreateSerializer))
        unit = permissions.units_visible_to(request.user, roles=rules.MANAGERS).filter(pk=d.pop("org_unit")).first()
        if unit is None:
            raise DomainError(_("Choose a unit within your scope."), field="org_unit")
        topic = services.topic_create(actor=request.user, org_unit=unit, **d)
        return respond(s.TopicSerializer, topic, status.HTTP_201_CREATED)

    @extend_schema(request=s.TopicUpdateSerializer, responses=s.TopicSerializer)
    def partial_update(self, request, pk=None):
        topic = self.get_object()
        d = dict(validated(self.request, s.TopicUpdateSerializer))
        version = d.pop("version")
        return respond(s.TopicSerializer, services.topic_update(actor=request.user, topic=topic, version=version, **d))

    @extend_schema(request=None, responses=s.TopicSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return respond(s.TopicSerializer, services.topic_submit(actor=request.user, topic=self.get_object()))

    @extend_schema(request=s.ApproveSerializer, responses=s.TopicSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        topic = self.get_object()
        return respond(s.TopicSerializer, services.topic_approve(actor=request.user, topic=topic,
                                                               **validated(self.request, s.ApproveSerializer)))

    @extend_schema(request=s.ReasonSerializer, responses=s.TopicSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        topic = self.get_object()
        return respond(s.TopicSerializer, services.topic_reject(actor=request.user, topic=topic,
                                                              **validated(self.request, s.ReasonSerializer)))

    @extend_schema(request=s.PublishSerializer, responses=s.TopicSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        topic = self.get_object()
        return respond(s.TopicSerializer, services.topic_set_public(actor=request.user, topic=topic,
                                                                  **validated(self.request, s.PublishSerializer)))

    @extend_schema(request=s.ResearchCreateSerializer, responses={201: s.ResearchSerializer})
    @action(detail=True, methods=["post"])
    def research(self, request, pk=None):
        topic = self.get_object()
        d = dict(validated(self.request, s.ResearchCreateSerializer))
        ids = d.pop("members")
        members = list(Member.objects.filter(pk__in=ids))
        if len(members) != len(set(ids)):
            raise DomainError(_("Unknown members for this unit: %(names)s") % {"names": ", ".join(
                str(i) for i in sorted(set(ids) - {m.pk for m in members}))}, field="members")
        research = services.research_add(actor=request.user, topic=topic, members=members, **d)
        return respond(s.ResearchSerializer, research, status.HTTP_201_CREATED)

    @extend_schema(request=s.SessionCreateSerializer, responses={201: s.SessionSerializer})
    @action(detail=True, methods=["post"])
    def sessions(self, request, pk=None):
        topic = self.get_object()
        session = services.session_schedule(actor=request.user, topic=topic, **validated(self.request, s.SessionCreateSerializer))
        return respond(s.SessionSerializer, session, status.HTTP_201_CREATED)

    @extend_schema(request=s.OutcomeWriteSerializer, responses=s.OutcomeSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        """Record the outcome, or update it (send `version`)."""
        topic = self.get_object()
        d = dict(validated(self.request, s.OutcomeWriteSerializer))
        version = d.pop("version")
        existing = selectors.outcome_of(topic)
        if existing is None:
            outcome = services.outcome_record(actor=request.user, topic=topic, **d)
        else:
            outcome = services.outcome_update(actor=request.user, outcome=existing, version=version, **d)
        return respond(s.OutcomeSerializer, outcome)

    @extend_schema(request=s.SuggestionCreateSerializer, responses={201: s.SuggestionSerializer})
    @action(detail=True, methods=["post"])
    def suggestions(self, request, pk=None):
        topic = self.get_object()
        d = dict(validated(self.request, s.SuggestionCreateSerializer))
        unit_id = d.pop("handling_unit")
        unit = None
        if unit_id is not None:
            unit = OrgUnit.objects.filter(pk=unit_id).first()
            if unit is None:
                raise DomainError(_("Choose a unit from the list."), field="handling_unit")
        suggestion = services.suggestion_add(actor=request.user, topic=topic, handling_unit=unit, **d)
        return respond(s.SuggestionSerializer, suggestion, status.HTTP_201_CREATED)

    @extend_schema(request=s.CloseSerializer, responses=s.TopicSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return respond(s.TopicSerializer, services.topic_close(actor=request.user, topic=self.get_object(),
                                                             **validated(self.request, s.CloseSerializer)))

    @extend_schema(request=s.EvaluationSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def evaluate(self, request, pk=None):
        topic = self.get_object()
        services.evaluation_add(actor=request.user, topic=topic, **validated(self.request, s.EvaluationSerializer))
        return Response(status=status.HTTP_201_CREATED)


class SessionViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filterset_class = SessionFilter

    def get_queryset(self):
        qs = permissions.scoped(Session.objects.select_related("topic", "org_unit"), self.request.user)
        if self.action == "retrieve":
            qs = qs.prefetch_related("participants")
        return qs.order_by("-scheduled_on", "-id")

    def get_serializer_class(self):
        return s.SessionDetailSerializer if self.action == "retrieve" else s.SessionSerializer

    @extend_schema(request=s.ParticipantCreateSerializer, responses={201: s.ParticipantSerializer})
    @action(detail=True, methods=["post"])
    def participants(self, request, pk=None):
        session = self.get_object()
        data = s.ParticipantCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = dict(data.validated_data)
        member_id = d.pop("member")
        member = None
        if member_id is not None:
            member = Member.objects.filter(pk=member_id).first()
            if member is None:
                raise DomainError(_("Choose a member of this unit."), field="member")
        participant = services.participant_add(actor=request.user, session=session, member=member, **d)
        return Response(s.ParticipantSerializer(participant).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.HoldSerializer, responses=s.SessionDetailSerializer)
    @action(detail=True, methods=["post"])
    def hold(self, request, pk=None):
        session = self.get_object()
        data = s.HoldSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        session = services.session_hold(actor=request.user, session=session, **data.validated_data)
        session = self.get_queryset().prefetch_related("participants").get(pk=session.pk)
        return Response(s.SessionDetailSerializer(session).data)

    @extend_schema(request=s.ReasonSerializer, responses=s.SessionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        session = self.get_object()
        data = s.ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(s.SessionSerializer(services.session_cancel(actor=request.user, session=session,
                                                                    **data.validated_data)).data)


class SuggestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Suggestions of the caller's subtree, plus those routed to the caller's department."""

    serializer_class = s.SuggestionSerializer
    filterset_class = SuggestionFilter

    def get_queryset(self):
        user = self.request.user
        scoped = permissions.scoped(Suggestion.objects.all(), user, field="topic__org_path")
        routed = selectors.suggestions_for_department(user=user)
        return (Suggestion.objects.filter(pk__in=scoped.values("pk")) | Suggestion.objects.filter(
            pk__in=routed.values("pk"))).select_related("topic", "handling_unit").order_by("id")

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except (Suggestion.DoesNotExist, ValueError, TypeError):
            raise Http404

    @extend_schema(request=s.AcceptSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        suggestion = self.get_object()
        data = s.AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(self.get_serializer(services.suggestion_accept(actor=request.user, suggestion=suggestion,
                                                                       **data.validated_data)).data)

    @extend_schema(request=s.ProgressSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        suggestion = self.get_object()
        data = s.ProgressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(self.get_serializer(services.suggestion_progress(actor=request.user, suggestion=suggestion,
                                                                         **data.validated_data)).data)

    @extend_schema(request=s.FeedbackSerializer, responses=s.SuggestionSerializer)
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        suggestion = self.get_object()
        data = s.FeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(self.get_serializer(services.suggestion_close(actor=request.user, suggestion=suggestion,
                                                                      **data.validated_data)).data)


class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.FollowUpSerializer

    def get_queryset(self):
        return permissions.scoped(FollowUp.objects.all(), self.request.user, field="topic__org_path").order_by(
            "due_on", "id")

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except (FollowUp.DoesNotExist, ValueError, TypeError):
            raise Http404

    @extend_schema(request=s.FollowUpRecordSerializer, responses=s.FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        followup = self.get_object()
        data = s.FollowUpRecordSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(self.get_serializer(services.followup_record(actor=request.user, followup=followup,
                                                                     **data.validated_data)).data)


class ResearchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ResearchSerializer

    def get_queryset(self):
        return permissions.scoped(Research.objects.prefetch_related("members"), self.request.user,
                                  field="topic__org_path").order_by("-done_on", "-id")

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except (Research.DoesNotExist, ValueError, TypeError):
            raise Http404


class OutcomeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.OutcomeSerializer

    def get_queryset(self):
        return permissions.scoped(Outcome.objects.all(), self.request.user, field="topic__org_path").order_by("-id")

    def get_object(self):
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except (Outcome.DoesNotExist, ValueError, TypeError):
            raise Http404


