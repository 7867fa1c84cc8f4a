"""Member and workroom codes (委员码 / 工作室码) and the residents' messages they bring (群众来信)
over the API. Every list is scoped by ``hall.codes.selectors`` (404 outside it) and every write
goes through ``hall.codes.services`` — the same rules, audit rows and guards as the pages:
retiring or reissuing a code that is no longer the active one, or answering a message twice, is
a 409; turning a message into a topic or a 社情民意 item is decided by the consultations and
proposals services."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action

from portal.accounts.privacy import mask_phone
from portal.api.actions import respond, validated
from portal.api.filters import BoolFilter, IdFilter
from portal.api.mixins import ScopedObjectMixin
from portal.handoffs import available

from ..codes import selectors, services
from ..models import CodeMessage, ContactCode

# --- Codes ------------------------------------------------------------------------------------


class ContactCodeSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="slug", read_only=True, help_text=_("The random code printed in the QR code."))
    kind = serializers.SerializerMethodField(help_text=_("Whose code it is: member or workroom."))
    name = serializers.SerializerMethodField(help_text=_("The member's or workroom's name."))
    write_url = serializers.SerializerMethodField(help_text=_("The page the QR code opens (path)."))

    class Meta:
        model = ContactCode
        fields = ["id", "code", "kind", "member", "workroom", "name", "is_active", "created_at", "write_url"]

    @extend_schema_field({"type": "string", "enum": ["member", "workroom"]})
    def get_kind(self, obj) -> str:
        return "member" if obj.member_id else "workroom"

    def get_name(self, obj) -> str:
        return obj.member.name if obj.member_id else obj.workroom.name

    def get_write_url(self, obj) -> str:
        from django.urls import reverse

        return reverse("hall:code_write", args=[obj.slug])


class ContactCodeFilter(django_filters.FilterSet):
    member = IdFilter(field_name="member_id", label=_("Codes of this member"))
    workroom = IdFilter(field_name="workroom_id", label=_("Codes of this workroom"))
    is_active = BoolFilter(field_name="is_active", label=_("Active (true) or replaced and withdrawn (false)"))

    class Meta:
        model = ContactCode
        fields = []


class ContactCodeViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """The codes of the members and workrooms whose codes the caller may print: the member
    themself and the office clerks over the member's unit; a workroom's lead member and members,
    and the secretaries and clerks over its unit. Others get an empty list and 404."""

    serializer_class = ContactCodeSerializer
    filterset_class = ContactCodeFilter

    def get_queryset(self):
        return (selectors.codes_visible_to(user=self.request.user)
                .select_related("member", "workroom").order_by("-created_at", "-id"))

    @extend_schema(request=None, responses=ContactCodeSerializer)
    @action(detail=True, methods=["post"])
    def retire(self, request, pk=None):
        """Withdraw the code (it stops working at once; its messages stay). 409 when it is no
        longer the active code. Audited."""
        return respond(ContactCodeSerializer, services.code_retire(actor=request.user, code=self.get_object()))

    @extend_schema(request=None, responses={201: ContactCodeSerializer})
    @action(detail=True, methods=["post"])
    def reissue(self, request, pk=None):
        """Replace the code by a new one (a card lost, a plaque replaced): the old one stops
        working at once. 409 when it was already replaced or withdrawn. Audited."""
        new = services.code_reissue(actor=request.user, code=self.get_object())
        return respond(ContactCodeSerializer, new, status.HTTP_201_CREATED)


# --- Messages ---------------------------------------------------------------------------------


class CodeMessageSerializer(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True, allow_null=True, default=None)
    workroom_name = serializers.CharField(source="workroom.name", read_only=True, allow_null=True, default=None)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)

    class Meta:
        model = CodeMessage
        fields = ["id", "title", "status", "member", "member_name", "workroom", "workroom_name", "org_unit",
                  "org_unit_name", "received_on", "answered_on", "created_at"]


class CodeMessageDetailSerializer(CodeMessageSerializer):
    contact_phone = serializers.SerializerMethodField(
        help_text=_("The resident's phone, to call back while the message waits; masked once it is answered."))
    opinion_item = serializers.SerializerMethodField(help_text=_("The public-opinion item it became."))
    actions = serializers.SerializerMethodField(help_text=_("What the caller may do with it now."))

    class Meta(CodeMessageSerializer.Meta):
        fields = [*CodeMessageSerializer.Meta.fields, "body", "contact_name", "contact_phone", "reply",
                  "answered_by", "converted_on", "topic", "opinion_item", "actions"]

    def get_contact_phone(self, obj) -> str:
        return obj.contact_phone if obj.is_open else mask_phone(obj.contact_phone)

    @extend_schema_field({"type": "integer", "nullable": True, "minimum": 1})
    def get_opinion_item(self, obj):
        return int(obj.opinion_ref) if (obj.opinion_ref or "").isdigit() else None

    @extend_schema_field({"type": "array", "items": {"type": "string", "enum": ["answer", "topic", "opinion"]}})
    def get_actions(self, obj):
        user = self.context["request"].user
        if not obj.is_open or not services.can_handle(user, obj):
            return []
        actions = ["answer"]
        if services.can_make_topic(user, obj):
            actions.append("topic")
        if available("opinion"):
            actions.append("opinion")
        return actions


def _reply_field():
    return serializers.CharField(max_length=services.REPLY_MAX, help_text=_("The reply the resident reads."))


class AnswerInputSerializer(serializers.Serializer):
    reply = _reply_field()


class TopicInputSerializer(serializers.Serializer):
    reply = _reply_field()
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="",
                                  help_text=_("The topic's title; default the message's title."))
    description = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="",
                                        help_text=_("The topic's description; default the message."))


class OpinionInputSerializer(serializers.Serializer):
    reply = _reply_field()
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="",
                                  help_text=_("The item's title; default the message's title."))
    content = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="",
                                    help_text=_("The item's content; default the message."))


class CodeMessageFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=[("open", _("Waiting for an answer")), ("done", _("Dealt with"))],
                                        method="filter_state", label=_("Waiting (open) or dealt with (done)"))
    status = django_filters.ChoiceFilter(choices=CodeMessage.Status.choices)
    mine = BoolFilter(method="filter_mine",
                                        label=_("Only the messages addressed to me (not those I oversee)"))
    member = IdFilter(field_name="member_id", label=_("Messages to this member"))
    workroom = IdFilter(field_name="workroom_id", label=_("Messages to this workroom"))
    received_after = django_filters.DateFilter(field_name="received_on", lookup_expr="gte")
    received_before = django_filters.DateFilter(field_name="received_on", lookup_expr="lte")

    class Meta:
        model = CodeMessage
        fields = ["status"]

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(status=CodeMessage.Status.NEW)
        return queryset.exclude(status=CodeMessage.Status.NEW)

    def filter_mine(self, queryset, name, value):
        mine = selectors.messages_visible_to(user=self.request.user, mine_only=True).values("pk")
        return queryset.filter(pk__in=mine) if value else queryset.exclude(pk__in=mine)


class CodeMessageViewSet(ScopedObjectMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """群众来信: the messages residents sent by scanning a member's or workroom's code, seen by the
    addressee (the member; the workroom's lead member and members) and the secretaries and office
    clerks over the unit where the message is followed up. Others get an empty list and 404."""

    filterset_class = CodeMessageFilter

    def get_queryset(self):
        qs = selectors.messages_visible_to(user=self.request.user).select_related("member", "workroom", "org_unit")
        if self.action != "list":
            qs = qs.select_related("workroom__lead_member")
        return qs.order_by("-created_at", "-id")

    def get_serializer_class(self):
        return CodeMessageSerializer if self.action == "list" else CodeMessageDetailSerializer

    def _respond(self, message):
        return respond(CodeMessageDetailSerializer, message, context=self.get_serializer_context())

    @extend_schema(request=AnswerInputSerializer, responses=CodeMessageDetailSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Answer the resident (once; 409 when it was already dealt with). Audited."""
        message = self.get_object()
        d = validated(request, AnswerInputSerializer)
        return self._respond(services.message_answer(actor=request.user, message=message, reply=d["reply"]))

    @extend_schema(request=TopicInputSerializer, responses=CodeMessageDetailSerializer)
    @action(detail=True, methods=["post"])
    def topic(self, request, pk=None):
        """Turn the message into a consultation topic (议题) of its unit, through the
        consultations service (whoever may create topics there), with a reply. Audited."""
        message = self.get_object()
        d = validated(request, TopicInputSerializer)
        return self._respond(services.message_to_topic(actor=request.user, message=message, title=d["title"],
                                                       description=d["description"], reply=d["reply"]))

    @extend_schema(request=OpinionInputSerializer, responses=CodeMessageDetailSerializer)
    @action(detail=True, methods=["post"])
    def opinion(self, request, pk=None):
        """Turn the message into a public-opinion item (社情民意) through the proposals service
        (whoever may submit an item for the unit), with a reply. Audited."""
        message = self.get_object()
        d = validated(request, OpinionInputSerializer)
        return self._respond(services.message_to_opinion(actor=request.user, message=message, title=d["title"],
                                                         content=d["content"], reply=d["reply"]))
