from django.contrib import admin

from .models import DutyRecord, Member, Posting


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
