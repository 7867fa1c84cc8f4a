"""The hall's counts for the reports (see portal/metrics.py): one grouped query per metric."""

import datetime

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from organizations.models import Role, RoleAssignment
from portal.metrics import Source, metric, rate_metric, subtree_counts, subtree_q, units_on_path

from .models import (
    Comment,
    LiveSession,
    OnlineConsultation,
    QuestionnaireResponse,
    Rating,
    Submission,
    TopicRating,
)

SECTION = _("Online hall")
# What the metrics count (portal.metrics: the summary tables recompute on their writes).
_COMMENTS = Source("hall.Comment", path="consultation__org_path")
_RATINGS = [Source("hall.Rating", path="consultation__org_path"), Source("hall.TopicRating", path="topic__org_path")]
_LIVE = Source("hall.LiveSession")
_ONLINE = Source("hall.OnlineConsultation")


def _range(start, end):
    """Inclusive dates → an aware datetime range [start 00:00, end+1 00:00)."""
    from django.utils import timezone

    tz = timezone.get_current_timezone()
    lo = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    hi = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return lo, hi


@metric("hall.submissions", _("Topics submitted by residents"), section=SECTION, unit=_("items"), order=10,
        additive=True, sources={"hall.Submission": None})
def submissions(units, start, end):
    return subtree_counts(Submission.objects.filter(created_at__range=_range(start, end)), units)


@metric("hall.submissions_accepted", _("Resident topics taken up"), section=SECTION, unit=_("items"), order=11,
        additive=True, sources={"hall.Submission": None})
def submissions_accepted(units, start, end):
    qs = Submission.objects.filter(created_at__range=_range(start, end), status=Submission.Status.ACCEPTED)
    return subtree_counts(qs, units)


@metric("hall.consultations", _("Online consultations opened"), section=SECTION, unit=_("items"), order=20,
        additive=True, sources=[_ONLINE])
def consultations(units, start, end):
    qs = OnlineConsultation.objects.filter(status=OnlineConsultation.Status.PUBLISHED,
                                           opens_at__range=_range(start, end))
    return subtree_counts(qs, units)


@metric("hall.comments", _("Online comments"), section=SECTION, unit=_("items"), order=30, additive=True, sources=[_COMMENTS])
def comments(units, start, end):
    """网上留言数: what residents and members wrote — departments' official answers are not 留言."""
    qs = (Comment.objects.filter(created_at__range=_range(start, end)).exclude(status=Comment.Status.HIDDEN)
          .exclude(kind=Comment.Kind.OFFICIAL))
    return subtree_counts(qs, units, path_field="consultation__org_path")


# Accounts that speak for an office, not as residents (a secretary trying the page, a department).
STAFF_ROLES = [Role.ADMIN, Role.OFFICE_CLERK, Role.PROPOSAL_STAFF, Role.SECRETARY, Role.APPROVER, Role.DEPARTMENT,
               Role.LEADER]


def _resident_suggestions(start, end):
    """Residents' own suggestions written in the period: top-level, resident comments that are not
    hidden, by accounts holding no staff role (staff's posts were stored as residents' before
    departments and members had their own kinds)."""
    staff = RoleAssignment.objects.filter(user=OuterRef("author"), is_active=True, role__in=STAFF_ROLES)
    return (Comment.objects.filter(kind=Comment.Kind.RESIDENT, reply_to__isnull=True,
                                   created_at__range=_range(start, end))
            .exclude(status=Comment.Status.HIDDEN).exclude(Exists(staff)))


@metric("hall.resident_suggestions", _("Residents' online suggestions"), section=SECTION, unit=_("items"), order=31, additive=True, sources=[_COMMENTS])
def resident_suggestions(units, start, end):
    return subtree_counts(_resident_suggestions(start, end), units, path_field="consultation__org_path")


@metric("hall.resident_suggestions_answered", _("Residents' suggestions answered officially"), section=SECTION,
        unit=_("items"), order=32, additive=True, sources=[_COMMENTS])
def resident_suggestions_answered(units, start, end):
    answers = Comment.objects.filter(reply_to=OuterRef("pk"), kind=Comment.Kind.OFFICIAL,
                                     status=Comment.Status.VISIBLE)
    return subtree_counts(_resident_suggestions(start, end).filter(Exists(answers)), units,
                          path_field="consultation__org_path")


rate_metric("hall.answered_share", _("Share of residents' suggestions answered"),
            numerator="hall.resident_suggestions_answered", denominator="hall.resident_suggestions",
            section=SECTION, order=33)


def _adopted(start, end, values):
    """Residents' suggestions adopted in the period, counted by the adoption date staff give
    (`adopted_on`, the day it was decided — not the day it was typed in)."""
    return Comment.objects.filter(kind=Comment.Kind.RESIDENT, adoption__in=values,
                                  adopted_on__range=(start, end))


@metric("hall.suggestions_adopted", _("Residents' suggestions adopted"), section=SECTION, unit=_("items"), order=34, additive=True, sources=[_COMMENTS])
def suggestions_adopted(units, start, end):
    """Adopted, with or without implementation."""
    return subtree_counts(_adopted(start, end, [Comment.Adoption.ADOPTED, Comment.Adoption.IMPLEMENTED]), units,
                          path_field="consultation__org_path")


@metric("hall.suggestions_implemented", _("Residents' suggestions implemented"), section=SECTION, unit=_("items"),
        order=35, additive=True, sources=[_COMMENTS])
def suggestions_implemented(units, start, end):
    return subtree_counts(_adopted(start, end, [Comment.Adoption.IMPLEMENTED]), units,
                          path_field="consultation__org_path")


@metric("hall.participants", _("Online participants"), section=SECTION, unit=_("people"), order=40,
        additive=True, sources=[_COMMENTS, Source("hall.QuestionnaireResponse", path="consultation__org_path"), _LIVE])
def participants(units, start, end):
    """Distinct people who commented or answered a questionnaire per consultation, plus the people
    who sent questions in live sessions."""
    lo_hi = _range(start, end)
    units = list(units)
    commenters = (Comment.objects.filter(created_at__range=lo_hi)
                  .filter(subtree_q(units, "consultation__org_path"))  # the units' subtrees only
                  .values("consultation__org_path").annotate(n=Count("author", distinct=True)))
    totals = subtree_counts(QuestionnaireResponse.objects.filter(created_at__range=lo_hi), units,
                            path_field="consultation__org_path")
    live = subtree_counts(LiveSession.objects.filter(starts_at__range=lo_hi), units, sum_field="participant_count")
    by_path = {u.path: u.pk for u in units}
    for row in commenters:
        for pk in units_on_path(row["consultation__org_path"], by_path):  # O(depth), not O(units)
            totals[pk] += row["n"]
    return {pk: totals[pk] + live.get(pk, 0) for pk in totals}


@metric("hall.views", _("Online views"), section=SECTION, unit=_("views"), order=50, additive=True, sources=[_ONLINE, _LIVE])
def views(units, start, end):
    lo_hi = _range(start, end)
    online = subtree_counts(OnlineConsultation.objects.filter(opens_at__range=lo_hi), units, sum_field="view_count")
    live = subtree_counts(LiveSession.objects.filter(starts_at__range=lo_hi), units, sum_field="view_count")
    return {pk: online.get(pk, 0) + live.get(pk, 0) for pk in online}


def _ratings(units, start, end, values=None):
    """Residents' ratings of online consultations' results and of closed topics' outcomes."""
    online = Rating.objects.filter(created_at__range=_range(start, end))
    topics = TopicRating.objects.filter(created_at__range=_range(start, end))
    if values:
        online, topics = online.filter(value__in=values), topics.filter(value__in=values)
    a = subtree_counts(online, units, path_field="consultation__org_path")
    b = subtree_counts(topics, units, path_field="topic__org_path")
    return {pk: a[pk] + b.get(pk, 0) for pk in a}


@metric("hall.ratings", _("Residents' ratings of results"), section=SECTION, unit=_("ratings"), order=60,
        additive=True, sources=_RATINGS)
def ratings(units, start, end):
    return _ratings(units, start, end)


@metric("hall.satisfied", _("Ratings: satisfied or basically satisfied"), section=SECTION, unit=_("ratings"),
        order=61, additive=True, sources=_RATINGS)
def satisfied(units, start, end):
    return _ratings(units, start, end, [Rating.Value.SATISFIED, Rating.Value.BASICALLY])
