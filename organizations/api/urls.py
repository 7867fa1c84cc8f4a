from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import MeView, OrgUnitViewSet

router = SimpleRouter()
router.register("org-units", OrgUnitViewSet, basename="orgunit")

urlpatterns = [path("me/", MeView.as_view(), name="api-me"), *router.urls]
