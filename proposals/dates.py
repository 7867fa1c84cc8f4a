"""The order of a proposal's and a 社情民意 item's event dates, in one place (services call these;
workflow guards stay about state, these are about days).

    proposal: submitted (the plenary, or the date on the paper) → registered → formally assigned
              → replied (per unit) → closed
    社情民意:  submitted → used (compiled / reported) → adopted, instructed

Each function returns the checked date (today for None) or raises DomainError naming the earlier
event it may not precede; see portal/event_dates.py for the common rules (no future, not before
1 October 1949).
"""

from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from portal.event_dates import check_event_date

SUBMITTED = _("the day the proposal was submitted")
REGISTERED = _("the day it was registered")
ASSIGNED = _("the day it was assigned")
REPLIED = _("the last reply")
ITEM_SUBMITTED = _("the day the item was submitted")


def proposal_submitted_on(value, *, field="submitted_on"):
    return check_event_date(value, field=field, label=_("The submission date"))


def proposal_registered_on(value, *, proposal, field="registered_on"):
    return check_event_date(value, field=field, label=_("The registration date"),
                            after=[(proposal.submitted_on, SUBMITTED)])


def proposal_assigned_on(value, *, proposal, field="assigned_on"):
    return check_event_date(value, field=field, label=_("The assignment date"),
                            after=[(proposal.submitted_on, SUBMITTED), (proposal.registered_on, REGISTERED)])


def reply_replied_on(value, *, assignment, proposal, field="replied_on"):
    return check_event_date(value, field=field, label=_("The reply date"),
                            after=[(assignment.assigned_on or proposal.assigned_on, ASSIGNED)])


def proposal_closed_on(value, *, proposal, field="closed_on"):
    last = proposal.assignments.aggregate(d=Max("replied_on"))["d"]
    return check_event_date(value, field=field, label=_("The closing date"),
                            after=[(proposal.assigned_on, ASSIGNED), (last, REPLIED)])


def opinion_submitted_on(value, *, field="submitted_on"):
    return check_event_date(value, field=field, label=_("The submission date"))


def opinion_used_on(value, *, item, field="used_on"):
    return check_event_date(value, field=field, label=_("The day the item was used"),
                            after=[(item.submitted_on, ITEM_SUBMITTED)])


def opinion_later_on(value, *, item, field, label):
    """Adoption and instruction dates: after the item was submitted."""
    return check_event_date(value, field=field, label=label, after=[(item.submitted_on, ITEM_SUBMITTED)])
