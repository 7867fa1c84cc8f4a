"""The two-factor pages: enrol an authenticator app, enter the code after the password, and the
user's own status page with new backup codes. Logic in portal/accounts/two_factor.py."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout, user_login_failed
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from portal.audit import audit_log
from portal.forms import BootstrapFormMixin

from . import two_factor
from .signals import client_ip


class CodeForm(BootstrapFormMixin, forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"), max_length=32, strip=True,
        help_text=gettext_lazy("The 6 digits your authenticator app shows now, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
                                      "spellcheck": "false"}))


def _next_url(request) -> str:
    target = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _locked_out(request, user):
    """django-axes' lockout for this user name + address (wrong passwords and wrong codes)."""
    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_lockout_response

    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        logout(request)
        return get_lockout_response(request, credentials)
    return None


def _failed(request, user):
    """A wrong code: a failed login for axes (lockout) and for the audit trail. Returns axes'
    lockout page (the session is ended) when this failure reached the limit."""
    from axes.helpers import get_lockout_response

    credentials = {"username": user.get_username(), "two_factor": True}
    user_login_failed.send(sender=__name__, request=request, credentials=credentials)
    if getattr(request, "axes_locked_out", False):
        logout(request)
        return get_lockout_response(request, credentials)
    return None


def _backup_codes_page(request, codes, *, first: bool):
    response = render(request, "registration/two_factor_backup_codes.html",
                      {"codes": codes, "first": first, "next": _next_url(request)})
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if not two_factor.has_device(user):
        return redirect("two_factor_enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        locked = _locked_out(request, user)
        if locked is not None:
            return locked
        if form.is_valid():
            device = two_factor.check_code(user, form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                two_factor.reset_failures(request, user)
                backup = device.name == two_factor.BACKUP_NAME
                audit_log(actor=user, action="user.two_factor_passed", target=user,
                          after={"username": user.get_username(), "ip": client_ip(request),
                                 "backup_code": backup})
                if backup:
                    messages.warning(request, _("You logged in with a backup code; it cannot be used again. "
                                                "%(count)d backup codes are left.")
                                     % {"count": two_factor.backup_codes_left(user)})
                return redirect(_next_url(request))
            locked = _failed(request, user)
            if locked is not None:
                return locked
            form.add_error("code", _("The code is wrong or has expired. Enter the code your app shows now."))
    return render(request, "registration/two_factor_verify.html",
                  {"form": form, "next": request.GET.get(REDIRECT_FIELD_NAME, "")})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enrol(request):
    user = request.user
    if two_factor.has_device(user):
        # Replacing a device needs the old one (or an office's reset): never with the password alone.
        return redirect("two_factor" if user.is_verified() else "two_factor_verify")
    if not two_factor.is_required(user):
        # Only where a unit requires it: a device nobody asks for would give a false sense of security.
        return redirect("two_factor")
    device = two_factor.enrolment_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        locked = _locked_out(request, user)
        if locked is not None:
            return locked
        if form.is_valid():
            if device.verify_token(two_factor.normalize(form.cleaned_data["code"])):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                two_factor.reset_failures(request, user)
                codes = two_factor.backup_codes_new(user)
                audit_log(actor=user, action="user.two_factor_enrol", target=user,
                          after={"username": user.get_username(), "ip": client_ip(request)})
                return _backup_codes_page(request, codes, first=True)
            locked = _failed(request, user)
            if locked is not None:
                return locked
            form.add_error("code", _("The code is wrong or has expired. Enter the code your app shows now."))
    return render(request, "registration/two_factor_enrol.html", {
        "form": form,
        # segno draws the SVG from the otpauth:// address alone (no user text inside): safe to inline.
        "qr": mark_safe(two_factor.qr_svg(device)),  # noqa: S308
        "secret": two_factor.secret_text(device),
        "issuer": getattr(settings, "OTP_TOTP_ISSUER", ""),
        "next": request.GET.get(REDIRECT_FIELD_NAME, ""),
    })


@never_cache
@login_required
@require_http_methods(["GET"])
def status(request):
    user = request.user
    return render(request, "registration/two_factor.html", {
        "required": two_factor.is_required(user),
        "enrolled": two_factor.has_device(user),
        "verified": user.is_verified(),
        "backup_left": two_factor.backup_codes_left(user),
    })


@never_cache
@login_required
@require_POST
def backup_codes(request):
    """New backup codes (the old ones stop working), shown once."""
    user = request.user
    if not (two_factor.has_device(user) and user.is_verified()):
        messages.error(request, _("Set up two-factor login first."))
        return redirect("two_factor")
    codes = two_factor.backup_codes_new(user)
    audit_log(actor=user, action="user.two_factor_backup_codes", target=user,
              after={"username": user.get_username(), "ip": client_ip(request)})
    return _backup_codes_page(request, codes, first=False)
