"""Every read of the hall. Public selectors return published records only and fetch what the
public pages show; staff selectors are scoped by the staff roles' subtrees."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from organizations.models import OrgUnit, UnitKind
from organizations.permissions import get_in_scope_or_404, scoped

from .models import Comment, LiveQuestion, LiveSession, OnlineConsultation, Rating, Submission
from .services import STAFF_ROLES

BROWSE_KINDS = (UnitKind.PROVINCE, UnitKind.CITY, UnitKind.COUNTY, UnitKind.TOWNSHIP, UnitKind.VILLAGE,
                UnitKind.COMPOUND)


# --- Places ------------------------------------------------------------------------------------


def place_roots() -> QuerySet[OrgUnit]:
    """The cities (top of the public browse); a tree without cities starts at its roots."""
    cities = OrgUnit.objects.filter(is_active=True, kind=UnitKind.CITY)
    if cities.exists():
        return cities.order_by("sort_order", "path")
    return OrgUnit.objects.filter(is_active=True, parent__isnull=True).order_by("sort_order", "path")


def place(pk) -> OrgUnit:
    try:
        return OrgUnit.objects.get(pk=int(pk), is_active=True, kind__in=BROWSE_KINDS)
    except (OrgUnit.DoesNotExist, ValueError, TypeError):
        raise Http404


def place_children(unit: OrgUnit) -> QuerySet[OrgUnit]:
    return unit.children.filter(is_active=True, kind__in=BROWSE_KINDS).order_by("sort_order", "path")


def place_breadcrumbs(unit: OrgUnit) -> list[OrgUnit]:
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=unit.ancestor_ids, kind__in=BROWSE_KINDS)}
    return [units[i] for i in unit.ancestor_ids
            if i in units and i != unit.pk and units[i].kind != UnitKind.PROVINCE]


def communities_under(unit: OrgUnit) -> QuerySet[OrgUnit]:
    from .services import COMMUNITY_KINDS

    return OrgUnit.objects.filter(is_active=True, kind__in=COMMUNITY_KINDS, path__startswith=unit.path).order_by("path")


def all_communities() -> QuerySet[OrgUnit]:
    from .services import COMMUNITY_KINDS

    return OrgUnit.objects.filter(is_active=True, kind__in=COMMUNITY_KINDS).order_by("path")


# --- Online consultations ------------------------------------------------------------------------


def _published(qs):
    return qs.filter(status=OnlineConsultation.Status.PUBLISHED)


def public_consultations(unit_path: str = "") -> QuerySet[OnlineConsultation]:
    qs = _published(OnlineConsultation.objects.all())
    if unit_path:
        qs = qs.filter(org_path__startswith=unit_path)
    return (
        qs.select_related("org_unit")
        .annotate(n_comments=Count("comments", filter=Q(comments__status=Comment.Status.VISIBLE), distinct=True))
        .only("id", "title", "opens_at", "closes_at", "status", "org_unit__name", "org_path", "view_count", "result")
    )


def public_consultation(pk) -> OnlineConsultation:
    try:
        return _published(OnlineConsultation.objects.select_related("org_unit")).get(pk=int(pk))
    except (OnlineConsultation.DoesNotExist, ValueError, TypeError):
        raise Http404


def visible_comments(consultation: OnlineConsultation) -> QuerySet[Comment]:
    """Top-level visible comments with their visible official answers; most supported first."""
    answers = Comment.objects.filter(status=Comment.Status.VISIBLE).only(
        "id", "reply_to_id", "author_label", "kind", "body", "created_at")
    return (
        consultation.comments.filter(status=Comment.Status.VISIBLE, reply_to__isnull=True)
        .only("id", "author_label", "kind", "body", "support_count", "created_at", "consultation_id", "adoption",
              "adoption_reply")
        .prefetch_related(Prefetch("replies", queryset=answers, to_attr="answers"))
        .order_by("-support_count", "created_at", "id")
    )


def questionnaire_results(consultation: OnlineConsultation) -> list[dict]:
    questions = list(consultation.questions.all())
    counts = {q.pk: [0] * len(q.choices) for q in questions}
    for answers in consultation.responses.values_list("answers", flat=True):
        for qid, idx in (answers or {}).items():
            row = counts.get(int(qid))
            if row is not None and 0 <= idx < len(row):
                row[idx] += 1
    return [{"question": q, "rows": list(zip(q.choices, counts[q.pk], strict=True))} for q in questions]


def rating_summary(consultation: OnlineConsultation) -> dict:
    rows = dict(consultation.ratings.values_list("value").annotate(n=Count("id")).order_by())
    total = sum(rows.values())
    return {
        "total": total,
        "rows": [(label, rows.get(value, 0), round(100 * rows.get(value, 0) / total) if total else 0)
                 for value, label in Rating.Value.choices],
    }


# --- Topics of the closed loop (公示), read through consultations' public selectors --------------


CLOSED_TOPIC_STATUSES = ("closed", "reviewed")


def public_topics(unit_path: str):
    from consultations.selectors import public_topics as topics

    return topics(unit_path)


def public_topic(pk):
    from consultations.selectors import public_topic as topic

    return topic(pk)


def public_topic_of(submission: Submission):
    """The topic a submission became, if it is published; else None (drafts never leak)."""
    if not submission.topic_id:
        return None
    return public_topics("").filter(pk=submission.topic_id).first()


def topic_rating_summary(topic) -> dict:
    from .models import TopicRating

    rows = dict(TopicRating.objects.filter(topic=topic).values_list("value").annotate(n=Count("id")).order_by())
    total = sum(rows.values())
    return {
        "total": total,
        "rows": [(label, rows.get(value, 0), round(100 * rows.get(value, 0) / total) if total else 0)
                 for value, label in Rating.Value.choices],
    }


# --- Live sessions -----------------------------------------------------------------------------


def public_live_sessions(unit_path: str = "") -> QuerySet[LiveSession]:
    qs = LiveSession.objects.filter(status=LiveSession.Status.PUBLISHED).select_related("org_unit")
    if unit_path:
        qs = qs.filter(org_path__startswith=unit_path)
    return qs.only("id", "title", "starts_at", "ends_at", "org_unit__name", "org_path", "status")


def public_live_session(pk) -> LiveSession:
    try:
        return LiveSession.objects.select_related("org_unit").get(pk=int(pk), status=LiveSession.Status.PUBLISHED)
    except (LiveSession.DoesNotExist, ValueError, TypeError):
        raise Http404


def shown_live_questions(session: LiveSession) -> QuerySet[LiveQuestion]:
    return session.questions.filter(status=LiveQuestion.Status.SHOWN).only(
        "id", "asker_label", "body", "answer", "created_at", "session_id")


# --- Submissions -------------------------------------------------------------------------------


def submission_by_code(code: str) -> Submission:
    """The resident's view of their submission; a wrong code is a plain 404."""
    if not code or len(code) > 32:
        raise Http404
    try:
        return Submission.objects.select_related("org_unit").prefetch_related("photos").get(tracking_code=code)
    except Submission.DoesNotExist:
        raise Http404


def submissions_of(user) -> QuerySet[Submission]:
    return Submission.objects.filter(submitter=user).select_related("org_unit").order_by("-created_at")


# --- Staff -------------------------------------------------------------------------------------


def submission_queue(*, user, status: str = Submission.Status.NEW) -> QuerySet[Submission]:
    qs = scoped(Submission.objects.all(), user, roles=STAFF_ROLES)
    if status in Submission.Status.values:
        qs = qs.filter(status=status)
    return qs.select_related("org_unit").annotate(n_photos=Count("photos")).order_by("created_at", "id")


def submission_for_staff(*, user, pk) -> Submission:
    qs = Submission.objects.select_related("org_unit", "screened_by", "topic").prefetch_related("photos")
    return get_in_scope_or_404(qs, user, roles=STAFF_ROLES, pk=pk)


def moderation_queue(*, user) -> QuerySet[Comment]:
    qs = Comment.objects.filter(
        Q(status=Comment.Status.PENDING) | Q(reports__handled=False, status=Comment.Status.VISIBLE)
    ).filter(consultation__in=scoped(OnlineConsultation.objects.all(), user, roles=STAFF_ROLES))
    return qs.select_related("consultation").distinct().order_by("created_at", "id")


def comment_for_staff(*, user, pk) -> Comment:
    comment = get_in_scope_or_404(Comment.objects.select_related("consultation"), user,
                                  field="consultation__org_path", roles=STAFF_ROLES, pk=pk)
    return comment


SUGGESTIONS_SHOWN = 300


def resident_suggestions_for_staff(*, consultation) -> list[Comment]:
    """The residents' visible suggestions of a consultation the staff member already opened (scoped
    by `consultation_for_staff`), oldest first, with whether a department answered — one query."""
    answered = Comment.objects.filter(reply_to=OuterRef("pk"), kind=Comment.Kind.OFFICIAL,
                                      status=Comment.Status.VISIBLE)
    return list(consultation.comments.filter(kind=Comment.Kind.RESIDENT, reply_to__isnull=True,
                                             status=Comment.Status.VISIBLE)
                .annotate(answered=Exists(answered)).order_by("created_at", "id")[:SUGGESTIONS_SHOWN])


def consultations_for_staff(*, user) -> QuerySet[OnlineConsultation]:
    return scoped(OnlineConsultation.objects.all(), user, roles=STAFF_ROLES).select_related("org_unit")


def consultation_for_staff(*, user, pk) -> OnlineConsultation:
    return get_in_scope_or_404(OnlineConsultation.objects.select_related("org_unit"), user, roles=STAFF_ROLES, pk=pk)


def live_sessions_for_staff(*, user) -> QuerySet[LiveSession]:
    return scoped(LiveSession.objects.all(), user, roles=STAFF_ROLES).select_related("org_unit")


def live_session_for_staff(*, user, pk) -> LiveSession:
    return get_in_scope_or_404(LiveSession.objects.select_related("org_unit"), user, roles=STAFF_ROLES, pk=pk)


def live_question_for_staff(*, user, pk) -> LiveQuestion:
    return get_in_scope_or_404(LiveQuestion.objects.select_related("session"), user,
                               field="session__org_path", roles=STAFF_ROLES, pk=pk)


def now():
    return timezone.now()
