from django.contrib import admin

from .models import ExportJob, MonthlyReportDelivery, ReportTemplate, UnitFact


@admin.register(UnitFact)
class UnitFactAdmin(admin.ModelAdmin):
    list_display = ["metric", "org_unit", "period_start", "period_end", "value", "computed_at"]
    list_filter = ["metric", "period_start"]
    list_select_related = ["org_unit"]
    raw_id_fields = ["org_unit"]


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "org_unit", "requested_by", "status", "progress", "total", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["org_unit", "requested_by"]
    raw_id_fields = ["org_unit", "requested_by"]


@admin.register(ReportTemplate)
class ReportTemplateAdmin(admin.ModelAdmin):
    list_display = ["org_unit", "file", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["org_unit", "uploaded_by"]


@admin.register(MonthlyReportDelivery)
class MonthlyReportDeliveryAdmin(admin.ModelAdmin):
    list_display = ["org_unit", "month", "recipients", "sent_at"]
    raw_id_fields = ["org_unit"]
