"""Reminder sources of the members app (see portal/reminders.py for the contract)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from organizations.models import Role
from organizations.selectors import RoleHolders
from portal.reminders import Reminder, reminder_source

from . import scoring, selectors
from .models import Member, Workroom, WorkroomStatus

CHECK_MONTH = 12


@reminder_source("members.below_pace", _("A member is behind the pace of the annual minimum points"),
                 default_lead_days=0)
def below_pace(today: datetime.date):
    """Monthly (on the 1st), for each member with an account whose points so far are below the
    share of the annual minimum that has elapsed. Constant queries: members, entries, plans."""
    if today.day != 1 or today.month == 1:
        return
    members = Member.objects.filter(is_active=True, user__isnull=False, user__is_active=True).select_related("org_unit")
    for score in scoring.scores_for(members, today.year, until=today):
        expected = scoring.expected_by(score.minimum, today)
        if score.points < expected:
            yield Reminder(
                recipient_id=score.member.user_id, kind="members.below_pace",
                key=f"member:{score.member.pk}:pace:{today:%Y-%m}",
                subject=format_lazy(_("Your duty points: {points} so far, {expected} expected by now"),
                                    points=score.points, expected=expected),
                url=reverse("members:me"), due=datetime.date(today.year, 12, 31), org_path=score.member.org_path,
            )


@reminder_source("members.workroom_idle", _("A workroom has had no activity for too long"), default_lead_days=0)
def workroom_idle(today: datetime.date):
    """Weekly (Mondays), to the nearest office clerks of each approved workroom idle for longer
    than its unit's idle threshold (default 90 days)."""
    if today.weekday() != 0:
        return
    clerks = RoleHolders([Role.OFFICE_CLERK])
    qs = Workroom.objects.filter(selectors.idle_q(today)).only("pk", "name", "org_path", "last_activity_on")
    for workroom in qs.iterator():
        for user_id in clerks.nearest(workroom.org_path):
            yield Reminder(
                recipient_id=user_id, kind="members.workroom_idle", key=f"workroom:{workroom.pk}:idle:{today:%G-%V}",
                subject=format_lazy(_("Workroom “{name}” has had no activity since {since}"), name=workroom.name,
                                    since=workroom.last_activity_on or _("it opened")),
                url=reverse("members:workroom", args=[workroom.pk]), org_path=workroom.org_path,
            )


@reminder_source("members.annual_check_due", _("A workroom's annual check is due"), default_lead_days=14)
def annual_check_due(today: datetime.date):
    """From 1 December, for approved workrooms not yet checked this year."""
    if today.month != CHECK_MONTH:
        return
    clerks = RoleHolders([Role.OFFICE_CLERK])
    due = datetime.date(today.year, 12, 31)
    qs = (Workroom.objects.filter(status__in=[WorkroomStatus.APPROVED, WorkroomStatus.PLAQUED])
          .exclude(last_checked_on__year=today.year).only("pk", "name", "org_path"))
    for workroom in qs.iterator():
        for user_id in clerks.nearest(workroom.org_path):
            yield Reminder(
                recipient_id=user_id, kind="members.annual_check_due", key=f"workroom:{workroom.pk}:check:{today.year}",
                subject=format_lazy(_("Annual check of workroom “{name}” is due"), name=workroom.name),
                url=reverse("members:workroom", args=[workroom.pk]), due=due, org_path=workroom.org_path,
            )
