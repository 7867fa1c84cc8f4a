from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.api.fields import BlankAsNullChoiceField, ClockTimeField, EventDateField
from portal.api.filters import MAX_ID

from ..models import (
    MEETING_STEPS,
    Attendance,
    Channel,
    Ending,
    FollowUp,
    Outcome,
    Participant,
    ParticipantKind,
    RaterKind,
    Research,
    ResearchKind,
    Route,
    Session,
    SessionForm,
    Suggestion,
    Topic,
)


class ResearchSerializer(serializers.ModelSerializer):
    class Meta:
        model = Research
        fields = ["id", "topic", "kind", "done_on", "team", "members", "findings", "respondents", "created_at"]
        read_only_fields = fields


class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = Participant
        fields = ["id", "kind", "member", "name", "organisation", "attendance", "leave_reason"]
        read_only_fields = fields


class SessionSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    topic_title = serializers.CharField(source="topic.title", read_only=True)
    start_time = ClockTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Session
        fields = ["id", "topic", "topic_title", "org_unit", "unit_name", "status", "scheduled_on", "start_time", "form",
                  "venue", "agenda", "steps_done", "residents_count", "online_views", "votes_for", "votes_against",
                  "votes_abstain", "stakeholder_ratio", "summary", "held_at", "version"]
        read_only_fields = fields


class SessionDetailSerializer(SessionSerializer):
    participants = ParticipantSerializer(many=True, read_only=True)

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "participants"]
        read_only_fields = fields


class OutcomeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outcome
        fields = ["id", "topic", "session", "consensus", "summary", "minutes", "recorded_on", "recorded_at", "version"]
        read_only_fields = fields


class SuggestionSerializer(serializers.ModelSerializer):
    topic_title = serializers.CharField(source="topic.title", read_only=True)
    handling_unit_name = serializers.CharField(source="handling_unit.name", read_only=True, default=None,
                                               allow_null=True)
    ending = BlankAsNullChoiceField(choices=Ending.choices, read_only=True,
                                    help_text=_("null until the suggestion is closed"))

    class Meta:
        model = Suggestion
        fields = ["id", "topic", "topic_title", "text", "route", "handling_unit", "handling_unit_name", "handler_name",
                  "deadline", "status", "adopted", "routed_on", "accepted_on", "accepted_at", "progress", "ending",
                  "feedback", "closed_on", "closed_at"]
        read_only_fields = fields


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUp
        fields = ["id", "topic", "due_on", "status", "done_on", "findings", "reopened"]
        read_only_fields = fields


class TopicSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Topic
        fields = ["id", "org_unit", "unit_name", "title", "description", "channel", "category", "source_ref",
                  "proposer_name", "status", "status_display", "planned_month", "is_public", "published_at",
                  "rejection_reason", "research_waived", "raised_on", "approved_on", "closed_on", "back_entered",
                  "approved_at", "closed_at", "created_at", "updated_at", "version"]
        read_only_fields = fields


class TopicDetailSerializer(TopicSerializer):
    research = ResearchSerializer(many=True, read_only=True)
    sessions = SessionSerializer(many=True, read_only=True)
    outcome = serializers.SerializerMethodField()
    suggestions = SuggestionSerializer(many=True, read_only=True)
    followups = FollowUpSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField(
        help_text="What the requesting user may do next (rows of consultations/workflows.py TOPIC).")

    class Meta(TopicSerializer.Meta):
        fields = [*TopicSerializer.Meta.fields, "internal_note", "research", "sessions", "outcome", "suggestions",
                  "followups", "allowed_actions"]
        read_only_fields = fields

    def get_allowed_actions(self, obj) -> list[str]:
        from portal.workflow import allowed_actions

        request = self.context.get("request")
        return allowed_actions(obj, request.user) if request is not None else []

    def get_outcome(self, obj) -> OutcomeSerializer(allow_null=True):  # type: ignore[valid-type]
        from ..selectors import outcome_of

        outcome = outcome_of(obj)
        return OutcomeSerializer(outcome).data if outcome else None


# ------------------------------------------------------------------------------------ inputs

class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class TopicCreateSerializer(serializers.Serializer):
    org_unit = IdField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, required=False, default="", max_length=20000)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")
    source_ref = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    proposer_name = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    planned_month = serializers.DateField(required=False, allow_null=True, default=None)
    raised_on = EventDateField(help_text=_("The day the topic was raised; default today."))


class TopicUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(allow_blank=True, required=False, max_length=20000)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    category = serializers.CharField(max_length=40, allow_blank=True, required=False)
    source_ref = serializers.CharField(max_length=100, allow_blank=True, required=False)
    proposer_name = serializers.CharField(max_length=100, allow_blank=True, required=False)
    internal_note = serializers.CharField(allow_blank=True, required=False, max_length=20000)
    planned_month = serializers.DateField(required=False, allow_null=True)
    raised_on = EventDateField(default=serializers.empty)
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1,
                                       help_text=_("The version you loaded; a stale one is refused with 409."))


class ApproveSerializer(serializers.Serializer):
    publish = serializers.BooleanField(default=True)
    planned_month = serializers.DateField(required=False, allow_null=True, default=None)
    approved_on = EventDateField()


class CloseSerializer(serializers.Serializer):
    closed_on = EventDateField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class PublishSerializer(serializers.Serializer):
    public = serializers.BooleanField()


class ResearchCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ResearchKind.choices)
    done_on = EventDateField()
    findings = serializers.CharField(max_length=20000)
    team = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")
    members = serializers.ListField(child=IdField(), required=False, default=list, max_length=200)
    respondents = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, default=0)


class SessionCreateSerializer(serializers.Serializer):
    scheduled_on = EventDateField(required=True, allow_null=False)
    start_time = ClockTimeField(required=False, allow_null=True, default=None)
    form = serializers.ChoiceField(choices=SessionForm.choices)
    venue = serializers.CharField(max_length=200)
    agenda = serializers.CharField(allow_blank=True, required=False, default="", max_length=20000)


class ParticipantCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ParticipantKind.choices)
    member = IdField(required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=60, allow_blank=True, required=False, default="")
    organisation = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")


class HoldSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1,
                                       help_text=_("The version you loaded; a stale one is refused with 409."))
    attendance = serializers.DictField(
        child=serializers.ChoiceField(choices=[Attendance.ATTENDED, Attendance.LEAVE, Attendance.ABSENT]),
        help_text=_("Participant id → attended | leave | absent; unmarked invitees count as absent."))
    steps_done = serializers.ListField(child=serializers.ChoiceField(choices=[c for c, _l in MEETING_STEPS]),
                                       required=False, default=list, max_length=10)
    residents_count = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, default=0)
    online_views = serializers.IntegerField(min_value=0, max_value=100_000_000, required=False, default=0)
    summary = serializers.CharField(allow_blank=True, required=False, default="", max_length=20000)
    votes_for = serializers.IntegerField(min_value=0, max_value=100_000, required=False, allow_null=True, default=None)
    votes_against = serializers.IntegerField(min_value=0, max_value=100_000, required=False, allow_null=True,
                                             default=None)
    votes_abstain = serializers.IntegerField(min_value=0, max_value=100_000, required=False, allow_null=True,
                                             default=None)
    held_on = EventDateField(help_text=_("The day the session was held; default its planned date."))

    def validate_attendance(self, value):
        result = {}
        for key, status in value.items():
            try:
                pk = int(key)
            except (TypeError, ValueError):
                raise serializers.ValidationError(_("Keys are participant ids."))
            if not 1 <= pk <= MAX_ID:
                raise serializers.ValidationError(_("Keys are participant ids."))
            result[pk] = status
        return result


class OutcomeWriteSerializer(serializers.Serializer):
    consensus = serializers.BooleanField()
    summary = serializers.CharField(max_length=20000)
    minutes = serializers.CharField(allow_blank=True, required=False, default="", max_length=100000)
    recorded_on = EventDateField()
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True,
                                       default=None)


class SuggestionCreateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)
    route = serializers.ChoiceField(choices=Route.choices)
    handling_unit = IdField(required=False, allow_null=True, default=None)
    handler_name = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    deadline = serializers.DateField(required=False, allow_null=True, default=None)
    routed_on = EventDateField()


class AcceptSerializer(serializers.Serializer):
    adopted = serializers.BooleanField(default=True)
    accepted_on = EventDateField()


class ProgressSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)


class FeedbackSerializer(serializers.Serializer):
    ending = serializers.ChoiceField(choices=Ending.choices)
    feedback = serializers.CharField(max_length=4000)
    closed_on = EventDateField()


class FollowUpRecordSerializer(serializers.Serializer):
    done_on = EventDateField()
    findings = serializers.CharField(max_length=20000)
    reopen = serializers.BooleanField(default=False)


class EvaluationSerializer(serializers.Serializer):
    rater_kind = serializers.ChoiceField(choices=RaterKind.choices)
    score = serializers.IntegerField(min_value=1, max_value=5)
    rater_name = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    comment = serializers.CharField(allow_blank=True, required=False, default="", max_length=4000)


class BackSuggestionSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000)
    route = serializers.ChoiceField(choices=Route.choices)
    handling_unit = IdField(required=False, allow_null=True, default=None)
    handler_name = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    routed_on = EventDateField(required=True, allow_null=False)
    accepted_on = EventDateField()
    ending = serializers.ChoiceField(choices=Ending.choices, required=False, allow_blank=True, default="")
    feedback = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")
    closed_on = EventDateField()


class BackEntrySerializer(serializers.Serializer):
    """A consultation that already ran its course (补录), in one request; all or nothing."""

    org_unit = IdField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, required=False, default="", max_length=20000)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.RESIDENT)
    category = serializers.CharField(max_length=40, allow_blank=True, required=False, default="")
    raised_on = EventDateField(required=True, allow_null=False)
    approved_on = EventDateField(required=True, allow_null=False)
    approved_by_name = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    research_done_on = EventDateField(required=True, allow_null=False)
    research_kind = serializers.ChoiceField(choices=ResearchKind.choices, default=ResearchKind.VISIT)
    research_findings = serializers.CharField(max_length=20000)
    held_on = EventDateField(required=True, allow_null=False)
    session_form = serializers.ChoiceField(choices=SessionForm.choices, default=SessionForm.COUNCIL)
    venue = serializers.CharField(max_length=200)
    members_attended = serializers.ListField(child=IdField(), required=False, default=list, max_length=500)
    members_absent = serializers.ListField(child=IdField(), required=False, default=list, max_length=500)
    residents_count = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, default=0)
    session_summary = serializers.CharField(allow_blank=True, required=False, default="", max_length=20000)
    consensus = serializers.BooleanField(default=True)
    outcome_recorded_on = EventDateField()
    outcome_summary = serializers.CharField(max_length=20000)
    minutes = serializers.CharField(allow_blank=True, required=False, default="", max_length=100000)
    suggestions = BackSuggestionSerializer(many=True, required=False, default=list, max_length=30)
    closed_on = EventDateField()
    followup_done_on = EventDateField()
    followup_findings = serializers.CharField(allow_blank=True, required=False, default="", max_length=20000)
