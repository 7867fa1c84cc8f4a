from django.urls import path

from . import views
from .codes import views as code_views

app_name = "hall"

# Everything outside manage/ is public and shows published records only.
urlpatterns = [
    path("", views.index, name="index"),
    path("place/<int:pk>/", views.place_detail, name="place"),
    path("place/<int:pk>/submit/", views.submit, name="submit"),
    path("submitted/<str:code>/", views.submitted, name="submitted"),
    path("track/", views.track, name="track"),
    path("track/<str:code>/", views.track_detail, name="track_detail"),
    path("track/<str:code>/photo/<int:pk>/", views.track_photo, name="track_photo"),
    path("c/<int:pk>/", views.consultation_detail, name="consultation"),
    path("c/<int:pk>/comment/", views.comment_add, name="comment"),
    path("c/<int:pk>/questionnaire/", views.questionnaire_answer, name="questionnaire"),
    path("c/<int:pk>/rate/", views.rating_add, name="rate"),
    path("comment/<int:pk>/support/", views.support_add, name="support"),
    path("comment/<int:pk>/report/", views.report_add, name="report"),
    path("topic/<int:pk>/", views.topic_detail, name="topic"),
    path("topic/<int:pk>/rate/", views.topic_rate, name="topic_rate"),
    path("live/<int:pk>/", views.live_detail, name="live"),
    path("live/<int:pk>/questions/", views.live_questions, name="live_questions"),
    path("account/signup/", views.signup, name="signup"),
    path("account/", views.my_submissions, name="my"),
    # Member and workroom codes (委员码 / 工作室码): the resident's form is public …
    path("to/<str:slug>/", code_views.write, name="code_write"),
    path("to-sent/<str:code>/", code_views.sent, name="code_sent"),
    # … the inbox and the codes need a login (addressee or staff over the unit).
    path("letters/", code_views.inbox, name="code_inbox"),
    path("letters/<int:pk>/", code_views.message_detail, name="code_message"),
    path("codes/<slug:kind>/<int:pk>/", code_views.code_print, name="code_print"),
    path("codes/<slug:kind>/<int:pk>/qr.svg", code_views.code_qr, name="code_qr"),
    # Staff only (login + secretary / office clerk, scoped to their subtree).
    path("manage/", views.manage_queue, name="manage"),
    path("manage/submission/<int:pk>/", views.manage_submission, name="manage_submission"),
    path("manage/submission/<int:pk>/photo/<int:photo>/", views.manage_photo, name="manage_photo"),
    path("manage/moderation/", views.manage_moderation, name="manage_moderation"),
    path("manage/comment/<int:pk>/", views.manage_comment, name="manage_comment"),
    path("manage/comment/<int:pk>/adoption/", views.manage_comment_adoption, name="manage_comment_adoption"),
    path("manage/consultations/", views.manage_consultations, name="manage_consultations"),
    path("manage/consultation/<int:pk>/", views.manage_consultation, name="manage_consultation"),
    path("manage/live/new/", views.manage_live_new, name="manage_live_new"),
    path("manage/live/<int:pk>/", views.manage_live, name="manage_live"),
]
