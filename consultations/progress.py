"""Where a topic stands, what is missing and what comes next — for the record page. Reads only
what the page already prefetched (no queries of its own)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import SessionStatus, SuggestionStatus, TopicStatus
from .workflows import TOPIC

STEP_LABELS = [
    (TopicStatus.DRAFT, _("Topic")),
    (TopicStatus.SUBMITTED, _("Approval")),
    (TopicStatus.APPROVED, _("Published")),
    (TopicStatus.RESEARCHED, _("Research")),
    (TopicStatus.SCHEDULED, _("Session planned")),
    (TopicStatus.CONSULTED, _("Session held")),
    (TopicStatus.HANDLING, _("Outcome and handling")),
    (TopicStatus.CLOSED, _("Feedback and closing")),
    (TopicStatus.REVIEWED, _("回头看")),
]


def steps(topic) -> list[dict]:
    current = topic.step_index
    return [{"label": label, "done": i < current or topic.status == TopicStatus.REVIEWED, "current": i == current}
            for i, (_code, label) in enumerate(STEP_LABELS)]


def next_step(topic, user, *, outcome) -> dict:
    """{"text": what comes next, "missing": [what is missing], "actions": {name: True}} for `user`.
    The actions are the rows of the topic's transition table (workflows.TOPIC) that the user may
    take now — the same rows the services enforce."""
    status = topic.status
    sessions = list(topic.sessions.all())
    suggestions = list(topic.suggestions.all())
    missing: list = []
    if status in {TopicStatus.DRAFT, TopicStatus.REJECTED}:
        text = _("Complete the description and submit the topic for approval.")
        if not topic.description.strip():
            missing.append(_("A description of the problem"))
    elif status == TopicStatus.SUBMITTED:
        text = _("The same-level approver decides whether to adopt the topic.")
    elif status == TopicStatus.APPROVED:
        text = _("Research the topic (visits, forums, questionnaires) before any session: 不调研不协商.")
        missing.append(_("Research"))
    elif status == TopicStatus.RESEARCHED:
        text = _("Plan the consultation session and invite the participants.")
        missing.append(_("A planned session"))
    elif status == TopicStatus.SCHEDULED:
        planned = [s for s in sessions if s.status == SessionStatus.PLANNED]
        text = _("Hold the session, then record attendance and the meeting steps.")
        if planned and not planned[0].participants.all():
            missing.append(_("Invited participants"))
        missing.append(_("Attendance of the held session"))
    elif status == TopicStatus.CONSULTED:
        text = _("Record the outcome: consensus, the result and the minutes.")
        missing.append(_("The outcome and minutes"))
    elif status == TopicStatus.HANDLING:
        open_ = [s for s in suggestions if s.status != SuggestionStatus.DONE]
        today = timezone.localdate()
        overdue = [s for s in open_ if s.deadline and s.deadline < today]
        if not suggestions and outcome is not None and outcome.consensus:
            text = _("Add the suggestions, each with its responsible party and deadline.")
            missing.append(_("Suggestions"))
        elif open_:
            text = _("The responsible parties handle the suggestions and give feedback.")
            missing.append(_("Feedback on %(n)d suggestion(s)") % {"n": len(open_)})
            if overdue:
                missing.append(_("%(n)d suggestion(s) past the handling deadline") % {"n": len(overdue)})
        else:
            text = _("Every suggestion has feedback: close the topic; the follow-up review is then scheduled.")
    elif status == TopicStatus.CLOSED:
        due = [f for f in topic.followups.all() if f.status == "due"]
        text = _("Do the follow-up review (回头看) when it is due, and collect ratings.")
        if due:
            missing.append(_("Follow-up review due on %(date)s") % {"date": due[0].due_on.isoformat()})
    else:
        text = _("The loop is complete. Results can still be rated.")
    return {"text": text, "missing": missing, "actions": dict.fromkeys(TOPIC.allowed(topic, user), True)}
