"""Inbox, bell, preferences, and the staff page of failed deliveries and scans."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.actions import button_action
from portal.errors import DomainError
from portal.lookups import one_or_404

from . import selectors, services
from .models import DeliveryMode, ScanRun


def _own(request, pk):
    return one_or_404(selectors.inbox_for(user=request.user), pk=pk)


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    qs = selectors.inbox_for(user=request.user, unread_only=unread_only)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {
        "page": page, "unread_only": unread_only, "unread": selectors.unread_count(user=request.user),
    })


@login_required
def bell(request):
    """The navbar bell's count, loaded by htmx so no page pays a query for it."""
    return render(request, "notifications/_bell.html", {"unread": selectors.unread_count(user=request.user)})


@login_required
def open_notification(request, pk):
    notification = _own(request, pk)
    services.notification_mark_read(user=request.user, notification=notification)
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return redirect(url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_read(request, pk):
    notification = services.notification_mark_read(user=request.user, notification=_own(request, pk))
    if request.htmx:
        response = render(request, "notifications/_item.html", {"n": notification})
        response["HX-Trigger"] = "notifications-changed"
        return response
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = services.notification_mark_all_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notifications:inbox")


def _sms_context(user) -> dict:
    from . import sms

    if sms.CODE not in sms._setting("NOTIFICATIONS_CHANNELS", ["email"]):
        return {"sms_enabled": False}
    return {"sms_enabled": True, "sms_opted_out": sms.opted_out(user), "sms_has_phone": bool(sms.phone_of(user)),
            "sms_exempt": sms.sms_exempt_kinds()}


@login_required
def preferences(request):
    rows = selectors.preferences_for(user=request.user)
    if request.method == "POST" and "sms-form" in request.POST:
        from . import sms

        choice = request.POST.get("sms")
        if choice not in ("on", "off"):
            messages.error(request, _("Choose whether you want notifications by SMS."))
            return render(request, "notifications/preferences.html", {
                "rows": rows, "modes": DeliveryMode.choices, **_sms_context(request.user)}, status=400)
        sms.sms_opt_out_set(user=request.user, opted_out_=choice == "off")
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notifications:preferences")
    if request.method == "POST":
        errors = []
        for row in rows:
            mode = request.POST.get(f"mode-{row['kind']}")
            if mode is None or mode == row["mode"]:
                continue
            try:
                services.preference_set(user=request.user, kind=row["kind"], mode=mode)
            except DomainError as exc:
                errors.append(f"{row['label']}: {exc.message}")
        if not errors:
            messages.success(request, _("Your notification settings were saved."))
            return redirect("notifications:preferences")
        for error in errors:
            messages.error(request, error)
        rows = selectors.preferences_for(user=request.user)
    return render(request, "notifications/preferences.html",
                  {"rows": rows, "modes": DeliveryMode.choices, **_sms_context(request.user)},
                  status=400 if request.method == "POST" else 200)


def _staff_only(request):
    """Signed-in users who look after no deliveries get 403, never a login page. What the others
    see is scoped (selectors.failed_deliveries): a county office its own county's failures."""
    if not selectors.can_see_failures(request.user):
        raise PermissionDenied


@login_required
def failures(request):
    _staff_only(request)
    deliveries = Paginator(selectors.failed_deliveries(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/failures.html", {
        "page": deliveries, "scans": selectors.failed_scans(user=request.user)[:50],
    })


@login_required
@require_POST
def delivery_retry(request, pk):
    _staff_only(request)
    delivery = one_or_404(selectors.deliveries_in_care_of(user=request.user), pk=pk)
    button_action(request, lambda: services.delivery_retry(actor=request.user, delivery=delivery),
                  success=_("The delivery was queued again."))
    return redirect("notifications:failures")


@login_required
@require_POST
def scan_retry(request, pk):
    _staff_only(request)
    if not selectors.can_see_scans(request.user):
        raise PermissionDenied
    run = one_or_404(ScanRun.objects.all(), pk=pk)
    button_action(request, lambda: services.scan_retry(actor=request.user, run=run),
                  success=_("The scan was queued again."))
    return redirect("notifications:failures")
