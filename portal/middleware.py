"""Middleware: each user's own language, refusal of oversized or non-UTF-8 requests, and a clear
page (never the debug page) when a database error reaches a user."""

import json
import logging

from django.conf import settings
from django.db import DatabaseError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _


class UserLanguageMiddleware:
    """Chinese first: the interface is zh-hans unless the user chose English — saved on their
    account when signed in, else in the language cookie. The browser's Accept-Language is
    deliberately ignored (government PCs and test browsers often send en-US)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supported = dict(settings.LANGUAGES)
        user = getattr(request, "user", None)
        lang = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if lang not in supported:
            lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if lang not in supported:
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        patch_vary_headers(response, ("Cookie",))
        return response


class RequestSizeAndEncodingMiddleware:
    """Answer oversized bodies and undecodable query strings with a clear 400/413 page instead
    of a server error deep inside a view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(length)
        except ValueError:
            length = 0
        if length > settings.PORTAL_MAX_UPLOAD_BYTES + 1024 * 1024:
            return self._error(request, 413, _("The request is too large. Files may be at most %(mb)d MB.")
                               % {"mb": settings.PORTAL_MAX_UPLOAD_BYTES // (1024 * 1024)})
        raw_query = request.META.get("QUERY_STRING", "")
        try:
            raw_query.encode("latin-1").decode("utf-8")
        except (UnicodeDecodeError, UnicodeEncodeError):
            return self._error(request, 400, _("The address contains characters that are not valid UTF-8."))
        return self.get_response(request)

    @staticmethod
    def _error(request, status, message):
        if request.path.startswith("/api/"):
            return HttpResponse(json.dumps({"detail": message}, ensure_ascii=False), status=status,
                                content_type="application/json")
        html = render_to_string("portal/error.html", {"status": status, "message": message}, request=request)
        return HttpResponse(html, status=status)


log = logging.getLogger("portal.database")

# What SQLite (and PostgreSQL's lock timeouts) say when another writer holds the lock longer than
# the busy timeout: the request may simply be tried again.
BUSY_MARKERS = ("database is locked", "database table is locked", "database is busy",
                "lock timeout", "could not obtain lock")


def is_busy(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and any(m in str(exc).lower() for m in BUSY_MARKERS)


class DatabaseErrorMiddleware:
    """A database error that escapes a view becomes a translated page (JSON under /api/), in DEBUG
    too: "the system is busy, try again" (503, Retry-After) when the database was locked, the
    general error page (500) otherwise. The page is stand-alone (templates/500.html) because the
    database it would query for the navigation is the thing that failed. Transactions were
    already rolled back by ``atomic``; the error is logged with its traceback."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DatabaseError):
            return None
        if is_busy(exception):
            log.warning("database busy on %s %s: %s", request.method, request.path, exception)
            status, message = 503, _("The system is busy. Please try again in a moment.")
        else:
            log.error("database error on %s %s", request.method, request.path, exc_info=exception)
            status, message = 500, _("Something went wrong on our side. The error has been logged.")
        if request.path.startswith("/api/"):
            response = HttpResponse(json.dumps({"detail": str(message)}, ensure_ascii=False), status=status,
                                    content_type="application/json")
        else:
            response = HttpResponse(render_to_string("500.html", {"status": status, "message": message}),
                                    status=status)
        if status == 503:
            response["Retry-After"] = "5"
        return response
