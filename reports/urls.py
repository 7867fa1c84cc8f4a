from django.urls import path

from . import cockpit_views, views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("unit/<int:pk>/", views.unit_dashboard, name="unit"),
    path("unit/<int:pk>/records/<str:key>/", views.records, name="records"),
    path("unit/<int:pk>/export/", views.export_create, name="export_create"),
    path("unit/<int:pk>/template/", views.template_edit, name="template"),
    path("unit/<int:pk>/template/download/", views.template_download, name="template_download"),
    path("cockpit/", cockpit_views.cockpit_index, name="cockpit_index"),
    path("cockpit/<int:pk>/", cockpit_views.cockpit_page, name="cockpit"),
    path("cockpit/<int:pk>/data/", cockpit_views.cockpit_data, name="cockpit_data"),
    path("exports/", views.export_list, name="exports"),
    path("exports/<int:pk>/", views.export_status, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
