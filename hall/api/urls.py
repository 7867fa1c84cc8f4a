from django.urls import path

from .views import CommentAdoptionView

urlpatterns = [
    path("hall/comments/<int:pk>/adoption/", CommentAdoptionView.as_view(), name="hall-comment-adoption"),
]
