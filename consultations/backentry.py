"""Back-entry (补录): record a consultation that already ran its course, in one go.

Offices keep paper ledgers (台账) and minutes and enter them after the fact. One call records the
whole loop — topic, approval, research, the session with its attendance and resident count, the
outcome, each suggestion with its ending and feedback, closing and the 回头看 — through the same
services as live work, each with its event date, in ONE transaction: any refusal leaves nothing
behind. The topic is marked ``back_entered`` and every step is audited as usual (who typed which
date, when).

Back-entered work is held to the order of its event dates (consultations/dates.py), not to the
live-work guards that assume "today": a session a year after its research is fine, one before it
is not. The approval is the one step a secretary records for someone else: it happened on paper,
so it is recorded (with the approver's name, if known) rather than given.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from organizations.models import OrgUnit
from portal.audit import audit_log
from portal.errors import DomainError, NotAllowed

from . import dates, rules, services
from .models import Attendance, Ending, ParticipantKind, Route, Topic, TopicStatus


@dataclass
class BackSuggestion:
    text: str
    route: str
    routed_on: datetime.date
    handling_unit: OrgUnit | None = None
    handler_name: str = ""
    deadline: datetime.date | None = None
    accepted_on: datetime.date | None = None
    ending: str = ""
    feedback: str = ""
    closed_on: datetime.date | None = None


@dataclass
class BackEntry:
    """Everything a ledger row or the back-entry page holds about one finished consultation."""

    org_unit: OrgUnit
    title: str
    raised_on: datetime.date
    approved_on: datetime.date
    held_on: datetime.date
    venue: str
    outcome_summary: str
    description: str = ""
    channel: str = "resident"
    category: str = ""
    approved_by_name: str = ""
    research_done_on: datetime.date | None = None
    research_kind: str = "visit"
    research_findings: str = ""
    session_form: str = "council"
    members_attended: list = field(default_factory=list)
    members_absent: list = field(default_factory=list)
    others_attended: list[tuple[str, str]] = field(default_factory=list)  # (participant kind, name)
    residents_count: int = 0
    session_summary: str = ""
    consensus: bool = True
    outcome_recorded_on: datetime.date | None = None
    minutes: str = ""
    suggestions: list[BackSuggestion] = field(default_factory=list)
    closed_on: datetime.date | None = None
    followup_done_on: datetime.date | None = None
    followup_findings: str = ""
    source_ref: str = ""


def split_line_field(field: str | None) -> tuple[int | None, str | None]:
    """Where a back-entry refusal belongs, for the page and the ledger alike: a suggestion line's
    field is prefixed with its index (``s2_closed_on`` → ``(2, "closed_on")``); any other field is
    the consultation's own (``(None, "held_on")``)."""
    if field and field[:1] == "s" and "_" in field:
        index, name = field.split("_", 1)
        if index[1:].isdigit():
            return int(index[1:]), name
    return None, field


def _prefixed(exc: DomainError, prefix: str) -> DomainError:
    """The same error, on the field of the section it came from (e.g. ``s2_closed_on``)."""
    exc.field = f"{prefix}{exc.field}" if exc.field else None
    return exc


_SECTION_FIELDS = {
    # service field → page field, for the steps whose service names differ from the page's
    "research": {"done_on": "research_done_on", "findings": "research_findings", "kind": "research_kind",
                 "members": "members_attended"},
    "session": {"scheduled_on": "held_on", "held_on": "held_on", "form": "session_form", "venue": "venue",
                "attendance": "members_attended", "member": "members_attended", "summary": "session_summary"},
    "outcome": {"recorded_on": "outcome_recorded_on", "summary": "outcome_summary", "session": "held_on"},
    "close": {"closed_on": "closed_on"},
    "followup": {"done_on": "followup_done_on", "findings": "followup_findings"},
    "topic": {},
}


def _step(section: str, func, **kwargs):
    try:
        return func(**kwargs)
    except DomainError as exc:
        exc.field = _SECTION_FIELDS[section].get(exc.field, exc.field) if exc.field else None
        raise


def _record_approval(*, actor, topic: Topic, approved_on: datetime.date, approved_by_name: str) -> None:
    """The approval was given on paper; the back-entering secretary records its date."""
    topic.approved_on = dates.topic_approved_on(approved_on, topic=topic)
    topic.is_public = True
    services._set_status(actor=actor, topic=topic, status=TopicStatus.APPROVED,
                         action="consultations.topic.approval_recorded",
                         extra_fields=["approved_on", "is_public"],
                         note=(_("Approval recorded from the ledger; approved by %(name)s.")
                               % {"name": approved_by_name} if approved_by_name
                               else _("Approval recorded from the ledger.")))


@transaction.atomic
def consultation_back_enter(*, actor, entry: BackEntry) -> Topic:
    """Record a finished consultation (补录) through the services, all or nothing."""
    if not rules.can_manage(actor, entry.org_unit.path):
        raise NotAllowed()
    if not (entry.members_attended or entry.others_attended or entry.residents_count):
        raise DomainError(_("Record who attended: choose the members present or give the residents' count."),
                          field="members_attended")
    overlap = {m.pk for m in entry.members_attended} & {m.pk for m in entry.members_absent}
    if overlap:
        raise DomainError(_("A member cannot be both present and absent."), field="members_absent")
    topic = _step("topic", services.topic_create, actor=actor, org_unit=entry.org_unit, title=entry.title,
                  description=entry.description or entry.title, channel=entry.channel, category=entry.category,
                  source_ref=entry.source_ref, raised_on=entry.raised_on, back_entered=True)
    _step("topic", _record_approval, actor=actor, topic=topic, approved_on=entry.approved_on,
          approved_by_name=entry.approved_by_name)
    if entry.research_done_on is not None:
        _step("research", services.research_add, actor=actor, topic=topic, kind=entry.research_kind,
              done_on=entry.research_done_on, findings=entry.research_findings or entry.title)
    else:
        raise DomainError(_("No consultation without research (不调研不协商): give the research date."),
                          field="research_done_on")
    session = _step("session", services.session_schedule, actor=actor, topic=topic, scheduled_on=entry.held_on,
                    form=entry.session_form, venue=entry.venue)
    invited = []
    for member in entry.members_attended:
        invited.append((_step("session", services.participant_add, actor=actor, session=session,
                              kind=ParticipantKind.MEMBER, member=member), Attendance.ATTENDED))
    for member in entry.members_absent:
        invited.append((_step("session", services.participant_add, actor=actor, session=session,
                              kind=ParticipantKind.MEMBER, member=member), Attendance.ABSENT))
    for kind, name in entry.others_attended:
        invited.append((_step("session", services.participant_add, actor=actor, session=session, kind=kind,
                              name=name), Attendance.ATTENDED))
    session.refresh_from_db()
    _step("session", services.session_hold, actor=actor, session=session, version=session.version,
          attendance={p.pk: value for p, value in invited}, residents_count=entry.residents_count,
          summary=entry.session_summary, held_on=entry.held_on)
    _step("outcome", services.outcome_record, actor=actor, topic=topic, consensus=entry.consensus,
          summary=entry.outcome_summary, minutes=entry.minutes, recorded_on=entry.outcome_recorded_on or entry.held_on)
    for i, line in enumerate(entry.suggestions):
        try:
            if line.route not in Route.values:
                raise DomainError(_("Choose a responsible party from the list."), field="route")
            if line.ending and line.ending not in Ending.values:
                raise DomainError(_("Choose how the suggestion ended."), field="ending")
            suggestion = services.suggestion_add(actor=actor, topic=topic, text=line.text, route=line.route,
                                                 handling_unit=line.handling_unit, handler_name=line.handler_name,
                                                 deadline=line.deadline, routed_on=line.routed_on)
            if line.accepted_on is not None:
                suggestion = services.suggestion_accept(actor=actor, suggestion=suggestion,
                                                        accepted_on=line.accepted_on)
            if line.ending:
                services.suggestion_close(actor=actor, suggestion=suggestion, ending=line.ending,
                                          feedback=line.feedback, closed_on=line.closed_on or line.routed_on)
        except DomainError as exc:
            raise _prefixed(exc, f"s{i}_")
    if entry.closed_on is not None:
        _step("close", services.topic_close, actor=actor, topic=topic, closed_on=entry.closed_on)
        if entry.followup_done_on is not None:
            topic.refresh_from_db()
            _step("followup", services.followup_record, actor=actor, followup=topic.followups.get(),
                  done_on=entry.followup_done_on, findings=entry.followup_findings or _("Follow-up review done"))
    elif entry.followup_done_on is not None:
        raise DomainError(_("A follow-up review (回头看) comes after closing: give the closing date."),
                          field="closed_on")
    topic.refresh_from_db()
    audit_log(actor=actor, action="consultations.topic.back_entered", target=topic,
              after={"raised_on": topic.raised_on.isoformat(), "held_on": entry.held_on.isoformat(),
                     "suggestions": len(entry.suggestions), "status": topic.status})
    return topic
