"""Version 1 of the API: each app contributes its routes in its own api/urls.py.

The apps' routes are joined into one flat list (same order, same names) rather than included
one after another under an empty prefix: a request for the last app's routes would otherwise
fail through every earlier app's URL list first, building Django's list of tried patterns each
time."""

from django.urls import include

APPS = ("organizations", "notifications", "members", "consultations", "proposals", "hall", "reports")

urlpatterns = [pattern for app in APPS for pattern in include(f"{app}.api.urls")[0].urlpatterns]
