from django.contrib import admin

from .models import Comment, LiveQuestion, LiveSession, OnlineConsultation, Question, Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["title", "org_unit", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "tracking_code"]
    raw_id_fields = ["org_unit", "submitter", "screened_by"]
    readonly_fields = ["tracking_code"]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0


@admin.register(OnlineConsultation)
class OnlineConsultationAdmin(admin.ModelAdmin):
    list_display = ["title", "org_unit", "status", "opens_at", "closes_at", "view_count"]
    list_filter = ["status"]
    raw_id_fields = ["org_unit", "created_by"]
    inlines = [QuestionInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["author_label", "kind", "status", "consultation", "created_at"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["consultation", "reply_to", "author"]


class LiveQuestionInline(admin.TabularInline):
    model = LiveQuestion
    extra = 0
    raw_id_fields = ["asker"]


@admin.register(LiveSession)
class LiveSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "org_unit", "status", "starts_at", "view_count", "participant_count"]
    raw_id_fields = ["org_unit"]
    inlines = [LiveQuestionInline]
