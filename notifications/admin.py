from django.contrib import admin

from .models import Delivery, Notification, Preference, ScanRun


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    readonly_fields = ("channel", "status", "attempts", "next_attempt_at", "sent_at", "last_error", "provider_id",
                       "report", "report_code", "reported_at")
    can_delete = False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("subject", "kind", "recipient", "state", "created_at", "read_at")
    list_filter = ("state", "kind")
    search_fields = ("subject", "key", "recipient__username")
    raw_id_fields = ("recipient", "digest")
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("notification", "channel", "status", "attempts", "next_attempt_at", "sent_at", "report")
    list_filter = ("status", "channel", "report")
    search_fields = ("provider_id",)
    raw_id_fields = ("notification",)


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "mode")
    list_filter = ("mode",)
    raw_id_fields = ("user",)


@admin.register(ScanRun)
class ScanRunAdmin(admin.ModelAdmin):
    list_display = ("kind", "day", "status", "attempts", "seen", "created", "started_at", "finished_at")
    list_filter = ("status", "kind")
