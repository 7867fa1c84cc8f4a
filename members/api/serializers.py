from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.api.fields import BlankAsNullChoiceField

from .. import duty
from ..models import DutyRecord, Member, Posting, PostingBasis, Workroom, WorkroomActivity
from ..validators import validate_evidence


class PostingSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="org_unit.name", read_only=True)

    class Meta:
        model = Posting
        fields = ["id", "member", "org_unit", "unit_name", "basis", "started_on", "is_active"]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    sector_name = serializers.CharField(source="sector.name", read_only=True, default=None, allow_null=True)
    gender = BlankAsNullChoiceField(choices=Member._meta.get_field("gender").choices, read_only=True,
                                    help_text=_("null when not recorded"))
    committees = serializers.SerializerMethodField()
    postings = serializers.SerializerMethodField()

    class Meta:
        model = Member
        fields = ["id", "name", "gender", "level", "term", "org_unit", "unit_name", "sector", "sector_name",
                  "committees", "party", "work_unit", "position", "expertise", "is_standing", "is_active", "postings",
                  "version"]
        read_only_fields = fields

    def get_committees(self, obj) -> list[str]:
        return [c.name for c in obj.committees.all()]

    def get_postings(self, obj) -> list[dict]:
        return [{"unit": p.org_unit_id, "unit_name": p.org_unit.name, "basis": p.basis} for p in obj.postings.all()]


class PostingCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    basis = serializers.ChoiceField(choices=PostingBasis.choices, default=PostingBasis.RESIDENCE)
    started_on = serializers.DateField(required=False, allow_null=True)


class DutyRecordSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text=_("auto, pending, verified, rejected or withdrawn"))
    kind_label = serializers.SerializerMethodField()
    has_evidence = serializers.SerializerMethodField()

    class Meta:
        model = DutyRecord
        fields = ["id", "member", "member_name", "kind", "kind_label", "occurred_on", "title", "status", "note",
                  "has_evidence", "review_note", "reviewed_at", "created_at"]
        read_only_fields = fields

    def get_kind_label(self, obj) -> str:
        return str(duty.label_of(obj.kind))

    def get_has_evidence(self, obj) -> bool:
        return bool(obj.evidence)


class DutyRecordCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False,
                                      help_text=_("Defaults to the caller's own member record."))
    kind = serializers.CharField(max_length=40)
    occurred_on = serializers.DateField()
    title = serializers.CharField(max_length=200)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    evidence = serializers.FileField(required=False, allow_null=True)

    def validate_evidence(self, value):
        if value:
            from django.core.exceptions import ValidationError

            try:
                validate_evidence(value)
            except ValidationError as exc:
                raise serializers.ValidationError(exc.messages)
        return value


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class WorkroomSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    kind = serializers.CharField(read_only=True, help_text=_("workroom, station, home or activity_room"))
    status = serializers.CharField(read_only=True,
                                   help_text=_("applied, reviewed, approved, plaqued, rejected or revoked"))
    lead_type = serializers.CharField(read_only=True,
                                      help_text=_("individual, sector_group, liaison_group or employer"))
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Workroom
        fields = ["id", "name", "kind", "lead_type", "lead_member", "org_unit", "unit_name", "place", "opening_hours",
                  "reception_days", "standard", "status", "plaqued_on", "last_checked_on", "last_check_passed",
                  "last_activity_on", "member_count", "version"]
        read_only_fields = fields


class WorkroomDetailSerializer(WorkroomSerializer):
    allowed_actions = serializers.SerializerMethodField(
        help_text="What the requesting user may do next (rows of members/workflows.py WORKROOM).")

    class Meta(WorkroomSerializer.Meta):
        fields = [*WorkroomSerializer.Meta.fields, "allowed_actions"]
        read_only_fields = fields

    def get_allowed_actions(self, obj) -> list[str]:
        from portal.workflow import allowed_actions

        request = self.context.get("request")
        return allowed_actions(obj, request.user) if request is not None else []


class WorkroomActivitySerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkroomActivity
        fields = ["id", "workroom", "occurred_on", "title", "summary", "residents"]
        read_only_fields = fields


class ScoreSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk")
    name = serializers.CharField(source="member.name")
    unit_name = serializers.CharField(source="member.org_unit.name")
    rank = serializers.IntegerField()
    points = serializers.IntegerField()
    minimum = serializers.IntegerField()
    below_minimum = serializers.BooleanField()
    commended = serializers.BooleanField()
    interview = serializers.BooleanField()
    escalation = serializers.CharField(help_text=_("'', reminder, interview or resign"))
    by_kind = serializers.DictField(child=serializers.IntegerField())
