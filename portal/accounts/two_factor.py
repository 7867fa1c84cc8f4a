"""Two-factor login (TOTP, django-otp) where a unit requires it. See docs/accounts.md.

Who must use it is not infrastructure's knowledge: the `organizations` app registers the answer
(``register_requirement``; a user holding a staff role in a unit whose setting
``accounts.require_two_factor`` is on, for that unit or an ancestor). For such a user:

- after the password, every page but the two-factor pages, logout and the language switch sends
  them to enter the 6-digit code of their authenticator app (or a backup code), or, without a
  device yet, to enrol one (a QR code, confirmed with a first code); ``/api/`` answers a JSON 403
  to their session, so the API is no way around it;
- the session is marked verified by django-otp (``otp_device_id`` in the session; nothing else is
  remembered: no "trust this browser" cookie, no secret in the session);
- a wrong code counts as a failed login for django-axes (the same user name + address lockout as
  a wrong password) and is audited (``user.two_factor_failed``); the count is reset only when the
  code was right, never by the password alone (settings.AXES_RESET_ON_SUCCESS is off, the portal
  resets it in ``reset_failures``);
- backup codes are shown once when made; only a keyed hash of each is stored (django-otp's
  StaticToken), so the database alone does not reveal them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from base64 import b32encode
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import Resolver404, resolve
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

_CACHE_ATTR = "_portal_two_factor_required"
_requirements: list[Callable[[object], bool]] = []

# Pages a user who still owes the second factor may reach.
EXEMPT_URL_NAMES = {"two_factor_enrol", "two_factor_verify", "logout", "login", "set_language", "health"}
TOTP_NAME = "authenticator"
BACKUP_NAME = "backup"


def register_requirement(func: Callable[[object], bool]) -> None:
    """`func(user) -> bool`: whether this user must log in with a second factor."""
    if func not in _requirements:
        _requirements.append(func)


def is_required(user) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = any(func(user) for func in _requirements)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget(user) -> None:
    """Drop the cached answer (after a setting or a role changed within the request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


# --- Devices ------------------------------------------------------------------------------------

def totp_device(user, *, confirmed: bool = True):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("pk").first()


def has_device(user) -> bool:
    return totp_device(user) is not None


def enrolment_device(user):
    """The unconfirmed device being enrolled (the QR code stays the same on a reload)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def secret_text(device) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def qr_svg(device) -> str:
    import io

    import segno

    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(buffer, kind="svg", scale=5, border=2, xmldecl=False,
                                                  svgns=True)
    return buffer.getvalue().decode()


def normalize(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()[:16]


def _digest(code: str) -> str:
    """The stored form of a backup code: a keyed hash (16 hex digits, StaticToken's width)."""
    return hmac.new(settings.SECRET_KEY.encode(), f"backup:{code}".encode(), hashlib.sha256).hexdigest()[:16]


def backup_codes_new(user) -> list[str]:
    """Replace the user's backup codes; returns the new ones (the only time they are seen)."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    count = int(getattr(settings, "TWO_FACTOR_BACKUP_CODES", 10))
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    codes = ["".join(secrets.choice(alphabet) for _ in range(10)) for _ in range(count)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=_digest(c)) for c in codes)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def backup_codes_left(user) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def check_code(user, code: str):
    """The device that accepts `code` (the authenticator's 6 digits, or an unused backup code,
    which is then used up), or None. Throttled devices (django-otp's back-off) accept nothing."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    code = normalize(code)
    if not code:
        return None
    with transaction.atomic():
        if code.isdigit() and len(code) == 6:
            device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
            if device is not None and device.verify_token(code):
                return device
            return None
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is not None and device.verify_token(_digest(code)):
            return device
    return None


def devices_delete(user) -> int:
    """Remove every two-factor device of the user (an office's reset); returns how many."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    removed = TOTPDevice.objects.filter(user=user).delete()[1].get("otp_totp.TOTPDevice", 0)
    removed += StaticDevice.objects.filter(user=user).delete()[1].get("otp_static.StaticDevice", 0)
    return removed


# --- Lockout (django-axes) ----------------------------------------------------------------------

def reset_failures(request, user) -> None:
    """The login is complete: forget the failures of this user name from this address."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_client_ip_address

    AxesProxyHandler.reset_attempts(username=user.get_username(), ip_address=get_client_ip_address(request))


# --- Enforcement -----------------------------------------------------------------------------

def _url_name(request) -> str | None:
    try:
        return resolve(request.path_info).url_name
    except Resolver404:
        return None


class TwoFactorMiddleware:
    """Sends a user who owes the second factor to the code (or enrolment) page. After
    django_otp's OTPMiddleware (which marks the verified session) and HtmxMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (user is None or not user.is_authenticated or user.is_verified() or not is_required(user)
                or _url_name(request) in EXEMPT_URL_NAMES):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("Two-factor login is required: enter the code of your "
                                             "authenticator app on the login page first.")}, status=403)
        page = "two_factor_verify" if has_device(user) else "two_factor_enrol"
        target = resolve_url(page)
        if request.method == "GET" and not getattr(request, "htmx", False):
            target = f"{target}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return redirect(target)
