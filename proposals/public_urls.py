from django.urls import path

from . import public_views

app_name = "proposals_public"

# Public (no login): published proposals and their replies only.
urlpatterns = [
    path("", public_views.search, name="search"),
    path("<int:pk>/", public_views.detail, name="detail"),
]
