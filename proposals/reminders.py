"""Reminder sources of proposals and 社情民意 (see portal/reminders.py for the contract).

Each source runs a fixed number of queries: the recipients (role holders by unit) are read
once, the records are streamed."""

from __future__ import annotations

import datetime

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from organizations.models import Role
from organizations.permissions import PROPOSAL_STAFF_ROLES
from organizations.selectors import RoleHolders
from portal.event_dates import shown_date
from portal.reminders import Reminder, event_kind, reminder_source

from .models import (
    Assignment,
    AssignmentStatus,
    Cosigner,
    CosignerStatus,
    Proposal,
    ProposalStatus,
    Reply,
    ReplyClass,
)

REPLY_LEAD_DAYS = 14
STAFF = PROPOSAL_STAFF_ROLES


@reminder_source("proposals.reply_due", _("A proposal reply is due soon"), default_lead_days=REPLY_LEAD_DAYS)
def reply_due(today: datetime.date):
    holders = RoleHolders([Role.DEPARTMENT])
    qs = (Assignment.objects.filter(status=AssignmentStatus.ASSIGNED, due_on__gte=today,
                                    due_on__lte=today + datetime.timedelta(days=REPLY_LEAD_DAYS))
          .select_related("proposal"))
    for a in qs.iterator():
        for user_id in holders.at(a.unit_path):
            yield Reminder(recipient_id=user_id, kind="proposals.reply_due", key=f"assignment:{a.pk}:due:{a.due_on}",
                           subject=format_lazy(_("Reply to proposal “{title}” by {date}"), title=a.proposal.title,
                                               date=a.due_on),
                           url=a.proposal.get_absolute_url(), due=a.due_on, org_path=a.proposal.org_path)


@reminder_source("proposals.reply_overdue", _("A proposal reply is overdue"), default_lead_days=0)
def reply_overdue(today: datetime.date):
    """Overdue replies go to the handling unit, the office above it and the supervising leader."""
    staff = RoleHolders(STAFF)
    depts = RoleHolders([Role.DEPARTMENT])
    qs = (Assignment.objects.filter(status=AssignmentStatus.ASSIGNED, due_on__lt=today)
          .select_related("proposal", "unit"))
    for a in qs.iterator():
        recipients = set(staff.at_or_above(a.proposal.org_path)) | set(depts.at(a.unit_path))
        if a.proposal.supervising_leader_id:
            recipients.add(a.proposal.supervising_leader_id)
        for user_id in sorted(recipients):
            yield Reminder(recipient_id=user_id, kind="proposals.reply_overdue", key=f"assignment:{a.pk}:overdue",
                           subject=format_lazy(_("{unit} is overdue replying to “{title}” (due {date})"),
                                               unit=a.unit.name, title=a.proposal.title, date=a.due_on),
                           url=a.proposal.get_absolute_url(), due=a.due_on, org_path=a.proposal.org_path)


@reminder_source("proposals.cosign_pending", _("A co-signature awaits confirmation"), default_lead_days=0)
def cosign_pending(today: datetime.date):
    qs = (Cosigner.objects.filter(status=CosignerStatus.PENDING, proposal__status=ProposalStatus.DRAFT,
                                  member__user__isnull=False)
          .select_related("proposal", "member"))
    for c in qs.iterator():
        yield Reminder(recipient_id=c.member.user_id, kind="proposals.cosign_pending",
                       key=f"cosigner:{c.pk}:pending",
                       subject=format_lazy(_("Confirm your co-signature on “{title}”"), title=c.proposal.title),
                       url=c.proposal.get_absolute_url(), org_path=c.proposal.org_path)


@reminder_source("proposals.follow_up_due", _("A B-class reply needs its follow-up review"), default_lead_days=7)
def follow_up_due(today: datetime.date):
    staff = RoleHolders(STAFF)
    qs = (Reply.objects.filter(reply_class=ReplyClass.B, followed_up_at__isnull=True,
                               follow_up_on__lte=today + datetime.timedelta(days=7))
          .select_related("assignment__proposal"))
    for r in qs.iterator():
        proposal = r.assignment.proposal
        for user_id in staff.at_or_above(proposal.org_path):
            yield Reminder(recipient_id=user_id, kind="proposals.follow_up_due", key=f"reply:{r.pk}:follow_up",
                           subject=format_lazy(_("Follow up the B-class reply on “{title}”"), title=proposal.title),
                           url=proposal.get_absolute_url(), due=r.follow_up_on, org_path=proposal.org_path)


@reminder_source("proposals.key_supervision", _("Half-monthly supervision of a key proposal"), default_lead_days=0)
def key_supervision(today: datetime.date):
    """The supervising leader of each key proposal still being handled, once per half month."""
    half = 1 if today.day <= 15 else 2
    qs = Proposal.objects.filter(is_key=True, supervising_leader__isnull=False,
                                 status__in=[ProposalStatus.REGISTERED, ProposalStatus.ASSIGNING,
                                             ProposalStatus.HANDLING, ProposalStatus.REPLIED])
    for p in qs.iterator():
        yield Reminder(recipient_id=p.supervising_leader_id, kind="proposals.key_supervision",
                       key=f"proposal:{p.pk}:supervise:{today:%Y-%m}-{half}",
                       subject=format_lazy(_("Supervise the key proposal “{title}”"), title=p.title),
                       url=p.get_absolute_url(), org_path=p.org_path)


# --- events sent at once (portal.reminders.send_now) ------------------------------------------

ASSIGNED = "proposals.assigned"
event_kind(ASSIGNED, _("A proposal was assigned to my unit"))


def assignment_events(proposal, assignments, *, stage: str) -> list[Reminder]:
    """"A proposal was assigned to your unit" for each assignment, to the handlers of its unit:
    once when it is pre-assigned (to accept or contest) and once when it is formally assigned."""
    assignments = list(assignments)
    if not assignments:
        return []
    holders = RoleHolders([Role.DEPARTMENT])
    subjects = {"pre": _("Proposal “{title}” is proposed for your unit: accept or contest it"),
                "assigned": _("Proposal “{title}” was assigned to your unit; reply by {day}")}
    events = []
    for a in assignments:
        for uid in holders.at(a.unit_path):
            events.append(Reminder(
                recipient_id=uid, kind=ASSIGNED, key=f"assignment:{a.pk}:{stage}",
                subject=format_lazy(subjects[stage], title=proposal.title, day=shown_date(a.due_on)),
                url=proposal.get_absolute_url(), due=a.due_on, org_path=proposal.org_path))
    return events
