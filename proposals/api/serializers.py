from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.api.fields import EventDateField
from portal.api.filters import MAX_ID

from ..models import (
    Assignment,
    ContactMethod,
    Cosigner,
    NotRegisteredConversion,
    OpinionItem,
    Proposal,
    ProposalCategory,
    ProposalKind,
    Reply,
    ReplyClass,
    Satisfaction,
)


class CosignerSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = Cosigner
        fields = ["member", "name", "status"]


class ReplySerializer(serializers.ModelSerializer):
    class Meta:
        model = Reply
        fields = ["id", "round", "reply_class", "text", "lines", "document_number", "follow_up_on", "replied_on",
                  "created_at"]


class AssignmentSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    replies = ReplySerializer(many=True, read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "proposal", "unit", "unit_name", "role", "status", "due_on", "contest_reason", "assigned_on",
                  "replied_on", "assigned_at", "replied_at", "replies"]


class ProposalSerializer(serializers.ModelSerializer):
    proposer_name = serializers.CharField(source="proposer.name", read_only=True)
    unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    number_label = serializers.CharField(read_only=True)
    assignments = AssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "title", "kind", "category", "status", "proposer", "proposer_name", "org_unit", "unit_name",
                  "case", "analysis", "suggestions", "term", "session", "number", "number_label", "review_stage",
                  "is_key", "supervising_leader", "reopened", "satisfaction_attitude", "satisfaction_result",
                  "submitted_on", "registered_on", "assigned_on", "closed_on", "submitted_at", "registered_at",
                  "closed_at", "version", "assignments", "entered_by_staff"]


class ProposalDetailSerializer(ProposalSerializer):
    allowed_actions = serializers.SerializerMethodField(
        help_text="What the requesting user may do next (rows of proposals/workflows.py PROPOSAL).")

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "allowed_actions"]

    def get_allowed_actions(self, obj) -> list[str]:
        from portal.workflow import allowed_actions

        request = self.context.get("request")
        return allowed_actions(obj, request.user) if request is not None else []


class ProposalCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    case = serializers.CharField(max_length=20000)
    analysis = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    suggestions = serializers.ListField(child=serializers.CharField(max_length=2000), min_length=1, max_length=30)
    category = serializers.ChoiceField(choices=ProposalCategory.choices, default=ProposalCategory.OTHER)
    kind = serializers.ChoiceField(choices=ProposalKind.choices, default=ProposalKind.INDIVIDUAL)
    cosigners = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                      default=list, max_length=50, help_text=_("Member ids of co-signers."))


class PaperEntrySerializer(ProposalCreateSerializer):
    """代录: a paper proposal entered by staff for a member."""

    proposer = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text=_("Member id of the proposer."))
    submitted_on = serializers.DateField(input_formats=["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"],
                                         help_text=_("The date on the paper (2026-11-25, 2026/11/25 or 2026年11月25日)."))
    body = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, allow_null=True, default=None)


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2**31 - 1)


class SubmitSerializer(VersionSerializer):
    submitted_on = EventDateField(help_text=_("The plenary or the date on the paper; default today."))


class AssignSerializer(VersionSerializer):
    assigned_on = EventDateField()


class RegisterSerializer(VersionSerializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    registered_on = EventDateField()


class RejectSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=2000)
    conversion = serializers.ChoiceField(choices=NotRegisteredConversion.choices, required=False, default="")


class PreassignSerializer(VersionSerializer):
    main_unit = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    co_units = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False,
                                     default=list, max_length=20)
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class RateSerializer(serializers.Serializer):
    attitude = serializers.ChoiceField(choices=Satisfaction.choices)
    result = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ContactSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=ContactMethod.choices)
    contacted_on = serializers.DateField()
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReplyCreateSerializer(serializers.Serializer):
    reply_class = serializers.ChoiceField(choices=ReplyClass.choices)
    text = serializers.CharField(max_length=20000)
    lines = serializers.ListField(child=serializers.CharField(max_length=2000, allow_blank=True), required=False,
                                  default=list, max_length=30)
    document_number = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    follow_up_on = serializers.DateField(required=False, allow_null=True, default=None)
    replied_on = EventDateField(help_text=_("The date of the reply letter; default today."))


class OpinionItemSerializer(serializers.ModelSerializer):
    adoption_levels = serializers.SlugRelatedField(source="adoptions", many=True, read_only=True, slug_field="level")
    instruction_count = serializers.IntegerField(source="n_instructions", read_only=True)

    class Meta:
        model = OpinionItem
        fields = ["id", "title", "content", "status", "org_unit", "member", "source_point", "bulletin", "reported_to",
                  "submitted_on", "used_on", "submitted_at", "adoption_levels", "instruction_count", "version"]


class OpinionCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=20000)
    source_point = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    submitted_on = EventDateField()
