"""Reminder sources of the consultation loop (contract: portal/reminders.py). Each source runs
two queries whatever the number of records: the records, and the role assignments that say who
is responsible for them."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from organizations.models import Role
from organizations.selectors import RoleHolders
from portal.event_dates import shown_date
from portal.reminders import Reminder, event_kind, reminder_source

from .models import (
    Attendance,
    FollowUp,
    FollowUpStatus,
    Participant,
    Session,
    SessionStatus,
    Suggestion,
    SuggestionStatus,
    Topic,
    TopicStatus,
)
from .settings_keys import minutes_due_days

RESEARCH_DUE_DAYS = 30  # an approved topic without research for this long is overdue


def _topic_url(topic_id: int) -> str:
    return reverse("consultations:topic", args=[topic_id])


@reminder_source("consultations.session_invitation", _("Session invitations and reminders (3 days and 1 day "
                                                         "before)"), default_lead_days=3)
def session_invitations(today: datetime.date):
    """An invitation as soon as a member is invited, then reminders 3 days and 1 day before."""
    rows = (Participant.objects.filter(session__status=SessionStatus.PLANNED, session__scheduled_on__gte=today,
                                       member__user__isnull=False)
            .exclude(attendance=Attendance.LEAVE)
            .values_list("pk", "session_id", "session__scheduled_on", "session__topic__title", "session__venue",
                         "member__user_id", "session__org_path").iterator())
    for pk, _session_id, day, title, venue, user_id, path in rows:
        url = reverse("consultations:my_sessions")
        yield Reminder(recipient_id=user_id, kind="consultations.session_invitation", key=f"participant:{pk}:invite",
                       subject=format_lazy(_("Invitation: consultation on “{title}” on {day} at {venue}"), title=title,
                                           day=shown_date(day), venue=venue),
                       url=url, due=day, org_path=path)
        days = (day - today).days
        if days in (3, 1):
            yield Reminder(recipient_id=user_id, kind="consultations.session_invitation",
                           key=f"participant:{pk}:before:{days}",
                           subject=format_lazy(_("Reminder: consultation on “{title}” in {n} day(s), {venue}"),
                                               title=title, n=days, venue=venue),
                           url=url, due=day, org_path=path)


@reminder_source("consultations.minutes_missing", _("Outcome and minutes missing after a held session"))
def minutes_missing(today: datetime.date):
    limit = today - datetime.timedelta(days=minutes_due_days())
    rows = (Session.objects.filter(status=SessionStatus.HELD, scheduled_on__lte=limit,
                                   topic__status=TopicStatus.CONSULTED)
            .values_list("pk", "topic_id", "topic__title", "scheduled_on", "org_path").iterator())
    people = RoleHolders([Role.SECRETARY])
    for pk, topic_id, title, day, path in rows:
        for uid in people.at_or_above(path, Role.SECRETARY):
            yield Reminder(recipient_id=uid, kind="consultations.minutes_missing", key=f"session:{pk}:minutes",
                           subject=format_lazy(_("Record the outcome and minutes of the session on “{title}” held "
                                                 "{day}"), title=title, day=shown_date(day)),
                           url=_topic_url(topic_id), due=day + datetime.timedelta(days=minutes_due_days()),
                           org_path=path)


@reminder_source("consultations.approval_waiting", _("Topics awaiting approval"))
def approval_waiting(today: datetime.date):
    rows = Topic.objects.filter(status=TopicStatus.SUBMITTED).values_list("pk", "title", "org_path").iterator()
    people = RoleHolders([Role.APPROVER])
    for pk, title, path in rows:
        for uid in people.at_or_above(path, Role.APPROVER):
            yield Reminder(recipient_id=uid, kind="consultations.approval_waiting", key=f"topic:{pk}:approval",
                           subject=format_lazy(_("Topic awaiting your approval: “{title}”"), title=title),
                           url=_topic_url(pk), org_path=path)


@reminder_source("consultations.research_overdue", _("Research overdue on an approved topic"))
def research_overdue(today: datetime.date):
    limit = today - datetime.timedelta(days=RESEARCH_DUE_DAYS)
    rows = (Topic.objects.filter(status=TopicStatus.APPROVED, approved_at__date__lte=limit)
            .values_list("pk", "title", "org_path", "approved_at").iterator())
    people = RoleHolders([Role.SECRETARY])
    for pk, title, path, approved_at in rows:
        due = approved_at.date() + datetime.timedelta(days=RESEARCH_DUE_DAYS)
        for uid in people.at_or_above(path, Role.SECRETARY):
            yield Reminder(recipient_id=uid, kind="consultations.research_overdue", key=f"topic:{pk}:research",
                           subject=format_lazy(_("Research on “{title}” is overdue (不调研不协商)"), title=title),
                           url=_topic_url(pk), due=due, org_path=path)


@reminder_source("consultations.suggestion_overdue", _("Suggestions past their handling deadline"))
def suggestion_overdue(today: datetime.date):
    rows = (Suggestion.objects.filter(status__in=[SuggestionStatus.PENDING, SuggestionStatus.ACCEPTED],
                                      deadline__lt=today)
            .values_list("pk", "topic_id", "topic__title", "topic__org_path", "deadline", "handling_unit__path")
            .iterator())
    people = RoleHolders([Role.SECRETARY, Role.DEPARTMENT])
    for pk, _topic_id, title, path, deadline, unit_path in rows:
        recipients = set(people.at_or_above(path, Role.SECRETARY))
        if unit_path:
            recipients |= set(people.at_or_below(unit_path, Role.DEPARTMENT))
        for uid in sorted(recipients):
            yield Reminder(recipient_id=uid, kind="consultations.suggestion_overdue",
                           key=f"suggestion:{pk}:overdue:{deadline.isoformat()}",
                           subject=format_lazy(_("A suggestion on “{title}” is past its handling deadline {day}"),
                                               title=title, day=shown_date(deadline)),
                           url=reverse("consultations:suggestion", args=[pk]), due=deadline, org_path=path)


@reminder_source("consultations.followup_due", _("Follow-up review (回头看) due"), default_lead_days=7)
def followup_due(today: datetime.date):
    rows = (FollowUp.objects.filter(Q(due_on__lte=today + datetime.timedelta(days=7)), status=FollowUpStatus.DUE)
            .values_list("pk", "topic_id", "topic__title", "topic__org_path", "due_on").iterator())
    people = RoleHolders([Role.SECRETARY])
    for pk, _topic_id, title, path, due in rows:
        for uid in people.at_or_above(path, Role.SECRETARY):
            yield Reminder(recipient_id=uid, kind="consultations.followup_due", key=f"followup:{pk}:due",
                           subject=format_lazy(_("Follow-up review (回头看) of “{title}” due on {day}"), title=title,
                                               day=shown_date(due)),
                           url=reverse("consultations:followup", args=[pk]), due=due, org_path=path)


# --- events sent at once (portal.reminders.send_now) ------------------------------------------

SUGGESTION_ROUTED = "consultations.suggestion_routed"
event_kind(SUGGESTION_ROUTED, _("A suggestion was routed to my department"))


def invitation_events(participants) -> list[Reminder]:
    """The invitation of each invited member with an account, as the scan above would find it
    (same kind and key): sent at once, never twice. Past or non-planned sessions: nothing."""
    today = timezone.localdate()
    events = []
    for p in participants:
        session = p.session
        user_id = p.member.user_id if p.member_id and p.member else None
        if not user_id or session.status != SessionStatus.PLANNED or session.scheduled_on < today:
            continue
        if p.attendance == Attendance.LEAVE:
            continue
        events.append(Reminder(
            recipient_id=user_id, kind="consultations.session_invitation", key=f"participant:{p.pk}:invite",
            subject=format_lazy(_("Invitation: consultation on “{title}” on {day} at {venue}"),
                                title=session.topic.title, day=shown_date(session.scheduled_on), venue=session.venue),
            url=reverse("consultations:my_sessions"), due=session.scheduled_on, org_path=session.org_path))
    return events


def suggestion_routed_events(suggestion) -> list[Reminder]:
    """"A suggestion was routed to your department": to the department's handlers (the unit and
    the units inside it), once per suggestion."""
    unit = suggestion.handling_unit
    if unit is None:
        return []
    users = RoleHolders([Role.DEPARTMENT]).at_or_below(unit.path)
    topic = suggestion.topic
    return [Reminder(recipient_id=uid, kind=SUGGESTION_ROUTED, key=f"suggestion:{suggestion.pk}:routed",
                     subject=format_lazy(_("A suggestion on “{title}” was routed to {unit}"), title=topic.title,
                                         unit=unit.name),
                     url=reverse("consultations:suggestion", args=[suggestion.pk]), due=suggestion.deadline,
                     org_path=topic.org_path)
            for uid in users]
