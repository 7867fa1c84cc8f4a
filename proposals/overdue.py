"""Work of the proposals past its deadline, for the office cockpit (portal.overdue): handling
units' replies not made by their due date."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.overdue import OverdueItem, overdue_source, paths_q

from .models import Assignment, AssignmentStatus


@overdue_source("proposals.reply", _("Proposal reply"))
def overdue_replies(*, paths, today, limit):
    qs = Assignment.objects.filter(paths_q(paths, "proposal__org_path"), status=AssignmentStatus.ASSIGNED,
                                   due_on__lt=today)
    rows = (qs.select_related("proposal", "unit").order_by("due_on", "id")
            .only("id", "due_on", "proposal__id", "proposal__title", "unit__name")[:limit])
    return qs.count(), [
        OverdueItem(title=a.proposal.title, unit=a.unit.name, due=a.due_on,
                    url=reverse("proposals:detail", args=[a.proposal_id]))
        for a in rows
    ]
