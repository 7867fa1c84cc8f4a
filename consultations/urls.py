from django.urls import path

from . import views

app_name = "consultations"
urlpatterns = [
    path("", views.topic_list, name="topics"),
    path("topics/new/", views.topic_create, name="topic_create"),
    path("topics/<int:pk>/", views.topic_detail, name="topic"),
    path("topics/<int:pk>/edit/", views.topic_edit, name="topic_edit"),
    path("topics/<int:pk>/submit/", views.topic_submit, name="topic_submit"),
    path("topics/<int:pk>/approve/", views.topic_approve, name="topic_approve"),
    path("topics/<int:pk>/reject/", views.topic_reject, name="topic_reject"),
    path("topics/<int:pk>/publish/", views.topic_publish, name="topic_publish"),
    path("topics/<int:pk>/research/", views.research_add, name="research_add"),
    path("topics/<int:pk>/waive-research/", views.research_waive, name="research_waive"),
    path("topics/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("topics/<int:pk>/outcome/", views.outcome_edit, name="outcome"),
    path("topics/<int:pk>/suggestions/new/", views.suggestion_add, name="suggestion_add"),
    path("topics/<int:pk>/instructions/new/", views.instruction_add, name="instruction_add"),
    path("topics/<int:pk>/close/", views.topic_close, name="topic_close"),
    path("topics/<int:pk>/evaluate/", views.evaluation_add, name="evaluation_add"),
    path("topics/<int:pk>/evidence/", views.attachment_add, name="attachment_add"),
    path("evidence/<int:pk>/", views.attachment_download, name="attachment"),
    path("evidence/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/invite/", views.session_invite, name="session_invite"),
    path("sessions/<int:pk>/hold/", views.session_hold, name="session_hold"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("participants/<int:pk>/remove/", views.participant_remove, name="participant_remove"),
    path("suggestions/<int:pk>/", views.suggestion_detail, name="suggestion"),
    path("follow-ups/<int:pk>/", views.followup_record, name="followup"),
    path("approvals/", views.approvals, name="approvals"),
    path("plan/", views.plan, name="plan"),
    path("my-sessions/", views.my_sessions, name="my_sessions"),
    path("my-sessions/<int:pk>/respond/", views.invitation_respond, name="invitation_respond"),
    path("handling/", views.handling, name="handling"),
]
