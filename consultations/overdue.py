"""Work of the consultations past its deadline, for the office cockpit (portal.overdue): the
suggestions not handled by their deadline and the follow-up reviews (回头看) not done when due."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.overdue import OverdueItem, overdue_source, paths_q
from portal.traffic import OpenDeadlines, deadline_queue, overdue_q

from .models import FollowUp, FollowUpStatus, Suggestion, SuggestionStatus

OPEN_SUGGESTION = (SuggestionStatus.PENDING, SuggestionStatus.ACCEPTED)


def _open_suggestions(paths):
    return Suggestion.objects.filter(paths_q(paths, "topic__org_path"), status__in=OPEN_SUGGESTION)


def _due_followups(paths):
    return FollowUp.objects.filter(paths_q(paths, "topic__org_path"), status=FollowUpStatus.DUE)


@deadline_queue("consultations.suggestion", _("Suggestions to handle"), order=10)
def suggestion_deadlines(paths):
    return OpenDeadlines(_open_suggestions(paths), deadline="deadline", path="topic__org_path")


@deadline_queue("consultations.followup", _("Follow-up reviews (回头看) due"), order=20)
def followup_deadlines(paths):
    return OpenDeadlines(_due_followups(paths), deadline="due_on", path="topic__org_path")


@overdue_source("consultations.suggestion", _("Suggestion to handle"))
def overdue_suggestions(*, paths, today, limit):
    qs = _open_suggestions(paths).filter(overdue_q("deadline", today))
    rows = (qs.select_related("topic", "topic__org_unit", "handling_unit").order_by("deadline", "id")
            .only("id", "text", "deadline", "handler_name", "topic__id", "topic__org_unit__name",
                  "handling_unit__name")[:limit])
    return qs.count(), [
        OverdueItem(title=s.text[:60], due=s.deadline,
                    unit=(s.handling_unit.name if s.handling_unit else s.handler_name) or s.topic.org_unit.name,
                    url=reverse("consultations:topic", args=[s.topic_id]))
        for s in rows
    ]


@overdue_source("consultations.followup", _("Follow-up review (回头看)"))
def overdue_followups(*, paths, today, limit):
    qs = _due_followups(paths).filter(overdue_q("due_on", today))
    rows = (qs.select_related("topic", "topic__org_unit").order_by("due_on", "id")
            .only("id", "due_on", "topic__id", "topic__title", "topic__org_unit__name")[:limit])
    return qs.count(), [
        OverdueItem(title=f.topic.title, unit=f.topic.org_unit.name, due=f.due_on,
                    url=reverse("consultations:topic", args=[f.topic_id]))
        for f in rows
    ]
