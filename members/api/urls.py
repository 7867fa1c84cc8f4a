from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import DutyRecordViewSet, MemberViewSet, PostingViewSet, RankingView, WorkroomViewSet

router = SimpleRouter()
router.register("members", MemberViewSet, basename="member")
router.register("postings", PostingViewSet, basename="posting")
router.register("duty-records", DutyRecordViewSet, basename="dutyrecord")
router.register("workrooms", WorkroomViewSet, basename="workroom")

urlpatterns = [path("members-ranking/", RankingView.as_view(), name="api-members-ranking"), *router.urls]
