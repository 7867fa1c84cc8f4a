"""Every write of the hall: atomic, permission-checked, guarded and audited.

Residents' writes (submissions, comments, supports, ratings …) are checked for rate limits and the
challenge in the view (they depend on the request); the rules about state live here."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.config import config_get
from organizations.models import OrgUnit, Role, UnitKind
from organizations.permissions import MANAGE_ROLES, has_role, require_role, role_unit_paths
from organizations.services import role_assign
from portal.audit import audit_log, snapshot
from portal.concurrency import bump_version, check_version
from portal.errors import DomainError, GuardFailed, NotAllowed
from portal.event_dates import check_event_date
from portal.metrics import records_changed

from .models import (
    AbuseReport,
    Comment,
    LiveQuestion,
    LiveSession,
    OnlineConsultation,
    QuestionnaireResponse,
    Rating,
    Submission,
    SubmissionPhoto,
    Support,
)

# Who screens submissions and moderates the hall of a unit.
STAFF_ROLES = MANAGE_ROLES
COMMUNITY_KINDS = (UnitKind.VILLAGE, UnitKind.COMPOUND, UnitKind.GRID, UnitKind.GROUP)
MODERATION_KEY = "hall.moderation"
HIDE_AFTER_REPORTS = 5  # a comment reported by this many people is hidden until a moderator looks


# --- Submissions (群众出题) ----------------------------------------------------------------------


@transaction.atomic
def submission_create(*, unit: OrgUnit, title: str, body: str, location: str = "", contact_name: str = "",
                      contact_phone: str = "", photos: list[tuple[bytes, int, int]] = (), submitter=None
                      ) -> Submission:
    """A resident proposes a topic for their community. `photos` are already sanitised."""
    if unit.kind not in COMMUNITY_KINDS or not unit.is_active:
        raise GuardFailed(_("Choose a community or village for your topic."), field="unit")
    submission = Submission.objects.create(
        org_unit=unit, title=title.strip(), body=body.strip(), location=location.strip(),
        contact_name=contact_name.strip(), contact_phone=contact_phone.strip(),
        submitter=submitter if getattr(submitter, "is_authenticated", False) else None,
    )
    from .similar import submission_terms_refresh

    if submission_terms_refresh(submission):
        submission.save(update_fields=["similarity_terms"])
    for data, width, height in photos:
        photo = SubmissionPhoto(submission=submission, width=width, height=height)
        photo.image.save("photo.jpg", ContentFile(data), save=True)
    audit_log(actor=submitter, action="hall.submission.create", target=submission,
              after=snapshot(submission, ["title", "org_unit", "status"]))
    return submission


def _create_topic(*, actor, submission: Submission, title: str, description: str):
    """Hand the submission over to the closed loop (consultations), as a 群众出题 topic."""
    from consultations.services import topic_create

    return topic_create(actor=actor, org_unit=submission.org_unit, title=title, description=description,
                        channel="resident", source_ref=f"hall:{submission.tracking_code}")


@transaction.atomic
def submission_accept(*, actor, submission: Submission, title: str, description: str, reply: str = "",
                      internal_note: str = "") -> Submission:
    """In one step: create the consultation topic and keep the link on the submission."""
    require_role(actor, STAFF_ROLES, submission.org_path)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != Submission.Status.NEW:
        raise GuardFailed(_("This submission has already been screened."))
    before = snapshot(submission, ["status", "reply"])
    topic = _create_topic(actor=actor, submission=submission, title=title.strip() or submission.title,
                          description=description.strip() or submission.body)
    submission.topic = topic
    submission.status = Submission.Status.ACCEPTED
    submission.reply = reply.strip()
    submission.internal_note = internal_note.strip()
    submission.screened_by = actor
    submission.screened_at = timezone.now()
    submission.save()
    audit_log(actor=actor, action="hall.submission.accept", target=submission, before=before,
              after={**snapshot(submission, ["status", "reply"]), "topic": topic.pk})
    return submission


@transaction.atomic
def submission_decline(*, actor, submission: Submission, reply: str, internal_note: str = "") -> Submission:
    require_role(actor, STAFF_ROLES, submission.org_path)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != Submission.Status.NEW:
        raise GuardFailed(_("This submission has already been screened."))
    if not reply.strip():
        raise GuardFailed(_("Tell the resident why the topic is not taken up."), field="reply")
    before = snapshot(submission, ["status", "reply"])
    submission.status = Submission.Status.DECLINED
    submission.reply = reply.strip()
    submission.internal_note = internal_note.strip()
    submission.screened_by = actor
    submission.screened_at = timezone.now()
    submission.save()
    audit_log(actor=actor, action="hall.submission.decline", target=submission, before=before,
              after=snapshot(submission, ["status", "reply"]))
    return submission


# --- Online consultations (网络协商) ---------------------------------------------------------------


@transaction.atomic
def consultation_create(*, actor, unit: OrgUnit, title: str, background: str, opens_at, closes_at,
                        questions: list[tuple[str, list[str]]] = ()) -> OnlineConsultation:
    require_role(actor, STAFF_ROLES, unit)
    if closes_at <= opens_at:
        raise GuardFailed(_("The consultation must close after it opens."), field="closes_at")
    consultation = OnlineConsultation.objects.create(
        org_unit=unit, title=title.strip(), background=background.strip(), opens_at=opens_at,
        closes_at=closes_at, created_by=actor,
    )
    for position, (text, choices) in enumerate(questions):
        consultation.questions.create(text=text, choices=list(choices), position=position)
    audit_log(actor=actor, action="hall.consultation.create", target=consultation,
              after=snapshot(consultation, ["title", "opens_at", "closes_at", "status"]))
    return consultation


@transaction.atomic
def consultation_publish(*, actor, consultation: OnlineConsultation, version=None) -> OnlineConsultation:
    require_role(actor, STAFF_ROLES, consultation.org_path)
    consultation = OnlineConsultation.objects.select_for_update().get(pk=consultation.pk)
    check_version(consultation, version)
    if consultation.status != OnlineConsultation.Status.DRAFT:
        raise GuardFailed(_("This consultation is already published."))
    consultation.status = OnlineConsultation.Status.PUBLISHED
    consultation.published_at = timezone.now()
    bump_version(consultation, ["status", "published_at"])
    audit_log(actor=actor, action="hall.consultation.publish", target=consultation,
              before={"status": "draft"}, after={"status": "published"})
    return consultation


@transaction.atomic
def consultation_set_result(*, actor, consultation: OnlineConsultation, result: str, version=None
                            ) -> OnlineConsultation:
    require_role(actor, STAFF_ROLES, consultation.org_path)
    consultation = OnlineConsultation.objects.select_for_update().get(pk=consultation.pk)
    check_version(consultation, version, required=True)
    if not consultation.is_closed():
        raise GuardFailed(_("The result can be published once the consultation has closed."))
    before = snapshot(consultation, ["result"])
    consultation.result = result.strip()
    bump_version(consultation, ["result"])
    audit_log(actor=actor, action="hall.consultation.result", target=consultation, before=before,
              after=snapshot(consultation, ["result"]))
    return consultation


def record_view(model, pk: int) -> None:
    """Count a page view with one UPDATE (no read-modify-write races)."""
    model.objects.filter(pk=pk).update(view_count=F("view_count") + 1)
    records_changed(model.objects.filter(pk=pk))  # the reports count views


def _speaker(user, consultation: OnlineConsultation) -> tuple[str, str]:
    """(kind, shown label): departments answer officially, members post as members."""
    department_paths = role_unit_paths(user, Role.DEPARTMENT)
    if department_paths:
        unit = OrgUnit.objects.filter(path__in=department_paths).order_by("path").first()
        return Comment.Kind.OFFICIAL, (unit.name if unit else user.label)
    if role_unit_paths(user, Role.MEMBER):
        return Comment.Kind.MEMBER, _("Member %(name)s") % {"name": user.label}
    return Comment.Kind.RESIDENT, _mask(user.label)


def speaks_officially(user) -> bool:
    """Does the user answer in the hall as a department (官方答复)? Such answers are limited per
    account (a department answers hundreds in a sitting), not by the residents' comment limit."""
    return getattr(user, "is_authenticated", False) and bool(role_unit_paths(user, Role.DEPARTMENT))


def _mask(name: str) -> str:
    """Residents appear by a masked name (张** ), never their account name in full."""
    name = name or "?"
    return name[0] + "**"


@transaction.atomic
def comment_add(*, actor, consultation: OnlineConsultation, body: str, reply_to: Comment | None = None) -> Comment:
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("Sign in to take part."))
    consultation = OnlineConsultation.objects.select_for_update().get(pk=consultation.pk)
    if not consultation.is_open():
        raise GuardFailed(_("This consultation is not open for comments."))
    body = body.strip()
    if not body:
        raise GuardFailed(_("Write something first."), field="body")
    kind, label = _speaker(actor, consultation)
    if reply_to is not None:
        if reply_to.consultation_id != consultation.pk or reply_to.status != Comment.Status.VISIBLE:
            raise GuardFailed(_("You can only reply to a visible comment of this consultation."))
        if kind != Comment.Kind.OFFICIAL:
            raise NotAllowed(_("Only departments answer comments."))
    moderation = config_get(consultation.org_unit, MODERATION_KEY)
    # Official answers and members' posts are accountable already; residents' comments follow the
    # organisation's choice of pre- or post-moderation.
    pending = moderation == "pre" and kind == Comment.Kind.RESIDENT
    comment = Comment.objects.create(
        consultation=consultation, reply_to=reply_to, author=actor, author_label=label, kind=kind, body=body,
        status=Comment.Status.PENDING if pending else Comment.Status.VISIBLE,
    )
    audit_log(actor=actor, action="hall.comment.add", target=comment,
              after=snapshot(comment, ["kind", "status"]))
    return comment


ADOPTION_DECIDED = (Comment.Adoption.ADOPTED, Comment.Adoption.IMPLEMENTED, Comment.Adoption.NOT_ADOPTED)


@transaction.atomic
def comment_set_adoption(*, actor, comment: Comment, adoption: str, reply: str,
                         adopted_on: datetime.date | None = None) -> Comment:
    """Staff record what became of a resident's suggestion — adopted, adopted and implemented, or
    not adopted — always with a reply the resident reads under the suggestion, on `adopted_on`
    (the day it was decided; default today, not before the suggestion, never in the future)."""
    require_role(actor, STAFF_ROLES, comment.consultation.org_path)
    comment = Comment.objects.select_for_update().select_related("consultation").get(pk=comment.pk)
    if adoption not in ADOPTION_DECIDED:
        raise DomainError(_("Choose adopted, adopted and implemented, or not adopted."), field="adoption")
    reply = (reply or "").strip()
    if not reply:
        raise DomainError(_("Write a reply to the resident."), field="reply")
    if len(reply) > 2000:
        raise DomainError(_("Write a reply of at most 2000 characters."), field="reply")
    if comment.kind != Comment.Kind.RESIDENT or comment.reply_to_id is not None:
        raise GuardFailed(_("Only residents' suggestions are adopted."))
    if comment.status != Comment.Status.VISIBLE:
        raise GuardFailed(_("This comment is not available."))
    adopted_on = check_event_date(adopted_on, field="adopted_on", label=_("The adoption date"),
                                  after=[(comment.created_at, _("the day of the suggestion"))])
    before = snapshot(comment, ["adoption", "adoption_reply", "adopted_on"])
    comment.adoption, comment.adoption_reply, comment.adopted_on = adoption, reply, adopted_on
    comment.adopted_at, comment.adopted_by = timezone.now(), actor
    comment.save(update_fields=["adoption", "adoption_reply", "adopted_on", "adopted_at", "adopted_by"])
    audit_log(actor=actor, action="hall.comment.adoption", target=comment, before=before,
              after=snapshot(comment, ["adoption", "adoption_reply", "adopted_on"]))
    return comment


@transaction.atomic
def comment_moderate(*, actor, comment: Comment, visible: bool) -> Comment:
    require_role(actor, STAFF_ROLES, comment.consultation.org_path)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    before = {"status": comment.status}
    comment.status = Comment.Status.VISIBLE if visible else Comment.Status.HIDDEN
    comment.save(update_fields=["status"])
    comment.reports.update(handled=True)
    audit_log(actor=actor, action="hall.comment.moderate", target=comment, before=before,
              after={"status": comment.status})
    return comment


def _visible_comment(comment: Comment) -> Comment:
    if comment.status != Comment.Status.VISIBLE or not comment.consultation.is_public:
        raise GuardFailed(_("This comment is not available."))
    return comment


@transaction.atomic
def support_add(*, actor, comment: Comment) -> bool:
    """Support a suggestion once; returns False when the person had already supported it."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("Sign in to take part."))
    _visible_comment(comment)
    if not comment.consultation.is_open():
        raise GuardFailed(_("This consultation is not open any more."))
    try:
        with transaction.atomic():
            Support.objects.create(comment=comment, user=actor)
    except IntegrityError:
        return False
    Comment.objects.filter(pk=comment.pk).update(support_count=F("support_count") + 1)
    return True


@transaction.atomic
def report_add(*, actor, comment: Comment, reason: str = "") -> bool:
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("Sign in to take part."))
    _visible_comment(comment)
    try:
        with transaction.atomic():
            report = AbuseReport.objects.create(comment=comment, user=actor, reason=reason.strip()[:200])
    except IntegrityError:
        return False
    Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
    comment.refresh_from_db(fields=["report_count"])
    if comment.report_count >= HIDE_AFTER_REPORTS and comment.kind == Comment.Kind.RESIDENT:
        Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PENDING)
    audit_log(actor=actor, action="hall.comment.report", target=comment, note=report.reason)
    return True


@transaction.atomic
def questionnaire_answer(*, actor, consultation: OnlineConsultation, answers: dict[int, int]) -> QuestionnaireResponse:
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("Sign in to take part."))
    if not consultation.is_open():
        raise GuardFailed(_("This consultation is not open any more."))
    questions = {q.pk: q for q in consultation.questions.all()}
    clean = {}
    for qid, q in questions.items():
        idx = answers.get(qid)
        if idx is None or not (0 <= idx < len(q.choices)):
            raise GuardFailed(_("Answer every question."), field=f"q{qid}")
        clean[str(qid)] = idx
    try:
        with transaction.atomic():
            response = QuestionnaireResponse.objects.create(consultation=consultation, user=actor, answers=clean)
    except IntegrityError:
        raise GuardFailed(_("You have already answered this questionnaire."))
    return response


@transaction.atomic
def rating_add(*, actor, consultation: OnlineConsultation, value: str) -> Rating:
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("Sign in to take part."))
    if value not in Rating.Value.values:
        raise GuardFailed(_("Choose one of the ratings."), field="value")
    if not consultation.is_closed() or not consultation.result:
        raise GuardFailed(_("Results can be rated once the consultation has closed and its result is published."))
    try:
        with transaction.atomic():
            rating = Rating.objects.create(consultation=consultation, user=actor, value=value)
    except IntegrityError:
        raise GuardFailed(_("You have already rated this result. Each person rates once."))
    audit_log(actor=actor, action="hall.rating.add", target=consultation, note=value)
    return rating


@transaction.atomic
def topic_rating_add(*, actor, topic, value: str):
    """A resident rates the outcome of a published, closed topic of the closed loop; once per person."""
    from consultations.models import TopicStatus

    from .models import TopicRating

    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed(_("Sign in to take part."))
    if value not in Rating.Value.values:
        raise GuardFailed(_("Choose one of the ratings."), field="value")
    if not topic.is_public or topic.status not in (TopicStatus.CLOSED, TopicStatus.REVIEWED):
        raise GuardFailed(_("Outcomes can be rated once the topic is closed."))
    try:
        with transaction.atomic():
            rating = TopicRating.objects.create(topic=topic, user=actor, value=value)
    except IntegrityError:
        raise GuardFailed(_("You have already rated this result. Each person rates once."))
    audit_log(actor=actor, action="hall.topic_rating.add", target=topic, note=value)
    return rating


# --- Live sessions (直播协商) ----------------------------------------------------------------------


@transaction.atomic
def live_question_add(*, session: LiveSession, body: str, asker=None, asker_label: str = "") -> LiveQuestion:
    if not session.accepts_questions():
        raise GuardFailed(_("This live session no longer takes questions."))
    body = body.strip()
    if not body:
        raise GuardFailed(_("Write your question first."), field="body")
    if getattr(asker, "is_authenticated", False):
        label = _mask(asker.label)
    else:
        asker = None
        label = (asker_label.strip() or _("Netizen"))[:1] + "**"
    question = LiveQuestion.objects.create(session=session, body=body, asker=asker, asker_label=label)
    LiveSession.objects.filter(pk=session.pk).update(participant_count=F("participant_count") + 1)
    records_changed(LiveSession.objects.filter(pk=session.pk))
    return question


@transaction.atomic
def live_question_answer(*, actor, question: LiveQuestion, answer: str, show: bool = True) -> LiveQuestion:
    require_role(actor, STAFF_ROLES, question.session.org_path)
    question = LiveQuestion.objects.select_for_update().get(pk=question.pk)
    before = snapshot(question, ["status", "answer"])
    question.answer = answer.strip()
    question.status = LiveQuestion.Status.SHOWN if show else LiveQuestion.Status.HIDDEN
    question.save(update_fields=["answer", "status"])
    audit_log(actor=actor, action="hall.live_question.answer", target=question.session, before=before,
              after=snapshot(question, ["status", "answer"]))
    return question


@transaction.atomic
def live_session_create(*, actor, unit: OrgUnit, title: str, starts_at, ends_at, stream_url: str = "",
                        agenda: str = "") -> LiveSession:
    require_role(actor, STAFF_ROLES, unit)
    if ends_at <= starts_at:
        raise GuardFailed(_("The live session must end after it starts."), field="ends_at")
    session = LiveSession.objects.create(org_unit=unit, title=title.strip(), starts_at=starts_at, ends_at=ends_at,
                                         stream_url=stream_url.strip(), agenda=agenda.strip())
    audit_log(actor=actor, action="hall.live.create", target=session,
              after=snapshot(session, ["title", "starts_at", "ends_at", "stream_url"]))
    return session


@transaction.atomic
def live_session_publish(*, actor, session: LiveSession, version=None) -> LiveSession:
    require_role(actor, STAFF_ROLES, session.org_path)
    session = LiveSession.objects.select_for_update().get(pk=session.pk)
    check_version(session, version)
    if session.status != LiveSession.Status.DRAFT:
        raise GuardFailed(_("This live session is already published."))
    session.status = LiveSession.Status.PUBLISHED
    session.published_at = timezone.now()
    bump_version(session, ["status", "published_at"])
    audit_log(actor=actor, action="hall.live.publish", target=session, before={"status": "draft"},
              after={"status": "published"})
    return session


# --- Resident accounts ---------------------------------------------------------------------------


@transaction.atomic
def resident_signup(*, username: str, password: str, display_name: str, unit: OrgUnit):
    """A simple resident account: a user with the resident role at their community."""
    from django.contrib.auth import get_user_model

    if unit.kind not in COMMUNITY_KINDS:
        raise GuardFailed(_("Choose a community or village."), field="unit")
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise GuardFailed(_("This user name is taken."), field="username")
    user = User(username=username, display_name=display_name.strip())
    user.set_password(password)
    user.save()
    role_assign(actor=user, user=user, role=Role.RESIDENT, unit=unit)
    audit_log(actor=user, action="hall.resident.signup", target=user, note=unit.name)
    return user


def can_manage(user, path: str) -> bool:
    return has_role(user, STAFF_ROLES, path)
