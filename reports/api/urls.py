from django.urls import path

from .views import MetricListView, UnitDashboardView

urlpatterns = [
    path("reports/metrics/", MetricListView.as_view(), name="api-report-metrics"),
    path("reports/units/<int:pk>/", UnitDashboardView.as_view(), name="api-report-unit"),
]
