from django.contrib import admin

from .models import Assignment, Bulletin, EvaluationRound, OpinionItem, Proposal


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["unit", "role", "status", "due_on"]
    raw_id_fields = ["unit"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """Read-mostly: changes go through the pages and services so they are audited."""

    list_display = ["title", "status", "number", "org_unit", "proposer", "is_key"]
    list_filter = ["status", "category", "is_key"]
    search_fields = ["title", "proposer__name"]
    raw_id_fields = ["proposer", "submitted_by", "org_unit", "merged_into", "supervising_leader", "body"]
    inlines = [AssignmentInline]


@admin.register(OpinionItem)
class OpinionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "org_unit", "bulletin"]
    list_filter = ["status"]
    search_fields = ["title"]
    raw_id_fields = ["org_unit", "member", "submitter", "bulletin", "from_proposal"]


@admin.register(Bulletin)
class BulletinAdmin(admin.ModelAdmin):
    list_display = ["__str__", "org_unit", "published_on"]
    raw_id_fields = ["org_unit"]


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "org_unit", "status"]
    raw_id_fields = ["org_unit"]
