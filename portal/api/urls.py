"""Version 1 of the API: each app contributes its routes in its own api/urls.py."""

from django.urls import include, path

urlpatterns = [
    path("", include("organizations.api.urls")),
]
