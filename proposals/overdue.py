"""Work of the proposals past its deadline, for the office cockpit (portal.overdue): handling
units' replies not made by their due date."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.overdue import OverdueItem, overdue_source, paths_q
from portal.traffic import OpenDeadlines, deadline_queue, overdue_q

from .models import Assignment, AssignmentStatus


def _replies_due(paths):
    """Assignments being handled: the handling unit's reply is due by `due_on`."""
    return Assignment.objects.filter(paths_q(paths, "proposal__org_path"), status=AssignmentStatus.ASSIGNED)


@deadline_queue("proposals.reply", _("Proposal replies due (assignments being handled)"), order=30)
def reply_deadlines(paths):
    return OpenDeadlines(_replies_due(paths), deadline="due_on", path="proposal__org_path")


@overdue_source("proposals.reply", _("Proposal reply"))
def overdue_replies(*, paths, today, limit):
    qs = _replies_due(paths).filter(overdue_q("due_on", today))
    rows = (qs.select_related("proposal", "unit").order_by("due_on", "id")
            .only("id", "due_on", "proposal__id", "proposal__title", "unit__name")[:limit])
    return qs.count(), [
        OverdueItem(title=a.proposal.title, unit=a.unit.name, due=a.due_on,
                    url=reverse("proposals:detail", args=[a.proposal_id]))
        for a in rows
    ]
