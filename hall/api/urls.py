from django.urls import path
from rest_framework.routers import SimpleRouter

from .codes import CodeMessageViewSet, ContactCodeViewSet
from .views import CommentAdoptionView

router = SimpleRouter()
router.register("contact-codes", ContactCodeViewSet, basename="contact-code")
router.register("code-messages", CodeMessageViewSet, basename="code-message")

urlpatterns = [
    path("hall/comments/<int:pk>/adoption/", CommentAdoptionView.as_view(), name="hall-comment-adoption"),
    *router.urls,
]
