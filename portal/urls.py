from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from . import views
from .accounts import views as account_views
from .forms import PortalAuthenticationForm, PortalPasswordChangeForm

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=PortalAuthenticationForm),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(form_class=PortalPasswordChangeForm),
         name="password_change"),
    path("accounts/two-factor/", account_views.status, name="two_factor"),
    path("accounts/two-factor/enrol/", account_views.enrol, name="two_factor_enrol"),
    path("accounts/two-factor/verify/", account_views.verify, name="two_factor_verify"),
    path("accounts/two-factor/backup-codes/", account_views.backup_codes, name="two_factor_backup_codes"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("org/", include("organizations.urls")),
    path("members/", include("members.urls")),
    path("consultations/", include("consultations.urls")),
    path("proposals/", include("proposals.urls")),
    path("hall/", include("hall.urls")),
    path("public/proposals/", include("proposals.public_urls")),
    path("reports/", include("reports.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
    # Anything else under /api/ is a JSON 404, in development (DEBUG) too, where Django would
    # otherwise answer with its HTML debug page. Paths without the final slash are first
    # redirected by APPEND_SLASH, as before.
    re_path(r"^api/(?:.*/)?$", views.api_not_found),
]

# No /media/ route, not even in development: every stored file is private and handed out by a
# view that checks the caller's scope (portal/files.py). Public hall photos have their own view.

handler400 = "portal.views.error_400"
handler403 = "portal.views.error_403"
handler404 = "portal.views.error_404"
handler500 = "portal.views.error_500"
