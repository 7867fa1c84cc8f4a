from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("bell/", views.bell, name="bell"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
    path("failures/", views.failures, name="failures"),
    path("failures/deliveries/<int:pk>/retry/", views.delivery_retry, name="delivery_retry"),
    path("failures/scans/<int:pk>/retry/", views.scan_retry, name="scan_retry"),
    path("<int:pk>/open/", views.open_notification, name="open"),
    path("<int:pk>/read/", views.mark_read, name="read"),
]
