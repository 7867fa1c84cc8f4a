from rest_framework.routers import SimpleRouter

from .views import (
    FollowUpViewSet,
    OutcomeViewSet,
    ResearchViewSet,
    SessionViewSet,
    SuggestionViewSet,
    TopicViewSet,
)

router = SimpleRouter()
router.register("consultation-topics", TopicViewSet, basename="consultation-topic")
router.register("consultation-sessions", SessionViewSet, basename="consultation-session")
router.register("consultation-suggestions", SuggestionViewSet, basename="consultation-suggestion")
router.register("consultation-research", ResearchViewSet, basename="consultation-research")
router.register("consultation-outcomes", OutcomeViewSet, basename="consultation-outcome")
router.register("consultation-follow-ups", FollowUpViewSet, basename="consultation-followup")

urlpatterns = router.urls
