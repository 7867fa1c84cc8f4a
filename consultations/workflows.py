"""The consultation loop's transition tables (see portal/workflow.py for the row format).

One table per lifecycle — topics, sessions, suggestions. The services enforce these rows
(``TOPIC.check(topic, actor, "close")``); the record pages, the "下一步" box (progress.py) and the
API's ``allowed_actions`` read them. To add a step: add a row here (action, label, from-states,
roles, next state, guard), call ``<TABLE>.check`` in its service, and show the button when
``action in allowed_actions(obj, user)``; tests/consultations/test_workflows.py then proves the
button and the service agree for every role and state.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import Role
from organizations.permissions import has_role
from portal.errors import GuardFailed
from portal.workflow import Row, Workflow, register

from . import settings_keys
from .models import STATUS_ORDER, FollowUpStatus, Session, SessionStatus, Suggestion, SuggestionStatus, Topic
from .models import TopicStatus as T
from .rules import APPROVERS, EVALUATORS, INSTRUCTORS, MANAGERS

OPEN_FOR_WORK = frozenset({T.APPROVED, T.RESEARCHED, T.SCHEDULED, T.CONSULTED, T.HANDLING})
NOT_CLOSED = frozenset(set(T.values) - {T.CLOSED, T.REVIEWED})
PUBLISHABLE = frozenset(STATUS_ORDER[2:])
CLOSED = frozenset({T.CLOSED, T.REVIEWED})


# ------------------------------------------------------------------------------ named guards

def _outcome(topic):
    try:
        return topic.outcome
    except Topic.outcome.RelatedObjectDoesNotExist:
        return None


def has_description(topic):
    if not topic.description.strip():
        return GuardFailed(_("Describe the topic before submitting it for approval."), field="description")
    return None


def research_waiver_allowed(topic):
    if not settings_keys.research_waiver_allowed(topic.org_unit, timezone.localdate().year):
        return _("No consultation without research (不调研不协商): this unit's settings allow no exception.")
    return None


def research_done(topic):
    """不调研不协商: a session is planned only on a researched topic that is not closed."""
    if topic.status in {T.DRAFT, T.SUBMITTED, T.REJECTED}:
        return _("The topic must be approved before a session is planned.")
    if topic.status == T.APPROVED:
        return _("No consultation without research (不调研不协商): record the research first.")
    if topic.status not in OPEN_FOR_WORK:
        return _("The topic is closed; no more sessions can be planned.")
    return None


def no_outcome_yet(topic):
    if _outcome(topic) is not None:
        return _("The outcome is already recorded; edit it instead.")
    return None


def has_outcome(topic):
    if _outcome(topic) is None:
        return _("Record the outcome before closing.")
    return None


def ready_to_close(topic):
    """No closing without feedback: an outcome, every suggestion answered, and at least one
    suggestion when consensus was reached."""
    outcome = _outcome(topic)
    if outcome is None:
        return _("Record the outcome before closing.")
    suggestions = list(topic.suggestions.all())
    open_count = sum(1 for s in suggestions if s.status != SuggestionStatus.DONE)
    if open_count:
        return _("%(n)d suggestion(s) still have no feedback; no closing without feedback.") % {"n": open_count}
    if outcome.consensus and not suggestions:
        return _("Add at least one suggestion with its feedback before closing.")
    return None


def followup_due(topic):
    if not any(f.status == FollowUpStatus.DUE for f in topic.followups.all()):
        return _("This follow-up review is already recorded.")
    return None


def is_public(topic):
    return None if topic.is_public else _("This topic is not published.")


def not_public(topic):
    return _("This topic is already published.") if topic.is_public else None


def session_not_in_future(session):
    if session.scheduled_on > timezone.localdate():
        return _("A session dated in the future cannot be recorded as held yet.")
    return None


def _handling_department(user, suggestion) -> bool:
    return bool(suggestion.handling_unit_id) and has_role(user, Role.DEPARTMENT, suggestion.handling_unit.path)


# ------------------------------------------------------------------------------------ tables

TOPIC = register(Topic, Workflow("topic", [
    Row("edit", _("Edit topic"), NOT_CLOSED, MANAGERS,
        refusal=_("A closed topic can no longer be edited.")),
    Row("submit", _("Submit for approval"), {T.DRAFT, T.REJECTED}, MANAGERS, T.SUBMITTED, has_description,
        _("Only a recorded or not adopted topic can be submitted for approval.")),
    Row("approve", _("Approve"), {T.SUBMITTED}, APPROVERS, T.APPROVED,
        refusal=_("Only a topic awaiting approval can be approved.")),
    Row("reject", _("Do not adopt"), {T.SUBMITTED}, APPROVERS, T.REJECTED,
        refusal=_("Only a topic awaiting approval can be rejected.")),
    Row("publish", _("Publish (公示)"), PUBLISHABLE, MANAGERS | APPROVERS, guard=not_public,
        refusal=_("Only approved topics can be published.")),
    Row("unpublish", _("Withdraw publication"), None, MANAGERS | APPROVERS, guard=is_public),
    Row("research", _("Record research"), OPEN_FOR_WORK, MANAGERS,
        refusal=_("Research can be recorded once the topic is approved and until it is closed.")),
    Row("waive", _("Exempt from research"), {T.APPROVED}, MANAGERS, T.RESEARCHED, research_waiver_allowed,
        _("Only an approved topic without research can be exempted.")),
    Row("session", _("Plan a session"), None, MANAGERS, guard=research_done),
    Row("outcome", _("Record the outcome"), {T.CONSULTED}, MANAGERS, T.HANDLING, no_outcome_yet,
        _("The outcome can be recorded once a session has been held.")),
    Row("outcome_edit", _("Edit the outcome"), NOT_CLOSED, MANAGERS, guard=has_outcome,
        refusal=_("A closed topic's outcome can no longer be edited.")),
    Row("suggestion", _("Add a suggestion"), {T.HANDLING}, MANAGERS,
        refusal=_("Suggestions are added after the outcome is recorded and before the topic is closed.")),
    Row("close", _("Close the topic"), {T.HANDLING}, MANAGERS, T.CLOSED, ready_to_close,
        _("Only a topic whose suggestions are being handled can be closed.")),
    Row("instruction", _("Record a leader's instruction"), {T.HANDLING, *CLOSED}, INSTRUCTORS,
        refusal=_("Instructions are recorded on an outcome.")),
    Row("followup", _("Record the review"), {T.CLOSED}, MANAGERS, T.REVIEWED, followup_due,
        _("A follow-up review is recorded on a closed topic.")),
    Row("evaluate", _("Rate the results"), CLOSED, EVALUATORS,
        refusal=_("Results are rated once the topic is closed.")),
    Row("attach", _("Upload evidence"), None, MANAGERS),
    Row("detach", _("Remove evidence"), NOT_CLOSED, MANAGERS,
        refusal=_("Evidence of a closed topic cannot be removed.")),
], has_role=has_role, path=lambda topic: topic.org_path))


SESSION = register(Session, Workflow("session", [
    Row("invite", _("Invite a participant"), {SessionStatus.PLANNED}, MANAGERS,
        refusal=_("Participants can only be invited to a planned session.")),
    Row("uninvite", _("Remove a participant"), {SessionStatus.PLANNED}, MANAGERS,
        refusal=_("Participants can only be removed from a planned session.")),
    Row("hold", _("Record attendance"), {SessionStatus.PLANNED}, MANAGERS, SessionStatus.HELD,
        session_not_in_future, _("Only a planned session can be recorded as held.")),
    Row("cancel", _("Cancel the session"), {SessionStatus.PLANNED}, MANAGERS, SessionStatus.CANCELLED,
        refusal=_("Only a planned session can be cancelled.")),
], has_role=has_role, path=lambda session: session.org_path))


SUGGESTION = register(Suggestion, Workflow("suggestion", [
    Row("accept", _("Accept"), {SuggestionStatus.PENDING}, (*MANAGERS, "@department"), SuggestionStatus.ACCEPTED,
        refusal=_("This suggestion has already been accepted.")),
    Row("progress", _("Report progress"), {SuggestionStatus.ACCEPTED}, (*MANAGERS, "@department"),
        refusal=_("Progress is reported on an accepted suggestion that is not yet closed.")),
    Row("feedback", _("Give feedback"), {SuggestionStatus.PENDING, SuggestionStatus.ACCEPTED},
        (*MANAGERS, "@department"), SuggestionStatus.DONE,
        refusal=_("Feedback on this suggestion has already been given.")),
], has_role=has_role, path=lambda suggestion: suggestion.topic.org_path,
    relations={"department": _handling_department}))
