"""Reminders of the hall (see portal/reminders.py)."""

import datetime

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from organizations.selectors import RoleHolders
from portal.reminders import Reminder, reminder_source

from .models import Submission
from .services import STAFF_ROLES

WAITING_DAYS = 3


@reminder_source("hall.screening_waiting", _("Residents' topics wait for screening"), default_lead_days=0)
def screening_waiting(today):
    """Once a week per secretary or clerk: how many residents' topics of their subtree have waited
    more than three days. Two queries, whatever the number of people and submissions."""
    cutoff = datetime.datetime.combine(today - datetime.timedelta(days=WAITING_DAYS), datetime.time.min,
                                       tzinfo=datetime.UTC)
    waiting = list(Submission.objects.filter(status=Submission.Status.NEW, created_at__lt=cutoff)
                   .values_list("org_path", flat=True))
    if not waiting:
        return
    week = today.isocalendar()
    for user_id, path in RoleHolders(STAFF_ROLES).assignments():
        n = sum(1 for p in waiting if p.startswith(path))
        if n:
            yield Reminder(
                recipient_id=user_id, kind="hall.screening_waiting", key=f"hall:queue:{path}:{week[0]}-{week[1]}",
                subject=format_lazy(_("{n} residents' topics wait for screening"), n=n),
                url=reverse("hall:manage"), due=today, org_path=path,
            )
