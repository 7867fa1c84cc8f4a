from django.urls import path

from . import similar_views, views

app_name = "proposals"

urlpatterns = [
    path("", views.index, name="index"),
    path("all/", views.proposal_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("review/", views.review, name="review"),
    path("inbox/", views.inbox, name="inbox"),
    path("supervision/", views.supervision, name="supervision"),
    path("new/", views.create, name="create"),
    path("enter/", views.enter_on_behalf, name="enter"),
    path("similar/", similar_views.similar_proposals, name="similar"),
    path("opinions/similar/", similar_views.similar_opinions, name="opinion_similar"),
    path("export/registered.docx", views.export_registered, name="export_registered"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/do/<slug:action>/", views.act, name="act"),
    path("assignments/<int:pk>/<slug:action>/", views.assignment_act, name="assignment_act"),
    path("replies/<int:pk>/letter.docx", views.export_reply, name="export_reply"),
    path("replies/<int:pk>/signed-letter/", views.reply_letter_file, name="reply_letter_file"),
    path("attachments/<int:pk>/", views.attachment_file, name="attachment_file"),
    path("opinions/", views.opinions, name="opinions"),
    path("opinions/new/", views.opinion_create, name="opinion_create"),
    path("opinions/compile/<int:unit_pk>/", views.bulletin_compile, name="bulletin_compile"),
    path("opinions/bulletins/<int:pk>/issue.docx", views.export_bulletin, name="export_bulletin"),
    path("opinions/<int:pk>/", views.opinion_detail, name="opinion"),
    path("opinions/<int:pk>/<slug:action>/", views.opinion_act, name="opinion_act"),
    path("evaluations/", views.evaluations, name="evaluations"),
    path("evaluations/new/", views.evaluation_create, name="evaluation_create"),
    path("evaluations/score/", views.evaluation_score, name="evaluation_score"),
    path("evaluations/score-proposal/", views.evaluation_score_proposal, name="evaluation_score_proposal"),
    path("evaluations/rectify/", views.evaluation_rectify, name="evaluation_rectify"),
    path("evaluations/<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("evaluations/<int:pk>/close/", views.evaluation_close, name="evaluation_close"),
    path("evaluations/<int:pk>/report.docx", views.export_evaluation, name="export_evaluation"),
]
