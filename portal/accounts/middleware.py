"""Authentication through the cross-request cache (`AuthenticationMiddleware`, see
portal/accounts/authcache.py), and the idle session timeout: a signed-in user who sends no
request for settings.SESSION_IDLE_TIMEOUT_SECONDS is logged out and sent to the login page with a message.

Sliding: every request counts as activity. To keep it cheap, the time of the last activity is
written to the session at most once a minute (TOUCH_SECONDS), so a page that loads many
fragments does not write the session row each time. 0 turns the timeout off."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.middleware import AuthenticationMiddleware as _DjangoAuthenticationMiddleware
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from . import authcache

SESSION_KEY = "_portal_last_activity"
TOUCH_SECONDS = 60


class IdleSessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = int(getattr(settings, "SESSION_IDLE_TIMEOUT_SECONDS", 0) or 0)
        user = getattr(request, "user", None)
        if timeout <= 0 or user is None or not user.is_authenticated or not hasattr(request, "session"):
            return self.get_response(request)
        now = int(time.time())
        last = request.session.get(SESSION_KEY)
        if isinstance(last, int) and now - last > timeout:
            return self._expired(request, timeout)
        if not isinstance(last, int) or now - last >= TOUCH_SECONDS:
            request.session[SESSION_KEY] = now
        return self.get_response(request)

    def _expired(self, request, timeout):
        request.portal_idle_timeout = True  # the logout is audited as a timeout (accounts.signals)
        logout(request)
        if request.path.startswith("/api/"):
            # The API answers an anonymous caller with its own JSON 401/403.
            return self.get_response(request)
        minutes = max(1, timeout // 60)
        messages.warning(request, _("You were logged out after %(minutes)d minutes without activity. "
                                    "Please log in again.") % {"minutes": minutes})
        if getattr(request, "htmx", False):
            target = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
            return HttpResponseClientRedirect(target)
        return redirect_to_login(request.get_full_path())


class AuthenticationMiddleware(_DjangoAuthenticationMiddleware):
    """Django's, reading request.user through `portal.accounts.authcache` when it is on (a shared
    cache): a steady request finds the user, their roles and their two-factor requirement in the
    entry its session read brought along."""

    def process_request(self, request):
        super().process_request(request)
        if authcache.enabled():
            request.user = SimpleLazyObject(lambda: _user(request))


def _user(request):
    if not hasattr(request, "_cached_user"):
        request._cached_user = authcache.get_user(request)
    return request._cached_user
