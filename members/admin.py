from django.contrib import admin

from .models import ChecklistItem, DutyRecord, Member, Notable, Posting, ScoringPlan, Workroom


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    raw_id_fields = ("org_unit",)
    exclude = ("org_path",)


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    list_display = ("name", "level", "org_unit", "sector", "work_unit", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("name", "work_unit", "expertise")
    raw_id_fields = ("user", "org_unit", "sector")
    filter_horizontal = ("committees",)
    inlines = [PostingInline]


@admin.register(DutyRecord)
class DutyRecordAdmin(admin.ModelAdmin):
    list_display = ("member", "kind", "occurred_on", "title", "status")
    list_filter = ("kind", "status")
    raw_id_fields = ("member", "org_unit", "activity_unit")
    search_fields = ("member__name", "title")


@admin.register(Workroom)
class WorkroomAdmin(admin.ModelAdmin):
    list_display = ("name", "org_unit", "kind", "lead_type", "status", "last_activity_on")
    list_filter = ("status", "kind", "lead_type")
    search_fields = ("name", "place")
    raw_id_fields = ("org_unit", "lead_member")
    filter_horizontal = ("members",)


@admin.register(ScoringPlan)
class ScoringPlanAdmin(admin.ModelAdmin):
    list_display = ("org_unit", "year", "annual_minimum")
    raw_id_fields = ("org_unit",)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ("label", "org_unit", "order", "is_active")
    raw_id_fields = ("org_unit",)


@admin.register(Notable)
class NotableAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "org_unit", "expertise", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("name", "expertise")
    raw_id_fields = ("org_unit",)
