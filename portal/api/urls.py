"""Version 1 of the API: each app contributes its routes in its own api/urls.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("organizations.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("members.api.urls")),
    path("", include("consultations.api.urls")),
    path("", include("proposals.api.urls")),
    path("", include("hall.api.urls")),
    path("", include("reports.api.urls")),
]
