"""The order of a consultation's event dates, in one place (services call these; the workflow
guards in services/workflows stay about state, these are about days).

    raised → approved ─┐
    research (any time before the session) ─┴→ session held → outcome → suggestion routed → accepted
    → feedback given (solved / explained / escalated) → topic closed → 回头看 done

Each function returns the checked date (today when None is given) or raises DomainError on the
form field, naming the earlier event it may not precede. Back-entered work (补录) is held to the
same order and to nothing else: a session years after its research is fine, one before it is not.
"""

from __future__ import annotations

import datetime

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from portal.event_dates import check_event_date

from .models import Outcome, Session, SessionStatus, Suggestion, Topic

RAISED = _("the day the topic was raised")
APPROVED = _("the topic's approval")
RESEARCH = _("the research")
SESSION = _("the session")
OUTCOME = _("the outcome")
ROUTED = _("the day the suggestion was routed")
ACCEPTED = _("the day the suggestion was accepted")
FEEDBACK = _("the last feedback on its suggestions")
CLOSED = _("the day the topic was closed")


def topic_raised_on(value: datetime.date | None, *, topic: Topic | None = None, field="raised_on"):
    later = []
    if topic is not None and topic.pk:
        first_session = (topic.sessions.exclude(status=SessionStatus.CANCELLED).order_by("scheduled_on")
                         .values_list("scheduled_on", flat=True).first())
        later = [(topic.approved_on, APPROVED), (first_session, SESSION)]
    return check_event_date(value, field=field, label=_("The day the topic was raised"), before=later)


def topic_approved_on(value, *, topic: Topic, field="approved_on"):
    return check_event_date(value, field=field, label=_("The approval date"), after=[(topic.raised_on, RAISED)])


def research_done_on(value, *, topic: Topic, field="done_on"):
    """Research may come before the topic was raised or long before its approval (members often
    research first and propose after); what it may not do is follow a session already held on it."""
    held = topic.sessions.filter(status=SessionStatus.HELD).aggregate(d=Max("scheduled_on"))["d"] if topic.pk else None
    first_held = (topic.sessions.filter(status=SessionStatus.HELD).order_by("scheduled_on")
                  .values_list("scheduled_on", flat=True).first()) if held else None
    return check_event_date(value, field=field, label=_("The research date"), before=[(first_held, SESSION)])


def _last_research(topic: Topic):
    return topic.research.aggregate(d=Max("done_on"))["d"]


def session_planned_on(value: datetime.date, *, topic: Topic, field="scheduled_on") -> datetime.date:
    """A planned date may be in the future, but not before what must come first."""
    return check_event_date(value, field=field, label=_("The session date"), allow_future=True,
                            after=[(topic.raised_on, RAISED), (topic.approved_on, APPROVED),
                                   (_last_research(topic), RESEARCH)])


def session_held_on(value, *, session: Session, field="held_on"):
    topic = session.topic
    return check_event_date(value if value is not None else session.scheduled_on, field=field,
                            label=_("The day the session was held"),
                            after=[(topic.raised_on, RAISED), (topic.approved_on, APPROVED),
                                   (_last_research(topic), RESEARCH)])


def _last_session(topic: Topic):
    return topic.sessions.filter(status=SessionStatus.HELD).aggregate(d=Max("scheduled_on"))["d"]


def outcome_recorded_on(value, *, topic: Topic, session: Session | None, field="recorded_on"):
    held = session.scheduled_on if session is not None else _last_session(topic)
    return check_event_date(value, field=field, label=_("The outcome date"), after=[(held, SESSION)])


def _outcome_date(topic: Topic):
    return Outcome.objects.filter(topic=topic).values_list("recorded_on", flat=True).first()


def suggestion_routed_on(value, *, topic: Topic, field="routed_on"):
    return check_event_date(value, field=field, label=_("The day the suggestion was routed"),
                            after=[(_outcome_date(topic), OUTCOME)])


def suggestion_accepted_on(value, *, suggestion: Suggestion, field="accepted_on"):
    return check_event_date(value, field=field, label=_("The day the suggestion was accepted"),
                            after=[(suggestion.routed_on, ROUTED)])


def suggestion_closed_on(value, *, suggestion: Suggestion, field="closed_on"):
    return check_event_date(value, field=field, label=_("The day feedback was given"),
                            after=[(suggestion.routed_on, ROUTED), (suggestion.accepted_on, ACCEPTED)])


def topic_closed_on(value, *, topic: Topic, field="closed_on"):
    last = topic.suggestions.aggregate(d=Max("closed_on"))["d"]
    return check_event_date(value, field=field, label=_("The day the topic was closed"),
                            after=[(_outcome_date(topic), OUTCOME), (last, FEEDBACK)])


def followup_done_on(value, *, topic: Topic, field="done_on"):
    return check_event_date(value, field=field, label=_("The review date"), after=[(topic.closed_on, CLOSED)])


def instruction_given_on(value, *, topic: Topic, field="given_on"):
    return check_event_date(value, field=field, label=_("The date of the instruction"),
                            after=[(topic.raised_on, RAISED)])
