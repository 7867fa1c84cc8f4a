"""Every write of the consultation loop: one service per transition, each atomic, permission-
checked, guarded (GuardFailed with a translated message) and audited in the same transaction."""

from __future__ import annotations

import datetime
import os
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.models import OrgUnit
from portal.audit import audit_log, changed, snapshot
from portal.concurrency import bump_version, check_version
from portal.errors import DomainError, GuardFailed, NotAllowed
from portal.metrics import records_changed
from portal.reminders import send_now
from portal.uploads import content_matches

from . import dates, reminders, rules, selectors, settings_keys
from .models import (
    Attachment,
    Attendance,
    Channel,
    Ending,
    Evaluation,
    FollowUp,
    FollowUpStatus,
    Instruction,
    Outcome,
    Participant,
    ParticipantKind,
    RaterKind,
    Research,
    ResearchKind,
    Route,
    Session,
    SessionForm,
    SessionStatus,
    SignIn,
    Stage,
    Suggestion,
    Topic,
    TopicStatus,
)
from .workflows import SESSION, SUGGESTION, TOPIC

TOPIC_FIELDS = ["title", "description", "channel", "category", "source_ref", "proposer_name", "internal_note",
                "planned_month", "status", "is_public", "raised_on"]
EDITABLE_TOPIC_FIELDS = {"title", "description", "channel", "category", "source_ref", "proposer_name",
                         "internal_note", "planned_month", "raised_on"}

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
ALLOWED_UPLOADS = {".pdf", ".docx", ".xlsx", ".pptx", ".doc", ".xls", ".jpg", ".jpeg", ".png", ".txt"}


def _today() -> datetime.date:
    return timezone.localdate()


def _lock_topic(topic: Topic) -> Topic:
    return Topic.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=topic.pk)


def _clean_text(value, *, field: str, label, max_length: int | None = None, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("%(field)s is required.") % {"field": label}, field=field)
    if max_length and len(value) > max_length:
        raise DomainError(_("%(field)s is too long (at most %(n)d characters).") % {"field": label, "n": max_length},
                          field=field)
    return value


def _set_status(*, actor, topic: Topic, status: str, action: str, extra_fields=(), note: str = "") -> Topic:
    before = snapshot(topic, ["status", *extra_fields])
    topic.status = status
    bump_version(topic, ["status", "updated_at", *extra_fields])
    audit_log(actor=actor, action=action, target=topic, before=before,
              after=snapshot(topic, ["status", *extra_fields]), note=note)
    return topic


# ---------------------------------------------------------------------------------------- topics

@transaction.atomic
def topic_create(*, actor, org_unit: OrgUnit, title: str, description: str, channel: str, source_ref: str = "",
                 category: str | None = None, proposer_name: str = "", planned_month=None,
                 internal_note: str = "", raised_on: datetime.date | None = None,
                 back_entered: bool = False) -> Topic:
    """Record a topic (选题) from any channel. Online-hall submissions come in with channel
    ``hall`` or ``resident`` and ``source_ref`` naming the submission. `raised_on` is the day it
    was raised (default today); `back_entered` marks work recorded after the fact (补录)."""
    if not rules.can_manage(actor, org_unit.path):
        raise NotAllowed()
    if channel not in Channel.values:
        raise DomainError(_("Choose a channel from the list."), field="channel")
    topic = Topic(
        org_unit=org_unit,
        title=_clean_text(title, field="title", label=_("Title"), max_length=200),
        description=(description or "").strip(),
        channel=channel,
        category=_clean_text(category, field="category", label=_("Category"), max_length=40, required=False),
        source_ref=_clean_text(source_ref, field="source_ref", label=_("Source reference"), max_length=100,
                               required=False),
        proposer_name=_clean_text(proposer_name, field="proposer_name", label=_("Raised by"), max_length=100,
                                  required=False),
        internal_note=(internal_note or "").strip(),
        planned_month=planned_month.replace(day=1) if planned_month else None,
        raised_on=dates.topic_raised_on(raised_on),
        back_entered=bool(back_entered),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    topic.save()
    audit_log(actor=actor, action="consultations.topic.create", target=topic, after=snapshot(topic, TOPIC_FIELDS))
    return topic


@transaction.atomic
def topic_update(*, actor, topic: Topic, version=None, **fields) -> Topic:
    """Edit the topic's description while it is still being prepared or discussed. Stale edits
    are refused."""
    topic = _lock_topic(topic)
    if not TOPIC.may(topic, actor, "edit"):
        raise NotAllowed()
    check_version(topic, version, required=True)
    unknown = set(fields) - EDITABLE_TOPIC_FIELDS
    if unknown:
        raise DomainError(_("These fields cannot be changed here: %(f)s") % {"f": ", ".join(sorted(unknown))})
    TOPIC.check(topic, actor, "edit")
    if "title" in fields:
        fields["title"] = _clean_text(fields["title"], field="title", label=_("Title"), max_length=200)
    if "channel" in fields and fields["channel"] not in Channel.values:
        raise DomainError(_("Choose a channel from the list."), field="channel")
    if fields.get("planned_month"):
        fields["planned_month"] = fields["planned_month"].replace(day=1)
    if "raised_on" in fields:
        fields["raised_on"] = dates.topic_raised_on(fields["raised_on"] or topic.raised_on, topic=topic)
    before = snapshot(topic, TOPIC_FIELDS)
    for name, value in fields.items():
        setattr(topic, name, value if value is not None else "" if name != "planned_month" else None)
    bump_version(topic, [*fields, "updated_at"])
    b, a = changed(before, snapshot(topic, TOPIC_FIELDS))
    if a:
        audit_log(actor=actor, action="consultations.topic.update", target=topic, before=b, after=a)
    return topic


@transaction.atomic
def topic_submit(*, actor, topic: Topic) -> Topic:
    topic = _lock_topic(topic)
    row = TOPIC.check(topic, actor, "submit")
    return _set_status(actor=actor, topic=topic, status=row.target, action="consultations.topic.submit")


@transaction.atomic
def topic_approve(*, actor, topic: Topic, publish: bool = True, planned_month=None,
                  approved_on: datetime.date | None = None) -> Topic:
    """定题: the same-level approver adopts the topic; by default it is published (公示).
    `approved_on` is the day of the decision (default today)."""
    topic = _lock_topic(topic)
    row = TOPIC.check(topic, actor, "approve")
    topic.approved_on = dates.topic_approved_on(approved_on, topic=topic)
    now = timezone.now()
    topic.approved_by = actor if getattr(actor, "is_authenticated", False) else None
    topic.approved_at = now
    topic.rejection_reason = ""
    if planned_month:
        topic.planned_month = planned_month.replace(day=1)
    if publish:
        topic.is_public = True
        topic.published_at = now
    return _set_status(actor=actor, topic=topic, status=row.target, action="consultations.topic.approve",
                       extra_fields=["approved_by", "approved_at", "approved_on", "rejection_reason",
                                     "planned_month", "is_public", "published_at"])


@transaction.atomic
def topic_reject(*, actor, topic: Topic, reason: str) -> Topic:
    topic = _lock_topic(topic)
    row = TOPIC.check(topic, actor, "reject")
    topic.rejection_reason = _clean_text(reason, field="reason", label=_("Reason"), max_length=2000)
    return _set_status(actor=actor, topic=topic, status=row.target, action="consultations.topic.reject",
                       extra_fields=["rejection_reason"])


@transaction.atomic
def topic_set_public(*, actor, topic: Topic, public: bool) -> Topic:
    """Publish (公示) or withdraw an approved topic from the public pages."""
    topic = _lock_topic(topic)
    TOPIC.check(topic, actor, "publish" if public else "unpublish")
    before = snapshot(topic, ["is_public", "published_at"])
    topic.is_public = public
    if public and not topic.published_at:
        topic.published_at = timezone.now()
    bump_version(topic, ["is_public", "published_at", "updated_at"])
    audit_log(actor=actor, action="consultations.topic.publish" if public else "consultations.topic.unpublish",
              target=topic, before=before, after=snapshot(topic, ["is_public", "published_at"]))
    return topic


# -------------------------------------------------------------------------------------- research

@transaction.atomic
def research_add(*, actor, topic: Topic, kind: str, done_on: datetime.date | None, findings: str, team: str = "",
                 members=(), respondents: int = 0) -> Research:
    """调研. The first research moves an approved topic to 'researched'. Its date follows the order
    of event dates (consultations/dates.py): however long before the approval it was, never after a
    session already held on the topic."""
    topic = _lock_topic(topic)
    TOPIC.check(topic, actor, "research")
    if kind not in ResearchKind.values:
        raise DomainError(_("Choose a kind of research from the list."), field="kind")
    done_on = dates.research_done_on(done_on, topic=topic)
    research = Research.objects.create(
        topic=topic, kind=kind, done_on=done_on,
        findings=_clean_text(findings, field="findings", label=_("Findings")),
        team=_clean_text(team, field="team", label=_("Who went"), max_length=300, required=False),
        respondents=max(int(respondents or 0), 0),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    members = list(members)
    if members:
        _check_members_known(topic, members)
        research.members.set(members)
    audit_log(actor=actor, action="consultations.research.add", target=topic,
              after={"research": research.pk, "kind": kind, "done_on": done_on.isoformat(),
                     "members": [m.pk for m in members]})
    if topic.status == TopicStatus.APPROVED:
        _set_status(actor=actor, topic=topic, status=TopicStatus.RESEARCHED, action="consultations.topic.researched")
    from members.services import duty_record_add

    for member in members:
        duty_record_add(member=member, kind="research", source=research, occurred_on=done_on,
                        title=str(topic.title), activity_unit=topic.org_unit, actor=actor)
    return research


@transaction.atomic
def research_waive(*, actor, topic: Topic, reason: str) -> Topic:
    """An audited exception to 不调研不协商, only where the unit's settings allow it."""
    topic = _lock_topic(topic)
    row = TOPIC.check(topic, actor, "waive")
    reason = _clean_text(reason, field="reason", label=_("Reason"), max_length=2000)
    topic.research_waived = True
    return _set_status(actor=actor, topic=topic, status=row.target, action="consultations.research.waive",
                       extra_fields=["research_waived"], note=reason)


def _check_members_known(topic: Topic, members) -> None:
    """Members must belong to the topic's CPPCC unit tree or be posted into its subtree."""
    from members.models import Member

    ids = [m.pk for m in members]
    unit_ids = topic.org_unit.ancestor_ids
    known = set(
        Member.objects.filter(pk__in=ids, is_active=True).filter(
            models_q_member_near(topic, unit_ids)).values_list("pk", flat=True)
    )
    unknown = [m for m in members if m.pk not in known]
    if unknown:
        raise DomainError(_("Unknown members for this unit: %(names)s") % {"names": ", ".join(m.name for m in unknown)},
                          field="members")


def models_q_member_near(topic: Topic, unit_ids):
    from django.db.models import Q

    return Q(org_unit_id__in=unit_ids) | Q(org_path__startswith=topic.org_path) | Q(
        postings__org_path__startswith=topic.org_path, postings__is_active=True)


# -------------------------------------------------------------------------------------- sessions

@transaction.atomic
def session_schedule(*, actor, topic: Topic, scheduled_on: datetime.date, form: str, venue: str, agenda: str = "",
                     start_time=None) -> Session:
    """Plan a 协商会. Guard 不调研不协商: research must be recorded (or waived by configuration) and
    the session may not be dated before the research."""
    topic = _lock_topic(topic)
    TOPIC.check(topic, actor, "session")
    if form not in SessionForm.values:
        raise DomainError(_("Choose a form from the list."), field="form")
    scheduled_on = dates.session_planned_on(scheduled_on, topic=topic)
    session = Session.objects.create(
        topic=topic, org_unit=topic.org_unit, org_path=topic.org_path, scheduled_on=scheduled_on,
        start_time=start_time, form=form, venue=_clean_text(venue, field="venue", label=_("Venue"), max_length=200),
        agenda=(agenda or "").strip(), created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_log(actor=actor, action="consultations.session.schedule", target=session,
              after=snapshot(session, ["topic", "scheduled_on", "form", "venue"]))
    if topic.status == TopicStatus.RESEARCHED:
        _set_status(actor=actor, topic=topic, status=TopicStatus.SCHEDULED, action="consultations.topic.scheduled")
    return session


def _lock_session(session: Session) -> Session:
    return Session.objects.select_for_update(of=("self",)).select_related("topic", "org_unit").get(pk=session.pk)


@transaction.atomic
def session_cancel(*, actor, session: Session, reason: str) -> Session:
    session = _lock_session(session)
    row = SESSION.check(session, actor, "cancel")
    reason = _clean_text(reason, field="reason", label=_("Reason"), max_length=2000)
    session.status = row.target
    bump_version(session, ["status"])
    audit_log(actor=actor, action="consultations.session.cancel", target=session, after={"status": session.status},
              note=reason)
    topic = _lock_topic(session.topic)
    if topic.status == TopicStatus.SCHEDULED and not topic.sessions.exclude(status=SessionStatus.CANCELLED).exists():
        _set_status(actor=actor, topic=topic, status=TopicStatus.RESEARCHED, action="consultations.topic.unscheduled")
    return session


@transaction.atomic
def participant_add(*, actor, session: Session, kind: str, name: str = "", member=None,
                    organisation: str = "") -> Participant:
    """Invite someone. Members must be known to the unit (its CPPCC tree or posted here)."""
    session = _lock_session(session)
    SESSION.check(session, actor, "invite")
    if kind not in ParticipantKind.values:
        raise DomainError(_("Choose a participant type from the list."), field="kind")
    if kind == ParticipantKind.MEMBER:
        if member is None:
            raise DomainError(_("Choose the member."), field="member")
        _check_members_known(session.topic, [member])
        if session.participants.filter(member=member).exists():
            raise DomainError(_("%(name)s is already invited.") % {"name": member.name}, field="member")
        name = member.name
    elif member is not None:
        raise DomainError(_("Only participants of type member are linked to a member."), field="member")
    participant = Participant.objects.create(
        session=session, kind=kind, member=member,
        name=_clean_text(name, field="name", label=_("Name"), max_length=60),
        organisation=_clean_text(organisation, field="organisation", label=_("Organisation"), max_length=100,
                                 required=False),
    )
    audit_log(actor=actor, action="consultations.participant.add", target=session,
              after={"participant": participant.name, "kind": kind})
    send_now(reminders.invitation_events([participant]))
    return participant


@transaction.atomic
def participant_remove(*, actor, participant: Participant) -> None:
    session = _lock_session(participant.session)
    SESSION.check(session, actor, "uninvite")
    audit_log(actor=actor, action="consultations.participant.remove", target=session,
              before={"participant": participant.name, "kind": participant.kind})
    participant.delete()


@transaction.atomic
def participant_respond(*, actor, participant: Participant, attending: bool, reason: str = "") -> Participant:
    """A member confirms an invitation or asks for leave (请假)."""
    participant = Participant.objects.select_for_update(of=("self",)).select_related("session__topic", "member").get(
        pk=participant.pk)
    if participant.member is None or participant.member.user_id != getattr(actor, "pk", None):
        raise NotAllowed()
    if participant.session.status != SessionStatus.PLANNED:
        raise GuardFailed(_("This session is no longer open for replies."))
    if not attending:
        reason = _clean_text(reason, field="reason", label=_("Reason"), max_length=200)
    before = {"attendance": participant.attendance}
    participant.attendance = Attendance.CONFIRMED if attending else Attendance.LEAVE
    participant.leave_reason = "" if attending else reason
    participant.save(update_fields=["attendance", "leave_reason"])
    audit_log(actor=actor, action="consultations.participant.respond", target=participant.session,
              before=before, after={"attendance": participant.attendance, "participant": participant.name})
    return participant


STAKEHOLDER_KINDS = {ParticipantKind.STAKEHOLDER, ParticipantKind.RESIDENT, ParticipantKind.PROPERTY}


def stakeholder_share(participants, residents_count: int = 0) -> Decimal | None:
    """Share (%) of stakeholders among those who attended (亳州: at least 50%). Unnamed residents
    count as stakeholders: they are the people concerned."""
    present = [p for p in participants if p.attendance == Attendance.ATTENDED]
    total = len(present) + residents_count
    if not total:
        return None
    stake = sum(1 for p in present if p.kind in STAKEHOLDER_KINDS) + residents_count
    return (Decimal(stake) * 100 / Decimal(total)).quantize(Decimal("0.01"))


@transaction.atomic
def session_hold(*, actor, session: Session, version=None, attendance: dict[int, str], steps_done=(),
                 residents_count: int = 0, summary: str = "", online_views: int = 0, votes_for=None,
                 votes_against=None, votes_abstain=None, held_on: datetime.date | None = None) -> Session:
    """Record that the session took place: attendance and leave, meeting steps, votes. Members
    who attended get a duty record. `held_on` is the day it was held (default: its planned date);
    the session's date becomes that day, checked against the order of event dates."""
    session = _lock_session(session)
    if not SESSION.may(session, actor, "hold"):
        raise NotAllowed()
    check_version(session, version, required=True)
    if held_on is not None:  # back-entry: the guards below judge the day it was held
        session.scheduled_on = dates.session_held_on(held_on, session=session)
    row = SESSION.check(session, actor, "hold")
    participants = list(session.participants.select_related("member"))
    by_id = {p.pk: p for p in participants}
    unknown = [pid for pid in attendance if pid not in by_id]
    if unknown:
        raise DomainError(_("The attendance list names people who were not invited."), field="attendance")
    final = {Attendance.ATTENDED, Attendance.LEAVE, Attendance.ABSENT}
    for pid, value in attendance.items():
        if value not in final:
            raise DomainError(_("Attendance must be attended, leave or absent."), field="attendance")
        by_id[pid].attendance = value
    for p in participants:
        if p.attendance not in final:  # invited or confirmed but not marked: absent
            p.attendance = Attendance.ABSENT
    Participant.objects.bulk_update(participants, ["attendance"])
    records_changed(Participant.objects.filter(session=session))  # bulk_update sends no signals
    residents_count = max(int(residents_count or 0), 0)
    if not any(p.attendance == Attendance.ATTENDED for p in participants) and not residents_count:
        raise GuardFailed(_("Record who attended: nobody is marked as present."), field="attendance")
    valid_steps = {"brief", "opinions", "interaction", "consensus", "report"}
    steps = [s for s in steps_done if s in valid_steps]
    for name, value in (("votes_for", votes_for), ("votes_against", votes_against), ("votes_abstain", votes_abstain)):
        if value is not None and int(value) < 0:
            raise DomainError(_("Votes cannot be negative."), field=name)
    session.status = row.target
    session.steps_done = steps
    session.residents_count = residents_count
    session.online_views = max(int(online_views or 0), 0)
    session.summary = (summary or "").strip()
    session.votes_for, session.votes_against, session.votes_abstain = votes_for, votes_against, votes_abstain
    session.stakeholder_ratio = stakeholder_share(participants, residents_count)
    session.held_at = timezone.now()
    fields = ["status", "steps_done", "residents_count", "online_views", "summary", "votes_for", "votes_against",
              "votes_abstain", "stakeholder_ratio", "held_at", "scheduled_on"]
    bump_version(session, fields)
    minimum = settings_keys.stakeholder_min_percent(session.org_unit, session.scheduled_on.year)
    note = ""
    if minimum and (session.stakeholder_ratio is None or session.stakeholder_ratio < minimum):
        note = _("Stakeholder share %(share)s%% is below this unit's minimum of %(min)d%%.") % {
            "share": session.stakeholder_ratio or 0, "min": minimum}
    audit_log(actor=actor, action="consultations.session.hold", target=session,
              after={**snapshot(session, ["status", "scheduled_on", "residents_count", "stakeholder_ratio"]),
                     "attended": sum(1 for p in participants if p.attendance == Attendance.ATTENDED)}, note=note)
    _sync_attendance_duty(session, participants, actor)
    topic = _lock_topic(session.topic)
    if topic.status == TopicStatus.SCHEDULED:
        _set_status(actor=actor, topic=topic, status=TopicStatus.CONSULTED, action="consultations.topic.consulted")
    return session


# --------------------------------------------------------------------------------------- outcome

@transaction.atomic
def outcome_record(*, actor, topic: Topic, consensus: bool, summary: str, minutes: str = "",
                   session: Session | None = None, recorded_on: datetime.date | None = None) -> Outcome:
    """成果: after a held session, record the result and the minutes; suggestions follow."""
    topic = _lock_topic(topic)
    row = TOPIC.check(topic, actor, "outcome")
    if session is not None and (session.topic_id != topic.pk or session.status != SessionStatus.HELD):
        raise DomainError(_("Choose a held session of this topic."), field="session")
    if session is None:
        session = topic.sessions.filter(status=SessionStatus.HELD).order_by("-scheduled_on").first()
    recorded_on = dates.outcome_recorded_on(recorded_on, topic=topic, session=session)
    outcome = Outcome.objects.create(
        topic=topic, session=session, consensus=bool(consensus), recorded_on=recorded_on,
        summary=_clean_text(summary, field="summary", label=_("Result")),
        minutes=(minutes or "").strip(), recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_log(actor=actor, action="consultations.outcome.record", target=topic,
              after={"consensus": outcome.consensus, "summary": outcome.summary[:200],
                     "recorded_on": recorded_on.isoformat()})
    _set_status(actor=actor, topic=topic, status=row.target, action="consultations.topic.handling")
    return outcome


@transaction.atomic
def outcome_mark_typical(*, actor, outcome: Outcome, typical: bool) -> Outcome:
    """典型案例: staff mark an outcome as a typical case (or unmark it); the annual report pack
    lists the typical cases of its unit and period."""
    outcome = Outcome.objects.select_for_update(of=("self",)).select_related("topic").get(pk=outcome.pk)
    if not rules.can_manage(actor, outcome.topic.org_path):
        raise NotAllowed()
    typical = bool(typical)
    if outcome.is_typical == typical:
        return outcome
    before = {"is_typical": outcome.is_typical}
    outcome.is_typical = typical
    outcome.save(update_fields=["is_typical"])
    audit_log(actor=actor, action="consultations.outcome.typical", target=outcome.topic, before=before,
              after={"is_typical": typical})
    return outcome


@transaction.atomic
def outcome_update(*, actor, outcome: Outcome, version=None, consensus: bool, summary: str,
                   minutes: str = "", recorded_on: datetime.date | None = None) -> Outcome:
    outcome = Outcome.objects.select_for_update(of=("self",)).select_related("topic").get(pk=outcome.pk)
    if not TOPIC.may(outcome.topic, actor, "outcome_edit"):
        raise NotAllowed()
    check_version(outcome, version, required=True)
    TOPIC.check(outcome.topic, actor, "outcome_edit")
    fields = ["consensus", "summary", "minutes", "recorded_on"]
    before = snapshot(outcome, fields)
    if recorded_on is not None:
        outcome.recorded_on = dates.outcome_recorded_on(recorded_on, topic=outcome.topic, session=outcome.session)
        last_routed = outcome.topic.suggestions.order_by("routed_on").values_list("routed_on", flat=True).first()
        if last_routed and outcome.recorded_on > last_routed:
            raise DomainError(_("The outcome cannot be dated after its suggestions were routed."), field="recorded_on")
    outcome.consensus = bool(consensus)
    outcome.summary = _clean_text(summary, field="summary", label=_("Result"))
    outcome.minutes = (minutes or "").strip()
    bump_version(outcome, fields)
    b, a = changed(before, snapshot(outcome, fields))
    if a:
        audit_log(actor=actor, action="consultations.outcome.update", target=outcome.topic, before=b, after=a)
    return outcome


def _check_handling_unit(topic: Topic, unit: OrgUnit | None) -> None:
    """A suggestion goes to one of selectors.handling_units_for(topic): active, of the topic's own
    subtree or a department of a government above it."""
    if unit is None:
        return
    if not selectors.handling_units_for(topic).filter(pk=unit.pk).exists():
        raise DomainError(_("Choose a handling unit of this topic's area or a department above it."),
                          field="handling_unit")


@transaction.atomic
def suggestion_add(*, actor, topic: Topic, text: str, route: str, handling_unit: OrgUnit | None = None,
                   handler_name: str = "", deadline: datetime.date | None = None,
                   routed_on: datetime.date | None = None) -> Suggestion:
    """One line of 协商建议 with its responsible party (routing of L76) and deadline. `routed_on`
    is the day it was sent (报送, default today); the deadline may not precede it."""
    topic = _lock_topic(topic)
    TOPIC.check(topic, actor, "suggestion")
    if route not in Route.values:
        raise DomainError(_("Choose a responsible party from the list."), field="route")
    if route == Route.DEPARTMENT and handling_unit is None:
        raise DomainError(_("Choose the department that handles this suggestion."), field="handling_unit")
    _check_handling_unit(topic, handling_unit)
    routed_on = dates.suggestion_routed_on(routed_on, topic=topic)
    if deadline and deadline < routed_on:
        raise DomainError(_("The handling deadline cannot be in the past."), field="deadline")
    suggestion = Suggestion.objects.create(
        routed_on=routed_on,
        topic=topic, text=_clean_text(text, field="text", label=_("Suggestion"), max_length=4000), route=route,
        handling_unit=handling_unit,
        handler_name=_clean_text(handler_name, field="handler_name", label=_("Handled by"), max_length=100,
                                 required=False),
        deadline=deadline,
    )
    audit_log(actor=actor, action="consultations.suggestion.add", target=topic,
              after={"suggestion": suggestion.pk, "route": route, "handling_unit": handling_unit.pk if handling_unit
                     else None, "deadline": deadline.isoformat() if deadline else None,
                     "routed_on": routed_on.isoformat()})
    send_now(reminders.suggestion_routed_events(suggestion))
    return suggestion


def _lock_suggestion(suggestion: Suggestion) -> Suggestion:
    return Suggestion.objects.select_for_update(of=("self",)).select_related("topic", "handling_unit").get(pk=suggestion.pk)


@transaction.atomic
def suggestion_accept(*, actor, suggestion: Suggestion, adopted: bool = True,
                      accepted_on: datetime.date | None = None) -> Suggestion:
    """The responsible party accepts the suggestion (采纳) and starts handling it, on
    `accepted_on` (default today)."""
    suggestion = _lock_suggestion(suggestion)
    row = SUGGESTION.check(suggestion, actor, "accept")
    suggestion.accepted_on = dates.suggestion_accepted_on(accepted_on, suggestion=suggestion)
    suggestion.status = row.target
    suggestion.adopted = bool(adopted)
    suggestion.accepted_at = timezone.now()
    suggestion.save(update_fields=["status", "adopted", "accepted_at", "accepted_on"])
    audit_log(actor=actor, action="consultations.suggestion.accept", target=suggestion.topic,
              after={"suggestion": suggestion.pk, "adopted": suggestion.adopted,
                     "accepted_on": suggestion.accepted_on.isoformat()})
    return suggestion


@transaction.atomic
def suggestion_progress(*, actor, suggestion: Suggestion, text: str) -> Suggestion:
    suggestion = _lock_suggestion(suggestion)
    SUGGESTION.check(suggestion, actor, "progress")
    text = _clean_text(text, field="text", label=_("Progress"), max_length=2000)
    line = f"{_today().isoformat()} {text}"
    suggestion.progress = f"{suggestion.progress}\n{line}".strip()
    suggestion.save(update_fields=["progress"])
    audit_log(actor=actor, action="consultations.suggestion.progress", target=suggestion.topic,
              after={"suggestion": suggestion.pk, "progress": text})
    return suggestion


@transaction.atomic
def suggestion_close(*, actor, suggestion: Suggestion, ending: str, feedback: str,
                     closed_on: datetime.date | None = None) -> Suggestion:
    """Feedback (反馈): the suggestion ends as solved, explained or escalated, on `closed_on`
    (default today). No closing without feedback."""
    suggestion = _lock_suggestion(suggestion)
    row = SUGGESTION.check(suggestion, actor, "feedback")
    if ending not in Ending.values:
        raise DomainError(_("Choose how the suggestion ended."), field="ending")
    suggestion.feedback = _clean_text(feedback, field="feedback", label=_("Feedback"), max_length=4000)
    suggestion.closed_on = dates.suggestion_closed_on(closed_on, suggestion=suggestion)
    suggestion.ending = ending
    suggestion.status = row.target
    suggestion.closed_at = timezone.now()
    if ending == Ending.SOLVED:
        suggestion.adopted = True
    suggestion.save(update_fields=["feedback", "ending", "status", "closed_at", "closed_on", "adopted"])
    audit_log(actor=actor, action="consultations.suggestion.close", target=suggestion.topic,
              after={"suggestion": suggestion.pk, "ending": ending, "closed_on": suggestion.closed_on.isoformat()})
    return suggestion


@transaction.atomic
def instruction_add(*, actor, topic: Topic, leader: str, given_on: datetime.date | None, text: str) -> Instruction:
    """A leader's 批示 on the outcome, with who and when."""
    topic = _lock_topic(topic)
    TOPIC.check(topic, actor, "instruction")
    given_on = dates.instruction_given_on(given_on, topic=topic)
    instruction = Instruction.objects.create(
        topic=topic, leader=_clean_text(leader, field="leader", label=_("Leader"), max_length=100),
        given_on=given_on, text=_clean_text(text, field="text", label=_("Instruction"), max_length=4000),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_log(actor=actor, action="consultations.instruction.add", target=topic,
              after={"leader": instruction.leader, "given_on": given_on.isoformat()})
    return instruction


# ------------------------------------------------------------------------------ closing, 回头看

@transaction.atomic
def topic_close(*, actor, topic: Topic, closed_on: datetime.date | None = None) -> Topic:
    """Close the loop once every suggestion has feedback, on `closed_on` (default today); schedules
    the 回头看 automatically, counted from that day."""
    topic = _lock_topic(topic)
    row = TOPIC.check(topic, actor, "close")
    topic.closed_on = dates.topic_closed_on(closed_on, topic=topic)
    topic.closed_at = timezone.now()
    _set_status(actor=actor, topic=topic, status=row.target, action="consultations.topic.close",
                extra_fields=["closed_at", "closed_on"])
    due = topic.closed_on + datetime.timedelta(days=settings_keys.followup_days(topic.org_unit, topic.closed_on.year))
    followup = FollowUp.objects.create(topic=topic, due_on=due)
    audit_log(actor=actor, action="consultations.followup.schedule", target=topic,
              after={"followup": followup.pk, "due_on": due.isoformat()})
    return topic


@transaction.atomic
def followup_record(*, actor, followup: FollowUp, done_on: datetime.date | None, findings: str,
                    reopen: bool = False) -> FollowUp:
    """回头看: record the review; `reopen` sends the topic back to handling."""
    followup = FollowUp.objects.select_for_update(of=("self",)).select_related("topic").get(pk=followup.pk)
    topic = _lock_topic(followup.topic)
    if not TOPIC.may(topic, actor, "followup"):
        raise NotAllowed()
    if followup.status != FollowUpStatus.DUE:
        raise GuardFailed(_("This follow-up review is already recorded."))
    row = TOPIC.check(topic, actor, "followup")
    done_on = dates.followup_done_on(done_on, topic=topic)
    followup.findings = _clean_text(findings, field="findings", label=_("Findings"))
    followup.done_on = done_on
    followup.status = FollowUpStatus.DONE
    followup.reopened = bool(reopen)
    followup.save(update_fields=["findings", "done_on", "status", "reopened"])
    audit_log(actor=actor, action="consultations.followup.record", target=topic,
              after={"followup": followup.pk, "done_on": done_on.isoformat(), "reopened": followup.reopened})
    if reopen:
        topic.closed_at = None
        topic.closed_on = None
        _set_status(actor=actor, topic=topic, status=TopicStatus.HANDLING, action="consultations.topic.reopen",
                    extra_fields=["closed_at", "closed_on"])
    else:
        _set_status(actor=actor, topic=topic, status=row.target, action="consultations.topic.reviewed")
    return followup


@transaction.atomic
def evaluation_add(*, actor, topic: Topic, rater_kind: str, score: int, rater_name: str = "",
                   comment: str = "") -> Evaluation:
    """评事: rate a closed topic's results."""
    topic = _lock_topic(topic)
    TOPIC.check(topic, actor, "evaluate")
    if rater_kind not in RaterKind.values:
        raise DomainError(_("Choose who rates from the list."), field="rater_kind")
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise DomainError(_("The score is a whole number from 1 to 5."), field="score")
    evaluation = Evaluation.objects.create(
        topic=topic, rater_kind=rater_kind, score=score,
        rater_name=_clean_text(rater_name, field="rater_name", label=_("Rater"), max_length=100, required=False),
        comment=(comment or "").strip(), created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_log(actor=actor, action="consultations.evaluation.add", target=topic,
              after={"rater_kind": rater_kind, "score": score})
    return evaluation


# ------------------------------------------------------------------------------------ evidence

def validate_upload(upload) -> str:
    """Check size and type of an uploaded file by its name AND its first bytes; returns the
    clean original name."""
    name = os.path.basename(getattr(upload, "name", "") or "")[:200]
    ext = os.path.splitext(name)[1].lower()
    if ext not in ALLOWED_UPLOADS:
        raise DomainError(_("This kind of file is not accepted. Upload PDF, Word, Excel, PowerPoint, JPEG, PNG or "
                            "text files."), field="file")
    size = getattr(upload, "size", 0) or 0
    if size <= 0:
        raise DomainError(_("The file is empty."), field="file")
    if size > MAX_UPLOAD_BYTES:
        raise DomainError(_("The file is too large (at most %(mb)d MB).") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
                          field="file")
    if not content_matches(upload, ext):
        raise DomainError(_("The file's content does not match its type; it may be damaged."), field="file")
    return name


@transaction.atomic
def attachment_add(*, actor, topic: Topic, upload, stage: str = Stage.TOPIC, description: str = "") -> Attachment:
    topic = _lock_topic(topic)
    TOPIC.check(topic, actor, "attach")
    if stage not in Stage.values:
        raise DomainError(_("Choose a stage from the list."), field="stage")
    name = validate_upload(upload)
    attachment = Attachment(
        topic=topic, stage=stage, original_name=name, size=upload.size,
        description=_clean_text(description, field="description", label=_("Description"), max_length=200,
                                required=False),
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    ext = os.path.splitext(name)[1].lower()
    attachment.file.save(f"{timezone.now():%Y%m%d%H%M%S}{ext}", upload, save=False)
    attachment.save()
    audit_log(actor=actor, action="consultations.attachment.add", target=topic,
              after={"attachment": attachment.pk, "name": name, "stage": stage, "size": upload.size})
    return attachment


@transaction.atomic
def attachment_remove(*, actor, attachment: Attachment) -> None:
    """Archived, not deleted: the file stays for the record."""
    topic = _lock_topic(attachment.topic)
    TOPIC.check(topic, actor, "detach")
    attachment.is_active = False
    attachment.save(update_fields=["is_active"])
    audit_log(actor=actor, action="consultations.attachment.remove", target=topic,
              before={"attachment": attachment.pk, "name": attachment.original_name})


@transaction.atomic
def minutes_template_upload(*, actor, org_unit: OrgUnit, upload, name: str = ""):
    """A unit's own Word template for the minutes; replaces its previous one. Broken fields are
    refused here, with the field named."""
    from .documents import check_template
    from .models import DocumentTemplate

    if not rules.can_manage(actor, org_unit.path):
        raise NotAllowed()
    filename = os.path.basename(getattr(upload, "name", "") or "")
    if os.path.splitext(filename)[1].lower() != ".docx":
        raise DomainError(_("The template could not be read. Upload a Word (.docx) document."), field="file")
    validate_upload(upload)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    check_template(data)
    DocumentTemplate.objects.filter(org_unit=org_unit, is_active=True).update(is_active=False)
    template = DocumentTemplate(org_unit=org_unit, name=(name or filename)[:100],
                                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None)
    template.file.save(f"minutes-{org_unit.pk}-{timezone.now():%Y%m%d%H%M%S}.docx", upload, save=False)
    template.save()
    audit_log(actor=actor, action="consultations.template.upload", target=template,
              after={"name": template.name, "unit": org_unit.pk})
    return template


# ------------------------------------------------------------- one sitting: the session record
#
# `session_record` lets a secretary record a whole session on one page in one submit: schedule or
# reschedule, invite many people, mark attendance, record it as held, the outcome and its
# suggestions. It composes the single-step services above (each still guarded and audited) inside
# one transaction, so an error anywhere leaves nothing half-written.

MAX_PEOPLE_PER_SUBMIT = 200
MARKUP_CHARS = set("<>{}")


def _require_session_manager(actor, session: Session) -> None:
    # The steps below are not rows of workflows.SESSION (yet): the same managers as there.
    if not rules.can_manage(actor, session.org_path):
        raise NotAllowed()


def _clean_person_name(name: str, *, field: str) -> str:
    name = _clean_text(name, field=field, label=_("Name"), max_length=60)
    if MARKUP_CHARS & set(name):
        raise DomainError(_("“%(name)s”: names cannot contain < > { or }.") % {"name": name[:20]}, field=field)
    return name


@transaction.atomic
def session_reschedule(*, actor, session: Session, scheduled_on: datetime.date, form: str | None = None,
                       venue: str | None = None, start_time=None, agenda: str | None = None,
                       version=None) -> Session:
    """Move a planned session to another day, time or place without cancelling it (the
    invitations stay). Same guard as scheduling: not before the topic's research."""
    session = _lock_session(session)
    _require_session_manager(actor, session)
    check_version(session, version)
    if session.status != SessionStatus.PLANNED:
        raise GuardFailed(_("Only a planned session can be rescheduled."))
    if form is not None and form not in SessionForm.values:
        raise DomainError(_("Choose a form from the list."), field="form")
    last_research = session.topic.research.order_by("-done_on").values_list("done_on", flat=True).first()
    if last_research and scheduled_on < last_research:
        raise DomainError(
            _("The session cannot be dated before the research of %(date)s.") % {"date": last_research.isoformat()},
            field="scheduled_on")
    fields = ["scheduled_on", "start_time", "form", "venue", "agenda"]
    before = snapshot(session, fields)
    session.scheduled_on = scheduled_on
    session.start_time = start_time
    if form is not None:
        session.form = form
    if venue is not None:
        session.venue = _clean_text(venue, field="venue", label=_("Venue"), max_length=200)
    if agenda is not None:
        session.agenda = agenda.strip()
    b, a = changed(before, snapshot(session, fields))
    if a:
        bump_version(session, fields)
        audit_log(actor=actor, action="consultations.session.reschedule", target=session, before=b, after=a)
    return session


@transaction.atomic
def participants_invite(*, actor, session: Session, members=(), others=(),
                        attendance: str = Attendance.INVITED, reason: str = "") -> list[Participant]:
    """Invite many at once: `members` (Member records) and `others` ((name, organisation, kind)
    tuples). Someone already on the list, or named twice, is refused with their name — nothing
    is saved twice. On a held session this is a correction (audited with `reason`): the people
    added are recorded with `attendance` and attending members get their duty record."""
    session = _lock_session(session)
    _require_session_manager(actor, session)
    if session.status == SessionStatus.CANCELLED:
        raise GuardFailed(_("Nobody can be invited to a cancelled session."))
    held = session.status == SessionStatus.HELD
    members, others = list(members), list(others)
    if len(members) + len(others) > MAX_PEOPLE_PER_SUBMIT:
        raise DomainError(_("At most %(n)d people can be invited at once.") % {"n": MAX_PEOPLE_PER_SUBMIT},
                          field="others")
    if attendance not in Attendance.values:
        raise DomainError(_("Attendance must be attended, leave or absent."), field="attendance")
    existing = list(session.participants.all())
    invited_members = {p.member_id for p in existing if p.member_id}
    invited_names = {(p.name, p.organisation) for p in existing if p.member_id is None}
    seen_members: set[int] = set()
    if members:
        _check_members_known(session.topic, members)
    rows = []
    for member in members:
        if member.pk in invited_members or member.pk in seen_members:
            raise DomainError(_("%(name)s is already invited.") % {"name": member.name}, field="members")
        seen_members.add(member.pk)
        rows.append(Participant(session=session, kind=ParticipantKind.MEMBER, member=member, name=member.name,
                                attendance=attendance))
    for name, organisation, kind in others:
        name = _clean_person_name(name, field="others")
        organisation = _clean_text(organisation, field="others", label=_("Organisation"), max_length=100,
                                   required=False)
        if MARKUP_CHARS & set(organisation):
            raise DomainError(_("“%(name)s”: names cannot contain < > { or }.") % {"name": organisation[:20]},
                              field="others")
        if kind not in ParticipantKind.values or kind == ParticipantKind.MEMBER:
            raise DomainError(_("Choose a participant type from the list."), field="others_kind")
        if (name, organisation) in invited_names:
            raise DomainError(_("%(name)s is already invited.") % {"name": name}, field="others")
        invited_names.add((name, organisation))
        rows.append(Participant(session=session, kind=kind, name=name, organisation=organisation,
                                attendance=attendance))
    if held and not (reason or "").strip():
        raise DomainError(_("Say why the list of a held session is corrected."), field="reason")
    created = Participant.objects.bulk_create(rows)
    if created:
        audit_log(actor=actor, action="consultations.participant.add_many", target=session,
                  after={"participants": [p.name for p in created], "attendance": attendance},
                  note=(reason or "").strip()[:500])
    if not held:
        send_now(reminders.invitation_events(created))
    if held:
        from members.services import duty_record_add

        for p in created:
            if p.member_id and p.attendance == Attendance.ATTENDED:
                duty_record_add(member=p.member, kind="session_attended", source=session,
                                occurred_on=session.scheduled_on, title=str(session.topic.title),
                                activity_unit=session.org_unit, actor=actor)
        _refresh_stakeholder_share(session)
    return created


def _refresh_stakeholder_share(session: Session) -> None:
    session.stakeholder_ratio = stakeholder_share(list(session.participants.all()), session.residents_count)
    bump_version(session, ["stakeholder_ratio", "residents_count"])


@transaction.atomic
def attendance_mark(*, actor, session: Session, attendance: dict[int, str]) -> Session:
    """Before (or on) the day: note who asked for leave or will be absent, and who confirmed.
    The final attendance is recorded when the session is recorded as held."""
    session = _lock_session(session)
    _require_session_manager(actor, session)
    if session.status != SessionStatus.PLANNED:
        raise GuardFailed(_("Attendance of a held session is corrected, not marked."))
    by_id = {p.pk: p for p in session.participants.all()}
    if any(pid not in by_id for pid in attendance):
        raise DomainError(_("The attendance list names people who were not invited."), field="attendance")
    before, after, changed_rows = {}, {}, []
    for pid, value in attendance.items():
        # "present" before the day means: expected, i.e. confirmed.
        value = Attendance.CONFIRMED if value == Attendance.ATTENDED else value
        if value not in {Attendance.CONFIRMED, Attendance.LEAVE, Attendance.ABSENT, Attendance.INVITED}:
            raise DomainError(_("Attendance must be attended, leave or absent."), field="attendance")
        p = by_id[pid]
        if p.attendance == value or (value == Attendance.CONFIRMED and p.attendance == Attendance.INVITED
                                     and p.member_id):
            continue  # a member's own confirmation is theirs to give
        before[p.name], after[p.name] = p.attendance, value
        p.attendance = value
        changed_rows.append(p)
    if changed_rows:
        Participant.objects.bulk_update(changed_rows, ["attendance"])
        audit_log(actor=actor, action="consultations.attendance.mark", target=session, before=before, after=after)
    return session


@transaction.atomic
def attendance_correct(*, actor, session: Session, attendance: dict[int, str], reason: str,
                       residents_count: int | None = None, version=None) -> Session:
    """After the session is held: correct who attended (and the resident count). Audited with
    the reason; members' duty records follow the correction."""
    session = _lock_session(session)
    _require_session_manager(actor, session)
    check_version(session, version)
    if session.status != SessionStatus.HELD:
        raise GuardFailed(_("Only the attendance of a held session can be corrected."))
    participants = list(session.participants.select_related("member"))
    by_id = {p.pk: p for p in participants}
    if any(pid not in by_id for pid in attendance):
        raise DomainError(_("The attendance list names people who were not invited."), field="attendance")
    final = {Attendance.ATTENDED, Attendance.LEAVE, Attendance.ABSENT}
    before, after, touched = {}, {}, []
    for pid, value in attendance.items():
        if value not in final:
            raise DomainError(_("Attendance must be attended, leave or absent."), field="attendance")
        p = by_id[pid]
        if p.attendance != value:
            before[p.name], after[p.name] = p.attendance, value
            p.attendance = value
            touched.append(p)
    if residents_count is not None:
        residents_count = max(int(residents_count), 0)
        if residents_count != session.residents_count:
            before["residents_count"], after["residents_count"] = session.residents_count, residents_count
            session.residents_count = residents_count
    if not after:
        return session
    reason = _clean_text(reason, field="reason", label=_("Reason"), max_length=500)
    if not any(p.attendance == Attendance.ATTENDED for p in participants) and not session.residents_count:
        raise GuardFailed(_("Record who attended: nobody is marked as present."), field="attendance")
    Participant.objects.bulk_update(touched, ["attendance"])
    _refresh_stakeholder_share(session)
    audit_log(actor=actor, action="consultations.attendance.correct", target=session, before=before, after=after,
              note=reason)
    _sync_attendance_duty(session, touched, actor)
    return session


def minutes_draft(*, session: Session, participants, outcome_summary: str = "", consensus: bool = True,
                  suggestions=()) -> str:
    """The minutes (协商纪要) drafted from the session record, for the secretary to edit: the
    meeting, who took part, what happened, the result and the suggestions — typed once."""
    from .models import MEETING_STEPS

    step_labels = dict(MEETING_STEPS)
    present = [p for p in participants if p.attendance == Attendance.ATTENDED]
    absent = [p for p in participants if p.attendance == Attendance.LEAVE]
    lines = [
        _("Topic: %(t)s") % {"t": session.topic.title},
        _("Time and place: %(d)s %(time)s, %(v)s (%(f)s)") % {
            "d": session.scheduled_on.isoformat(), "time": session.start_time.strftime("%H:%M")
            if session.start_time else "", "v": session.venue, "f": session.get_form_display()},
        _("Present: %(names)s") % {"names": "、".join(
            f"{p.name}（{p.organisation}）" if p.organisation else p.name for p in present) or "—"},
    ]
    if absent:
        lines.append(_("On leave: %(names)s") % {"names": "、".join(p.name for p in absent)})
    if session.residents_count:
        lines.append(_("Residents present (person-times): %(n)d") % {"n": session.residents_count})
    if session.steps_done:
        lines.append(_("Steps: %(s)s") % {"s": "、".join(str(step_labels.get(s, s)) for s in session.steps_done)})
    if session.votes_for is not None:
        lines.append(_("Votes: %(f)d for, %(a)d against, %(b)d abstaining") % {
            "f": session.votes_for or 0, "a": session.votes_against or 0, "b": session.votes_abstain or 0})
    if session.summary:
        lines += ["", _("What happened:"), session.summary]
    lines += ["", _("Result:") + " " + (_("consensus reached") if consensus else _("no consensus"))]
    if outcome_summary:
        lines.append(outcome_summary)
    if suggestions:
        lines += ["", _("Suggestions:")]
        for i, s in enumerate(suggestions, 1):
            unit = s.get("handling_unit")
            who = str(unit) if unit else s.get("handler_name") or str(Route(s["route"]).label)
            due = s["deadline"].isoformat() if s.get("deadline") else ""
            lines.append(f"{i}. {s['text']}（{who}{'，' + due if due else ''}）")
    return "\n".join(lines)


def _check_suggestion_row(topic: Topic, row: dict) -> None:
    _clean_text(row.get("text"), field="text", label=_("Suggestion"), max_length=4000)
    if row.get("route") not in Route.values:
        raise DomainError(_("Choose a responsible party from the list."), field="route")
    if row["route"] == Route.DEPARTMENT and row.get("handling_unit") is None:
        raise DomainError(_("Choose the department that handles this suggestion."), field="handling_unit")
    _check_handling_unit(topic, row.get("handling_unit"))
    if row.get("deadline") and row["deadline"] < _today():
        raise DomainError(_("The handling deadline cannot be in the past."), field="deadline")


@transaction.atomic
def session_record(*, actor, topic: Topic, session: Session | None = None, version=None,
                   schedule: dict, members=(), others=(), attendance: dict[int, str] | None = None,
                   hold: bool = False, held: dict | None = None, outcome: dict | None = None,
                   suggestions=(), correction_reason: str = "") -> Session:
    """Everything of one session in one transaction, through the single-step services:

    - `schedule` (scheduled_on, start_time, form, venue, agenda): plans the session, or
      reschedules the planned one;
    - `members`, `others`: invited at once (on a held session: added as a correction);
    - `attendance` {participant id: attended/leave/absent} for people already on the list;
      people invited in this submit are present when the session is recorded as held;
    - `hold` with `held` (steps_done, residents_count, summary, votes…): records it as held;
    - `outcome` (consensus, summary, minutes) and `suggestions` (text, route, handling_unit,
      handler_name, deadline): the result, recorded once the session is held. Empty minutes are
      drafted from the record.

    Errors carry the field they belong to; suggestion rows as ``suggestions-<i>-<field>``."""
    attendance = dict(attendance or {})
    held = dict(held or {})
    suggestions = [dict(s) for s in suggestions]
    # Cheap checks of the suggestion rows first, so a wrong row is reported before anything is
    # written (the services below check again).
    for i, row in enumerate(suggestions):
        try:
            _check_suggestion_row(topic, row)
        except DomainError as exc:
            exc.field = f"suggestions-{i}-{exc.field or 'text'}"
            raise
    if session is None:
        session = session_schedule(actor=actor, topic=topic, **schedule)
    else:
        session = _lock_session(session)
        if session.topic_id != topic.pk:
            raise DomainError(_("This session belongs to another topic."))
        check_version(session, version)
        if session.status == SessionStatus.PLANNED:
            session = session_reschedule(actor=actor, session=session, **schedule)
        elif session.status == SessionStatus.CANCELLED:
            raise GuardFailed(_("A cancelled session cannot be recorded."))
    was_held = session.status == SessionStatus.HELD
    if was_held:
        if members or others:
            participants_invite(actor=actor, session=session, members=members, others=others,
                                attendance=Attendance.ATTENDED, reason=correction_reason)
        session = attendance_correct(actor=actor, session=session, attendance=attendance,
                                     residents_count=held.get("residents_count"), reason=correction_reason)
        return session
    new = participants_invite(actor=actor, session=session, members=members, others=others)
    if not hold:
        if attendance:
            attendance_mark(actor=actor, session=session, attendance=attendance)
        return session
    attendance.update({p.pk: Attendance.ATTENDED for p in new})
    session = session_hold(actor=actor, session=session, version=session.version, attendance=attendance,
                           steps_done=held.get("steps_done", ()), residents_count=held.get("residents_count") or 0,
                           summary=held.get("summary", ""), online_views=held.get("online_views") or 0,
                           votes_for=held.get("votes_for"), votes_against=held.get("votes_against"),
                           votes_abstain=held.get("votes_abstain"))
    if outcome is None:
        if suggestions:
            raise DomainError(_("Give the result of the consultation before its suggestions."),
                              field="outcome_summary")
        return session
    topic = _lock_topic(topic)
    if Outcome.objects.filter(topic=topic).exists():
        raise GuardFailed(_("The outcome is already recorded; edit it instead."), field="outcome_summary")
    minutes = (outcome.get("minutes") or "").strip()
    if not minutes:
        minutes = minutes_draft(session=session, participants=list(session.participants.all()),
                                outcome_summary=outcome.get("summary", ""), consensus=outcome["consensus"],
                                suggestions=suggestions)
    try:
        outcome_record(actor=actor, topic=topic, consensus=outcome["consensus"], summary=outcome.get("summary", ""),
                       minutes=minutes, session=session)
    except DomainError as exc:
        exc.field = {"summary": "outcome_summary"}.get(exc.field, exc.field)
        raise
    for i, row in enumerate(suggestions):
        try:
            suggestion_add(actor=actor, topic=topic, **row)
        except DomainError as exc:
            exc.field = f"suggestions-{i}-{exc.field}" if exc.field else f"suggestions-{i}-text"
            raise
    return session


# ----------------------------------------------------------------------------- 扫码签到 (QR)

SIGNIN_SALT = "consultations.signin"


def signin_token(session: Session) -> str:
    """The signed token of a session's QR code (django.core.signing: cannot be forged; checked
    for age and for the session's day when used)."""
    from django.core import signing

    return signing.dumps({"s": session.pk, "d": session.scheduled_on.isoformat()}, salt=SIGNIN_SALT, compress=True)


def signin_session(token: str) -> Session:
    """The session a token opens for signing in, or DomainError: forged, expired (older than 120
    days), another day than the session's (a rescheduled session has a new code), or the
    session no longer open."""
    from django.core import signing

    try:
        # Printed on the agenda weeks ahead is fine; the day itself is checked below.
        data = signing.loads(token, salt=SIGNIN_SALT, max_age=datetime.timedelta(days=120))
        session = Session.objects.select_related("topic").get(pk=int(data["s"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError, Session.DoesNotExist):
        raise DomainError(_("This sign-in code is not valid or has expired. Scan the code shown at the session."))
    if data.get("d") != session.scheduled_on.isoformat() or session.scheduled_on != _today():
        raise GuardFailed(_("Signing in is open on the day of the session only."))
    if session.status != SessionStatus.PLANNED:
        raise GuardFailed(_("Signing in is closed: the session has been recorded."))
    return session


@transaction.atomic
def signin_record(*, token: str, device: str, user=None, name: str = "", phone_last4: str = "") -> SignIn:
    """A sign-in from a participant's phone. A member (signed-in `user` with a member record) is
    marked attended, and added to the list if not invited; a resident gives a name and the last
    four digits of a phone number. Once per device and, for residents, per phone ending."""
    from members.models import Member

    session = signin_session(token)
    session = _lock_session(session)
    if session.status != SessionStatus.PLANNED:
        raise GuardFailed(_("Signing in is closed: the session has been recorded."))
    if not device or len(device) > 64:
        raise DomainError(_("Your browser did not keep the sign-in cookie; allow cookies and scan again."))
    if SignIn.objects.filter(session=session, device=device).exists():
        raise GuardFailed(_("This phone has already been used to sign in to this session."))
    member = None
    if user is not None and getattr(user, "is_authenticated", False):
        member = Member.objects.filter(user=user, is_active=True).first()
    if member is not None:
        if SignIn.objects.filter(session=session, member=member).exists():
            raise GuardFailed(_("You have already signed in."))
        participant = session.participants.filter(member=member).first()
        if participant is None:
            participant = Participant.objects.create(session=session, kind=ParticipantKind.MEMBER, member=member,
                                                     name=member.name)
        participant.attendance = Attendance.ATTENDED
        participant.save(update_fields=["attendance"])
        signin = SignIn.objects.create(session=session, member=member, name=member.name, device=device)
    else:
        name = _clean_person_name(name, field="name")
        phone_last4 = (phone_last4 or "").strip()
        if not (len(phone_last4) == 4 and phone_last4.isdigit()):
            raise DomainError(_("Enter the last four digits of your phone number."), field="phone_last4")
        if SignIn.objects.filter(session=session, phone_last4=phone_last4).exists():
            raise GuardFailed(_("Someone has already signed in with this phone number."), field="phone_last4")
        signin = SignIn.objects.create(session=session, name=name, phone_last4=phone_last4, device=device)
    audit_log(actor=user if member is not None else None, action="consultations.signin", target=session,
              after={"name": signin.name, "member": bool(member)})
    return signin


def _sync_attendance_duty(session: Session, participants, actor) -> None:
    """Members present get a "session attended" duty record; the others lose it (held or corrected)."""
    from members.services import duty_record_add, duty_record_withdraw

    for p in participants:
        if p.member_id is None:
            continue
        if p.attendance == Attendance.ATTENDED:
            duty_record_add(member=p.member, kind="session_attended", source=session,
                            occurred_on=session.scheduled_on, title=str(session.topic.title),
                            activity_unit=session.org_unit, actor=actor)
        else:
            duty_record_withdraw(member=p.member, kind="session_attended", source=session, actor=actor)
