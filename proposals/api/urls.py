from rest_framework.routers import SimpleRouter

from .views import AssignmentViewSet, OpinionItemViewSet, ProposalViewSet

router = SimpleRouter()
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("proposal-assignments", AssignmentViewSet, basename="proposal-assignment")
router.register("opinion-items", OpinionItemViewSet, basename="opinion-item")

urlpatterns = router.urls
