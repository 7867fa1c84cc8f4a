from django.urls import path

from . import views

app_name = "organizations"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("search/", views.search, name="search"),
    path("users/", views.user_list, name="users"),
    path("users/<int:user_id>/two-factor-reset/", views.two_factor_reset, name="two-factor-reset"),
    path("<int:pk>/", views.unit_detail, name="unit"),
    path("<int:pk>/children/", views.tree_children, name="children"),
    path("<int:pk>/edit/", views.unit_edit, name="edit"),
    path("<int:pk>/move/", views.unit_move, name="move"),
    path("<int:pk>/people/", views.person_add, name="person-add"),
    path("<int:pk>/two-factor/", views.two_factor_setting, name="two-factor"),
    path("<int:pk>/roles/<int:assignment_id>/revoke/", views.role_revoke, name="role-revoke"),
]
