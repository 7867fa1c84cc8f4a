"""Views of the shell: home, health, language, error pages."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .health import health_report
from .identity import home_context, roles_of

HOME_PANELS: list = []  # callables (request) -> dict | None, registered by apps
LANDINGS: dict[str, str] = {}  # role code -> URL name, for roles whose work is not on the home page


def register_home_panel(func):
    """Apps add a panel to the home page: a function returning {"template": …, …} or None."""
    HOME_PANELS.append(func)
    return func


def register_landing(role: str, url_name: str) -> None:
    """A user who has only roles with a landing (a resident: the online hall) is sent there from
    the home page instead of a page of role cards."""
    LANDINGS[role] = url_name


@login_required
def home(request):
    roles = roles_of(request.user)
    if roles and not request.user.is_superuser and all(r in LANDINGS for r in roles):
        return redirect(LANDINGS[sorted(roles)[0]])
    # Each panel says how urgent it is for this user ("order", lower first): work before information.
    panels = sorted((p for p in (panel(request) for panel in HOME_PANELS) if p), key=lambda p: p.get("order", 50))
    return render(request, "portal/home.html", {**home_context(request.user), "panels": panels})


@never_cache
def health(request):
    report = health_report()
    if request.GET.get("format") == "html" or "text/html" in request.headers.get("Accept", ""):
        return render(request, "portal/health.html", {"report": report}, status=200 if report["ok"] else 503)
    return JsonResponse(report, status=200 if report["ok"] else 503)


@require_POST
def set_language(request):
    """Switch the interface language; signed-in users keep it on their account."""
    lang = request.POST.get("language", "")
    if lang not in dict(settings.LANGUAGES):
        messages.error(request, _("Unknown language."))
        lang = settings.LANGUAGE_CODE
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        nxt = "/"
    if request.user.is_authenticated and request.user.language != lang:
        request.user.language = lang
        request.user.save(update_fields=["language"])
    translation.activate(lang)
    response = HttpResponseRedirect(nxt)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, lang, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True)
    return response


def _api_error(request, status, message):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status, json_dumps_params={"ensure_ascii": False})
    return None


def error_404(request, exception=None):
    api = _api_error(request, 404, _("Not found."))
    if api:
        return api
    return render(request, "portal/error.html", {"status": 404, "message": _("This page does not exist, or you may not see it.")}, status=404)


@csrf_exempt
def api_not_found(request):
    return _api_error(request, 404, _("Not found."))


def error_403(request, exception=None):
    """The "not allowed" page (the refusal policy's 403: the user may see the record, not act on
    it). A service's refusal (`portal.actions`) passes its message on, e.g. "Only the proposer may
    withdraw"; a bare `PermissionDenied` shows the general one. An htmx write (a button swapped in
    place) cannot show a page: the message is kept for the next page and the page reloads
    (`HX-Refresh`), as after any other htmx step (members' review queue)."""
    detail = str(exception.args[0]) if exception is not None and exception.args and exception.args[0] else ""
    message = detail or _("You are not allowed to do this.")
    api = _api_error(request, 403, message)
    if api:
        return api
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    response = render(request, "portal/error.html", {"status": 403, "title": _("Not allowed"), "message": message,
                                                     "back": back}, status=403)
    if getattr(request, "htmx", False) and request.method != "GET":
        messages.error(request, message, fail_silently=True)
        response["HX-Refresh"] = "true"
    return response


def error_400(request, exception=None):
    api = _api_error(request, 400, _("The request was not understood."))
    if api:
        return api
    return render(request, "portal/error.html", {"status": 400, "message": _("The request was not understood.")}, status=400)


def error_500(request):
    api = _api_error(request, 500, _("Something went wrong on our side. The error has been logged."))
    if api:
        return api
    return render(request, "portal/error.html", {"status": 500, "message": _("Something went wrong on our side. The error has been logged.")}, status=500)


def csrf_failure(request, reason=""):
    api = _api_error(request, 403, _("Your form expired or came from another site. Reload the page and try again."))
    if api:
        return api
    return render(request, "portal/error.html", {"status": 403, "message": _("Your form expired or came from another site. Reload the page and try again.")}, status=403)
