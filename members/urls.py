from django.urls import path

from . import views

app_name = "members"
urlpatterns = [
    path("", views.member_list, name="list"),
    path("new/", views.member_create, name="create"),
    path("import/", views.member_import, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/postings/", views.posting_add, name="posting_add"),
    path("<int:pk>/duties/new/", views.duty_add_for, name="duty_add_for"),
    path("<int:pk>/report.docx", views.member_report, name="report"),
    path("postings/<int:pk>/end/", views.posting_end, name="posting_end"),
    path("me/", views.my_duties, name="me"),
    path("me/new/", views.my_duty_add, name="me_add"),
    path("duties/review/", views.review_queue, name="review"),
    path("duties/<int:pk>/review/", views.duty_review, name="duty_review"),
    path("duties/<int:pk>/cancel/", views.duty_cancel, name="duty_cancel"),
    path("duties/<int:pk>/evidence/", views.duty_evidence, name="duty_evidence"),
    path("ranking/", views.ranking, name="ranking"),
    path("ranking/export.xlsx", views.ranking_export, name="ranking_export"),
    path("scoring/", views.scoring_plan, name="scoring"),
    path("workrooms/", views.workroom_list, name="workrooms"),
    path("workrooms/new/", views.workroom_edit, name="workroom_create"),
    path("workrooms/checklist/", views.checklist, name="checklist"),
    path("workrooms/<int:pk>/", views.workroom_detail, name="workroom"),
    path("workrooms/<int:pk>/edit/", views.workroom_edit, name="workroom_edit"),
    path("workrooms/<int:pk>/activities/", views.workroom_activity, name="workroom_activity"),
    path("workrooms/<int:pk>/evidence/", views.workroom_evidence, name="workroom_evidence"),
    path("workrooms/<int:pk>/<slug:action>/", views.workroom_action, name="workroom_action"),
    path("pools/draw/", views.pool_draw, name="pool_draw"),
]
