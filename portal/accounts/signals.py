"""Logins, logouts and failed logins go to the audit trail (portal.audit).

Lockout after repeated failures is django-axes' job (settings.AXES_*); this only records. The
password is never recorded: Django hands the signal cleansed credentials, and we keep only the
user name that was tried and the client address."""

from django.contrib.auth import get_user_model, user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from portal.audit import audit_log

from . import two_factor

LABELS = {
    "user.login": _("Logged in"),
    "user.logout": _("Logged out"),
    "user.login_failed": _("Failed login"),
    "user.session_expired": _("Logged out after inactivity"),
    "user.two_factor_failed": _("Wrong two-factor code"),
    "user.two_factor_passed": _("Two-factor code accepted"),
    "user.two_factor_enrol": _("Two-factor login set up"),
    "user.two_factor_backup_codes": _("New backup codes made"),
}


def client_ip(request) -> str:
    # Behind the production proxy REMOTE_ADDR is the client's (gunicorn's forwarded-allow-ips);
    # a client-sent X-Forwarded-For is never trusted.
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "") or ""


@receiver(user_logged_in, dispatch_uid="portal.accounts.login")
def audit_login(sender, request, user, **kwargs):
    audit_log(actor=user, action="user.login", target=user,
              after={"username": user.get_username(), "ip": client_ip(request)})
    # The login is complete with the password alone unless a second factor is owed: only then
    # are the failures forgotten (axes' own reset is off; see two_factor.reset_failures).
    if request is not None and not two_factor.is_required(user):
        two_factor.reset_failures(request, user)


@receiver(user_logged_out, dispatch_uid="portal.accounts.logout")
def audit_logout(sender, request, user, **kwargs):
    if user is None or not getattr(user, "pk", None):
        return  # logging out without a session: nothing happened
    # The idle timeout (accounts.middleware) logs the user out itself: recorded as such.
    if getattr(request, "portal_idle_timeout", False):
        audit_log(actor=user, action="user.session_expired", target=user,
                  after={"username": user.get_username(), "ip": client_ip(request)})
    else:
        audit_log(actor=user, action="user.logout", target=user,
                  after={"username": user.get_username(), "ip": client_ip(request)})


@receiver(user_login_failed, dispatch_uid="portal.accounts.login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    user_model = get_user_model()
    tried = str(credentials.get(user_model.USERNAME_FIELD) or credentials.get("username") or "")[:150]
    # The account when the name exists; otherwise an unsaved stand-in naming what was tried.
    target = user_model.objects.filter(**{user_model.USERNAME_FIELD: tried}).first() if tried else None
    if target is None:
        target = user_model(**{user_model.USERNAME_FIELD: tried})
    if credentials.get("two_factor"):
        # A wrong 6-digit or backup code after a right password (portal/accounts/views.py).
        audit_log(actor=target, action="user.two_factor_failed", target=target,
                  after={"username": tried, "ip": client_ip(request)})
        return
    audit_log(actor=None, action="user.login_failed", target=target,
              after={"username": tried, "ip": client_ip(request)})
