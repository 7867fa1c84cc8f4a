"""Metrics of the members app (see portal/metrics.py for the contract): each value covers a
unit's whole subtree, in a constant number of queries."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.metrics import Source, metric, shared, subtree_counts, subtree_q, units_on_path

from . import scoring
from .models import COUNTED_STATUSES, DutyRecord, Member, Posting, Workroom, WorkroomStatus

SECTION = _("Members and duties")
# What the metrics count (portal.metrics: the summary tables recompute on their writes). Scores
# depend on the member, the duty file and the scoring plans inherited down the tree.
_DUTY = Source("members.DutyRecord")
_MEMBER = Source("members.Member", dates=())
_SCORE_SOURCES = [_DUTY, Source("members.DutyRecord", path="member__org_path"), _MEMBER,
                  Source("members.ScoringPlan", dates=(), subtree=True),
                  Source("members.ScoringRule", dates=(), path="plan__org_path", subtree=True)]
_WORKROOM_SOURCES = [Source("members.Workroom", dates=()),
                     Source("members.WorkroomActivity", path="workroom__org_path")]


def _scores_by_unit(units, start, end):
    prefixes = sorted({u.path for u in units})

    def compute():
        members = Member.objects.filter(is_active=True).select_related("org_unit")
        q = Q()
        for p in prefixes:
            q |= Q(org_path__startswith=p)
        return scoring.scores_for(members.filter(q), end.year, until=end) if prefixes else []

    # points and "below the minimum" score the same members: once per refresh or dashboard
    return shared(("members.scores", tuple(prefixes), end), compute)


def _roll_up(units, scores, value):
    totals = defaultdict(int)
    for s in scores:
        for u in units:
            if s.member.org_path.startswith(u.path):
                totals[u.pk] += value(s)
    return {u.pk: totals.get(u.pk, 0) for u in units}


@metric("members.duty_points", _("Duty points earned"), section=SECTION, unit=_("points"), order=10,
        cumulative=True, additive=True, sources=_SCORE_SOURCES)
def duty_points(units, start, end):
    units = list(units)
    return _roll_up(units, _scores_by_unit(units, start, end), lambda s: s.points)


@metric("members.below_minimum", _("Members below the annual minimum"), section=SECTION, unit=_("members"), order=11,
        cumulative=True, additive=True, sources=_SCORE_SOURCES)
def below_minimum(units, start, end):
    units = list(units)
    return _roll_up(units, _scores_by_unit(units, start, end), lambda s: 1 if s.below_minimum else 0)


@metric("members.duty_entries", _("Duty entries recorded"), section=SECTION, unit=_("entries"), order=12,
        additive=True, sources=[_DUTY])
def duty_entries(units, start, end):
    qs = DutyRecord.objects.filter(occurred_on__range=(start, end), status__in=COUNTED_STATUSES)
    return subtree_counts(qs, units)


@metric("members.active_members", _("Members with at least one duty entry"), section=SECTION, unit=_("members"),
        order=13, additive=True, sources=[Source("members.DutyRecord", path="member__org_path"), _MEMBER])
def active_members(units, start, end):
    # EXISTS, not a Count() over the join: grouping the joined rows by path counted one member once
    # per duty record (466 "members" where 11 had records).
    counted = DutyRecord.objects.filter(member=OuterRef("pk"), occurred_on__range=(start, end),
                                        status__in=COUNTED_STATUSES)
    return subtree_counts(Member.objects.filter(is_active=True).filter(Exists(counted)), units)


def _posted(units):
    """{unit pk: distinct active members posted (下沉) anywhere in the unit's subtree}: a member
    posted to two villages of one township is one member of the township. One query."""
    pairs = (Posting.objects.filter(is_active=True, member__is_active=True).filter(subtree_q(units))
             .values_list("org_path", "member_id").distinct())
    by_path = {u.path: u.pk for u in units}
    seen: dict[int, set] = defaultdict(set)
    for path, member_id in pairs:
        for pk in units_on_path(path, by_path):
            seen[pk].add(member_id)
    return {u.pk: len(seen[u.pk]) for u in units}


def posted_records(unit, start, end):
    posted = Posting.objects.filter(member=OuterRef("pk"), is_active=True, org_path__startswith=unit.path)
    return Member.objects.filter(is_active=True).filter(Exists(posted)).order_by("org_path", "name")


@metric("members.posted", _("Members posted to the unit (下沉委员)"), section=SECTION, unit=_("members"), order=14,
        records=posted_records, sources=[Source("members.Posting", dates=()), _MEMBER])
def posted(units, start, end):
    """Members per liaison group and per township: those posted there, not those whose CPPCC
    unit (the county) it is — a liaison group registers no members of its own. The register of
    today (postings keep no history)."""
    return _posted(list(units))


@metric("members.workrooms_active", _("Workrooms active"), section=SECTION,
        unit=pgettext_lazy("unit of count", "workrooms"), order=20, additive=True, sources=_WORKROOM_SOURCES)
def workrooms_active(units, start, end):
    qs = Workroom.objects.filter(status__in=[WorkroomStatus.APPROVED, WorkroomStatus.PLAQUED],
                                 activities__occurred_on__range=(start, end)).distinct()
    return subtree_counts(Workroom.objects.filter(pk__in=qs.values("pk")), units)


@metric("members.workrooms_idle", _("Workrooms idle (no activity in the period)"), section=SECTION,
        unit=pgettext_lazy("unit of count", "workrooms"), order=21, additive=True, sources=_WORKROOM_SOURCES)
def workrooms_idle(units, start, end):
    """Open workrooms without activity in the period — not those approved too recently to have been
    idle (within the idle threshold before the period's end)."""
    from .selectors import DEFAULT_IDLE_DAYS

    active = Workroom.objects.filter(activities__occurred_on__range=(start, end)).values("pk")
    qs = (Workroom.objects.filter(status__in=[WorkroomStatus.APPROVED, WorkroomStatus.PLAQUED]).exclude(pk__in=active)
          .exclude(approved_on__gt=end - datetime.timedelta(days=DEFAULT_IDLE_DAYS)))
    return subtree_counts(qs, units)


FEW_UNITS = 8  # up to this many units, distinct counts are counted by the database (one FILTER each)


def _bodies_active(units, start, end, kind) -> dict[int, int]:
    """{unit id: distinct sectors (committees) with counted duty activity in its subtree}."""
    units = list(units)
    if len(units) > FEW_UNITS:
        return {pk: len(v) for pk, v in activity_by_body(units, start, end, kind=kind).items()}
    field = "member__sector__name" if kind == "sector" else "member__committees__name"
    counts = (DutyRecord.objects.filter(occurred_on__range=(start, end), status__in=COUNTED_STATUSES)
              .filter(subtree_q(units)).exclude(**{f"{field}__isnull": True})
              .aggregate(**{f"u{u.pk}": Count(field, distinct=True, filter=Q(org_path__startswith=u.path))
                            for u in units}))
    return {u.pk: counts[f"u{u.pk}"] or 0 for u in units}


def activity_by_body(units, start, end, *, kind: str = "sector") -> dict[int, dict[str, int]]:
    """界别 / 专委会 activity: {unit id: {body name: counted entries}} for the units' subtrees,
    one query."""
    field = "member__sector__name" if kind == "sector" else "member__committees__name"
    rows = (DutyRecord.objects.filter(occurred_on__range=(start, end), status__in=COUNTED_STATUSES)
            .exclude(**{f"{field}__isnull": True}).values("org_path", field).order_by().annotate(n=Count("pk"))
            .values_list("org_path", field, "n"))
    result = {u.pk: defaultdict(int) for u in units}
    for path, name, n in rows:
        for u in units:
            if path.startswith(u.path):
                result[u.pk][name] += n
    return {pk: dict(v) for pk, v in result.items()}


@metric("members.sector_activity", _("Sectors with duty activity"), section=SECTION, unit=_("sectors"), order=30,
        sources=[_DUTY, _MEMBER])
def sector_activity(units, start, end):
    return _bodies_active(units, start, end, "sector")


@metric("members.committee_activity", _("Special committees with duty activity"), section=SECTION,
        unit=_("committees"), order=31, sources=[_DUTY, _MEMBER])
def committee_activity(units, start, end):
    return _bodies_active(units, start, end, "committee")
