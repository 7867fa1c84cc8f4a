"""Admin: read-only views of the loop. Every change goes through the services (pages, API), so no
transition skips a guard or the audit trail from here."""

from django.contrib import admin

from .models import (
    Attachment,
    Evaluation,
    FollowUp,
    Instruction,
    Outcome,
    Participant,
    Research,
    Session,
    Suggestion,
    Topic,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ("title", "org_unit", "channel", "status", "is_public", "created_at")
    list_filter = ("status", "channel", "is_public")
    search_fields = ("title", "source_ref")
    list_select_related = ("org_unit",)


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ("topic", "scheduled_on", "form", "venue", "status")
    list_filter = ("status", "form")
    list_select_related = ("topic",)


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ("text", "topic", "route", "handling_unit", "deadline", "status", "ending")
    list_filter = ("status", "route", "ending")
    list_select_related = ("topic", "handling_unit")


for model in (Research, Participant, Outcome, Instruction, FollowUp, Evaluation, Attachment):
    admin.site.register(model, ReadOnlyAdmin)
