"""Every read of the consultation loop, scoped by the org subtree and prefetched so list pages
run a constant number of queries."""

from __future__ import annotations

import datetime

from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from organizations import permissions
from organizations.models import OrgUnit, Role, UnitKind

from .models import (
    Attachment,
    Attendance,
    FollowUp,
    FollowUpStatus,
    Participant,
    Session,
    SessionStatus,
    Suggestion,
    SuggestionStatus,
    Topic,
    TopicStatus,
)

# Statuses the public may see (公示): approved and everything after it.
PUBLIC_STATUSES = [TopicStatus.APPROVED, TopicStatus.RESEARCHED, TopicStatus.SCHEDULED, TopicStatus.CONSULTED,
                   TopicStatus.HANDLING, TopicStatus.CLOSED, TopicStatus.REVIEWED]


def topics_visible_to(*, user) -> QuerySet[Topic]:
    return permissions.scoped(Topic.objects.all(), user)


def topic_list(*, user, status: str = "", channel: str = "", q: str = "", unit: OrgUnit | None = None,
               year: int | None = None, overdue: bool = False) -> QuerySet[Topic]:
    qs = topics_visible_to(user=user)
    if unit is not None:
        qs = qs.filter(org_path__startswith=unit.path)
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(category__icontains=q) | Q(source_ref__icontains=q))
    if year:
        qs = qs.filter(raised_on__year=year)
    if overdue:
        qs = qs.filter(suggestions__status__in=[SuggestionStatus.PENDING, SuggestionStatus.ACCEPTED],
                       suggestions__deadline__lt=timezone.localdate()).distinct()
    # Counts are attached to the shown page only (with_open_suggestions): annotating here would
    # count the suggestions of every topic in the county before the page is cut.
    return qs.select_related("org_unit").order_by("-updated_at", "-id")


_COUNTS: dict[tuple, Coalesce] = {}


def _count_of(model, fk: str, *conditions, **filters):
    """A correlated COUNT of `model` rows pointing at the outer row (PostgreSQL evaluates it for the
    rows a LIMIT lets through only, so a page costs 30 index probes, not a count of the scope).
    Built once per process and arguments: `annotate` resolves a copy of it against each query (the
    expression itself is never changed), so the list pages do not build the inner query anew."""
    key = (model, fk, conditions, tuple(sorted(filters.items())))
    expression = _COUNTS.get(key)
    if expression is None:
        qs = (model.objects.filter(*conditions, **{fk: OuterRef("pk")}, **filters).order_by().values(fk)
              .annotate(n=Count("pk")))
        expression = _COUNTS[key] = Coalesce(Subquery(qs.values("n"), output_field=IntegerField()), 0)
    return expression


def queue_page_columns(topics: QuerySet[Topic]) -> QuerySet[Topic]:
    """The topic queue's rows (consultations/_topic_table.html): only the columns it prints, and each
    topic's open suggestions counted in the same query (`open_suggestions`). Not for a DISTINCT
    query (the count would be computed for every row before the page is cut): use
    `with_open_suggestions` on the page there."""
    return topics.only("id", "org_unit_id", "title", "category", "channel", "status", "updated_at",
                       "org_unit__id", "org_unit__name").annotate(
        open_suggestions=_count_of(Suggestion, "topic", ~Q(status=SuggestionStatus.DONE)))


def with_open_suggestions(topics) -> list[Topic]:
    """The page's topics with `open_suggestions` set, in one query whatever the page size."""
    rows = list(topics)
    counts = dict(
        Suggestion.objects.filter(topic_id__in=[t.pk for t in rows]).exclude(status=SuggestionStatus.DONE)
        .values_list("topic_id").order_by().annotate(n=Count("pk"))
    ) if rows else {}
    for t in rows:
        t.open_suggestions = counts.get(t.pk, 0)
    return rows


def topic_for_page(*, user, pk) -> Topic:
    """One topic with everything its record page shows, in a fixed number of queries."""
    qs = topics_visible_to(user=user).select_related("org_unit", "created_by", "approved_by").prefetch_related(
        "research__members",
        Prefetch("sessions", queryset=Session.objects.order_by("scheduled_on", "id").prefetch_related(
            Prefetch("participants", queryset=Participant.objects.select_related("member")))),
        Prefetch("suggestions", queryset=Suggestion.objects.select_related("handling_unit")),
        "instructions", "followups", "evaluations",
        Prefetch("attachments", queryset=Attachment.objects.filter(is_active=True).select_related("uploaded_by")),
    )
    return permissions.get_in_scope_or_404(qs, user, pk=pk)


def outcome_of(topic: Topic):
    try:
        return topic.outcome
    except Topic.outcome.RelatedObjectDoesNotExist:
        return None


def approval_queue(*, user) -> QuerySet[Topic]:
    """Topics awaiting the user's approval (approver role in the unit's subtree)."""
    qs = Topic.objects.filter(permissions.scope_q(user, roles=[Role.APPROVER, Role.ADMIN]),
                              status=TopicStatus.SUBMITTED)
    return qs.select_related("org_unit", "created_by").order_by("updated_at", "id")


def sessions_list(*, user, upcoming: bool | None = None, unit: OrgUnit | None = None) -> QuerySet[Session]:
    qs = permissions.scoped(Session.objects.all(), user)
    if unit is not None:
        qs = qs.filter(org_path__startswith=unit.path)
    today = timezone.localdate()
    if upcoming is True:
        qs = qs.filter(status=SessionStatus.PLANNED, scheduled_on__gte=today).order_by("scheduled_on", "id")
    elif upcoming is False:
        qs = qs.filter(status=SessionStatus.HELD).order_by("-scheduled_on", "-id")
    else:
        qs = qs.order_by("-scheduled_on", "-id")
    return qs.select_related("topic", "org_unit")


def session_page_columns(sessions: QuerySet[Session]) -> QuerySet[Session]:
    """The session list's rows (consultations/session_list.html): only the columns it prints, with
    `n_participants` and `n_attended` counted in the same query."""
    return sessions.only(
        "id", "org_unit_id", "topic_id", "status", "scheduled_on", "form", "venue", "residents_count",
        "topic__id", "topic__title", "org_unit__id", "org_unit__name",
    ).annotate(n_participants=_count_of(Participant, "session"),
               n_attended=_count_of(Participant, "session", attendance=Attendance.ATTENDED))


def with_participant_counts(sessions) -> list[Session]:
    """The page's sessions with `n_participants` and `n_attended` set, in one query."""
    rows = list(sessions)
    counts = {}
    if rows:
        for session_id, total, attended in (
            Participant.objects.filter(session_id__in=[s.pk for s in rows]).values_list("session_id").order_by()
            .annotate(total=Count("pk"), attended=Count("pk", filter=Q(attendance=Attendance.ATTENDED)))
            .values_list("session_id", "total", "attended")
        ):
            counts[session_id] = (total, attended)
    for s in rows:
        s.n_participants, s.n_attended = counts.get(s.pk, (0, 0))
    return rows


def invitations_for_member(*, user) -> QuerySet[Participant]:
    """The member's own invitations, newest sessions first (phone page)."""
    if not user.is_authenticated:
        return Participant.objects.none()
    return (Participant.objects.filter(member__user=user)
            .exclude(session__status=SessionStatus.CANCELLED)
            .select_related("session__topic", "session__org_unit")
            .order_by("-session__scheduled_on", "-id"))


def invitation_for_member(*, user, pk) -> Participant:
    try:
        return invitations_for_member(user=user).get(pk=pk)
    except (Participant.DoesNotExist, ValueError, TypeError):
        raise Http404


def suggestions_for_department(*, user, done: bool | None = None) -> QuerySet[Suggestion]:
    """Suggestions routed to the user's department units (and nothing else), open ones first and
    the nearest deadline first. `done`: only those with feedback given (True) or still open (False)."""
    paths = list(permissions.scope_paths(user, roles=[Role.DEPARTMENT]) or [])
    if permissions.is_admin(user):
        qs = Suggestion.objects.filter(handling_unit__isnull=False)
    elif not paths:
        return Suggestion.objects.none()
    else:
        q = Q()
        for path in paths:
            q |= Q(handling_unit__path__startswith=path)
        qs = Suggestion.objects.filter(q)
    if done is not None:
        qs = qs.filter(status=SuggestionStatus.DONE) if done else qs.exclude(status=SuggestionStatus.DONE)
    is_done = Case(When(status=SuggestionStatus.DONE, then=Value(1)), default=Value(0))
    return qs.select_related("topic", "topic__org_unit", "handling_unit").order_by(is_done, "deadline", "id")


def open_suggestions_in_scope(*, user) -> QuerySet[Suggestion]:
    """Suggestions still waiting for feedback in the office's scope (by the topic's unit)."""
    qs = permissions.scoped(Suggestion.objects.all(), user, field="topic__org_path")
    return qs.filter(status__in=[SuggestionStatus.PENDING, SuggestionStatus.ACCEPTED])


def suggestion_light_counts(*, user=None, qs: QuerySet[Suggestion] | None = None,
                            today: datetime.date | None = None) -> dict[str, int]:
    """Open suggestions by traffic light: {"red": n, "yellow": n} — of `qs`, or of the user's
    departments. Two queries: every unit's yellow window, and the open suggestions near or past
    their deadline (windows are at most 60 days), each classified in memory."""
    from organizations.traffic import TrafficDays
    from portal.traffic import traffic_light

    today = today or timezone.localdate()
    counts = {"red": 0, "yellow": 0}
    if qs is None:
        qs = suggestions_for_department(user=user, done=False)
    near = (qs.exclude(status=SuggestionStatus.DONE)
            .filter(deadline__isnull=False, deadline__lte=today + datetime.timedelta(days=60))
            .order_by().values_list("deadline", "topic__org_path"))
    days = TrafficDays(today.year)  # always one query, rows or not (constant query counts)
    for deadline, org_path in near.iterator():
        light = traffic_light(deadline, today=today, days=days.for_path(org_path))
        if light and light.code in counts:
            counts[light.code] += 1
    return counts


def suggestion_for_handler(*, user, pk) -> Suggestion:
    """A suggestion the user may handle: routed to their department, or in their managed scope."""
    qs = Suggestion.objects.select_related("topic", "topic__org_unit", "handling_unit")
    dept_paths = permissions.scope_paths(user, roles=[Role.DEPARTMENT])
    manage_paths = permissions.scope_paths(user, roles=[Role.ADMIN, Role.OFFICE_CLERK, Role.SECRETARY])
    if dept_paths is not None:  # not admin
        q = Q(pk__in=[])
        for path in dept_paths:
            q |= Q(handling_unit__path__startswith=path)
        for path in manage_paths or []:
            q |= Q(topic__org_path__startswith=path)
        qs = qs.filter(q)
    try:
        return qs.get(pk=pk)
    except (Suggestion.DoesNotExist, ValueError, TypeError):
        raise Http404


def overdue_suggestions(*, user) -> QuerySet[Suggestion]:
    qs = permissions.scoped(Suggestion.objects.all(), user, field="topic__org_path")
    return (qs.filter(status__in=[SuggestionStatus.PENDING, SuggestionStatus.ACCEPTED],
                      deadline__lt=timezone.localdate())
            .select_related("topic", "handling_unit").order_by("deadline", "id"))


def followups_due(*, user) -> QuerySet[FollowUp]:
    qs = permissions.scoped(FollowUp.objects.all(), user, field="topic__org_path")
    return qs.filter(status=FollowUpStatus.DUE).select_related("topic", "topic__org_unit").order_by("due_on", "id")


def status_counts(*, user, unit: OrgUnit | None = None) -> dict[str, int]:
    qs = topics_visible_to(user=user)
    if unit is not None:
        qs = qs.filter(org_path__startswith=unit.path)
    return dict(qs.values_list("status").order_by().annotate(n=Count("pk")))


# ------------------------------------------------------------------------------ plan and quota

def plan_for(*, user, unit: OrgUnit, year: int) -> dict:
    """The unit's annual plan (年度协商计划): topics by planned month, and sessions planned and held
    against the unit's quota, with pace (where it should be by today)."""
    from .settings_keys import quota_for

    topics = list(topics_visible_to(user=user).filter(org_path__startswith=unit.path, planned_month__year=year)
                  .select_related("org_unit").order_by("planned_month", "id"))
    months = {m: [] for m in range(1, 13)}
    for t in topics:
        months[t.planned_month.month].append(t)
    return {"months": months, "topics": topics, "quota": quota_row(unit=unit, year=year, quota=quota_for(unit, year))}


def quota_row(*, unit: OrgUnit, year: int, quota: int | None) -> dict:
    sessions = Session.objects.filter(org_path__startswith=unit.path, scheduled_on__year=year)
    counts = dict(sessions.values_list("status").order_by().annotate(n=Count("pk")))
    held = counts.get(SessionStatus.HELD, 0)
    planned = counts.get(SessionStatus.PLANNED, 0)
    today = timezone.localdate()
    if year < today.year:
        fraction = 1.0
    elif year > today.year:
        fraction = 0.0
    else:
        start = datetime.date(year, 1, 1)
        fraction = ((today - start).days + 1) / ((datetime.date(year, 12, 31) - start).days + 1)
    expected = round((quota or 0) * fraction)
    return {
        "unit": unit, "year": year, "quota": quota, "held": held, "planned": planned, "expected_by_now": expected,
        "on_pace": quota is None or held >= expected,
        "percent": min(100, round(held * 100 / quota)) if quota else None,
    }


def quota_table(*, user, parent: OrgUnit, year: int) -> list[dict]:
    """Quota rows for a unit and its direct children, in one query for the counts."""
    from .settings_keys import quotas_for

    units = [parent, *permissions.units_visible_to(user).filter(parent=parent, is_active=True).order_by("sort_order",
                                                                                                        "name")]
    quotas = quotas_for(units, year)
    rows = Session.objects.filter(scheduled_on__year=year, org_path__startswith=parent.path).values_list(
        "org_path", "status").order_by().annotate(n=Count("pk"))
    held = {u.pk: 0 for u in units}
    planned = {u.pk: 0 for u in units}
    for path, status, n in rows:
        for u in units:
            if path.startswith(u.path):
                if status == SessionStatus.HELD:
                    held[u.pk] += n
                elif status == SessionStatus.PLANNED:
                    planned[u.pk] += n
    today = timezone.localdate()
    start = datetime.date(year, 1, 1)
    fraction = 1.0 if year < today.year else 0.0 if year > today.year else (
        ((today - start).days + 1) / ((datetime.date(year, 12, 31) - start).days + 1))
    result = []
    for u in units:
        quota = quotas[u.pk]
        expected = round((quota or 0) * fraction)
        result.append({"unit": u, "year": year, "quota": quota, "held": held[u.pk], "planned": planned[u.pk],
                       "expected_by_now": expected, "on_pace": quota is None or held[u.pk] >= expected,
                       "percent": min(100, round(held[u.pk] * 100 / quota)) if quota else None})
    return result


# --------------------------------------------------------------------------------- public (公示)

def public_topics(unit_path: str) -> QuerySet[Topic]:
    """Published topics in the subtree of `unit_path`, newest first, with their sessions (public
    fields only: date, form, venue, status) and outcome summary. Use only the fields listed in
    PUBLIC_TOPIC_FIELDS; internal notes and proposers' names are never for the public."""
    qs = Topic.objects.filter(is_public=True, status__in=PUBLIC_STATUSES)
    if unit_path:
        qs = qs.filter(org_path__startswith=unit_path)
    return (qs.select_related("org_unit", "outcome")
            .prefetch_related(Prefetch("sessions", queryset=Session.objects.exclude(status=SessionStatus.CANCELLED)
                                       .only("id", "topic_id", "scheduled_on", "form", "venue", "status")
                                       .order_by("scheduled_on", "id")))
            .only(*PUBLIC_TOPIC_FIELDS, "org_unit__name", "org_unit__path", "outcome__id", "outcome__topic_id",
                  "outcome__consensus", "outcome__summary")
            .order_by("-published_at", "-id"))


PUBLIC_TOPIC_FIELDS = ("id", "title", "description", "channel", "category", "status", "published_at", "org_unit",
                       "org_path", "closed_at")


def public_topic(pk) -> Topic:
    """One published topic; Http404 (a subclass-free 404 for views) when missing or unpublished."""
    try:
        return public_topics("").get(pk=pk)
    except (Topic.DoesNotExist, ValueError, TypeError):
        raise Http404


def minutes_template_for(unit: OrgUnit):
    """The nearest active minutes template on the path from `unit` to the root, or None."""
    from .models import DocumentTemplate

    ids = unit.ancestor_ids
    rows = list(DocumentTemplate.objects.filter(org_unit_id__in=ids, is_active=True).order_by("-uploaded_at"))
    rows.sort(key=lambda t: ids.index(t.org_unit_id), reverse=True)
    return rows[0] if rows else None


def session_prefill(*, topic: Topic) -> dict:
    """What the portal already knows when a session of `topic` is recorded, so the secretary does
    not type it again: the unit's usual venue (its last session's, else its liaison group's
    workroom), the members who did the research, the group's standing members (members of the
    open workrooms the liaison group runs in the unit's area) and the default handling deadline."""
    from members.models import LeadType, Workroom, WorkroomStatus

    from . import settings_keys

    venue = (Session.objects.filter(org_path__startswith=topic.org_path).exclude(status=SessionStatus.CANCELLED)
             .order_by("-scheduled_on", "-id").values_list("venue", flat=True).first())
    rooms = list(Workroom.objects.filter(org_path__startswith=topic.org_path, lead_type=LeadType.LIAISON_GROUP,
                                         status__in=[WorkroomStatus.APPROVED, WorkroomStatus.PLAQUED])
                 .prefetch_related("members").order_by("org_path", "name"))
    if not venue:
        venue = next((r.place or r.name for r in rooms), "")
    standing = {m.pk for r in rooms for m in r.members.all()}
    research = set(topic.research.values_list("members__pk", flat=True)) - {None}
    today = timezone.localdate()
    days = settings_keys.suggestion_deadline_days(topic.org_unit, today.year)
    return {"venue": venue or "", "standing_ids": standing, "research_ids": research,
            "deadline": today + datetime.timedelta(days=days), "deadline_days": days}


def back_entry_choices(*, user):
    """Units, members and handling units a secretary or clerk may use on the back-entry page and
    in a ledger import: their own subtree, the members of it and of the CPPCC units above it,
    and the departments of the governments above it. The service re-checks each one."""
    from members.models import Member

    from .rules import MANAGERS

    units = permissions.units_visible_to(user, roles=MANAGERS).filter(is_active=True)
    ancestors = set()
    for unit in units.only("path"):
        ancestors.update(unit.ancestor_ids)
    members = (Member.objects.filter(is_active=True)
               .filter(permissions.scope_q(user, "org_path", MANAGERS) | Q(org_unit_id__in=ancestors)
                       | Q(postings__is_active=True, postings__org_path__in=units.values("path")))
               .distinct().order_by("name"))
    handling = OrgUnit.objects.filter(is_active=True).filter(
        Q(pk__in=units.values("pk")) | Q(kind=UnitKind.DEPARTMENT, parent_id__in=ancestors)).order_by("path")
    return units.exclude(kind=UnitKind.DEPARTMENT).order_by("path"), members, handling


def handling_units_for(topic: Topic) -> QuerySet[OrgUnit]:
    """Where a suggestion of `topic` may be routed (L76): an active unit of the topic's own
    subtree, or an active department of one of the governments above it (a county's 城管局 for a
    township's topic). The form's choices and the service's check are this one queryset."""
    q = Q(path__startswith=topic.org_path)
    parts = topic.org_path.strip("/").split("/")
    for i in range(1, len(parts)):
        q |= Q(kind=UnitKind.DEPARTMENT, parent__path="/" + "/".join(parts[:i]) + "/")
    return OrgUnit.objects.filter(q, is_active=True).order_by("path")
