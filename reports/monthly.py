"""The monthly report each county (and city) office receives by e-mail.

The notifications app's notify service is not on main yet, so this is a Celery beat task that
sends with Django's e-mail; `MonthlyReportDelivery` (unique per unit and month) makes a rerun
send nothing twice."""

from __future__ import annotations

import datetime
import os

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from organizations.models import OrgUnit, Role, UnitKind
from organizations.selectors import active_role_assignments

from .models import MonthlyReportDelivery
from .periods import month_period
from .selectors import dashboard_for

OFFICE_KINDS = (UnitKind.COUNTY, UnitKind.CITY)


def previous_month(today: datetime.date) -> tuple[int, int]:
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


def monthly_reports_send(*, today: datetime.date | None = None) -> int:
    today = today or timezone.localdate()
    period = month_period(*previous_month(today))
    offices = OrgUnit.objects.filter(kind__in=OFFICE_KINDS, is_active=True).order_by("path")
    already = set(MonthlyReportDelivery.objects.filter(month=period.start).values_list("org_unit_id", flat=True))
    recipients: dict[int, list[str]] = {}
    for unit_id, email in active_role_assignments([Role.OFFICE_CLERK]).filter(
        unit__kind__in=OFFICE_KINDS).exclude(user__email="").values_list("unit_id", "user__email"):
        recipients.setdefault(unit_id, []).append(email)
    # The portal's address for links in e-mails (no shared setting exists yet): settings or env.
    base = (getattr(settings, "PORTAL_BASE_URL", "") or os.environ.get("PORTAL_BASE_URL", "")).rstrip("/")
    sent = 0
    for unit in offices:
        emails = sorted(set(recipients.get(unit.pk, [])))
        if unit.pk in already or not emails:
            continue
        try:
            with transaction.atomic():
                MonthlyReportDelivery.objects.create(org_unit=unit, month=period.start, recipients=",".join(emails))
                board = dashboard_for(unit=unit, period=period)
                with translation.override(settings.LANGUAGE_CODE):
                    link = base + reverse("reports:unit", args=[unit.pk]) + "?" + period.query()
                    context = {"board": board, "link": link}
                    subject = render_to_string("reports/email/monthly_subject.txt", context).strip()
                    body = render_to_string("reports/email/monthly_body.txt", context)
                send_mail(subject, body, None, emails)
        except IntegrityError:  # another run sent it meanwhile
            continue
        sent += 1
    return sent
