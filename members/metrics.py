"""Metrics of the members app (see portal/metrics.py for the contract): each value covers a
unit's whole subtree, in a constant number of queries.

This module is the one source of every member figure the reports publish (they read them through
portal/metrics.py and never the members' models). Two families, under their published keys:

- the register and the duty file as the dashboards show them (section "Members"):
  ``members.active`` (active members on the register), ``members.duty_records`` (counted duty
  activities, person-times), ``members.participants`` (distinct members with a counted activity
  *held in* the subtree) and ``members.active_share`` (participants ÷ register);
- the duty scores and workrooms (section "Members and duties"): ``members.duty_entries`` is the
  same count as ``members.duty_records`` (one query, :func:`counted_duty_records`), published
  again for the annual pack's wording; ``members.active_members`` counts the subtree's *own*
  active members with a counted activity anywhere, which is not ``members.participants``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.metrics import (
    Distinct,
    Source,
    metric,
    rate_metric,
    shared,
    subtree_counts,
    subtree_q,
    units_on_path,
)

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
        # one prefix per subtree root (subtree_q), not one per unit: a full build passes every
        # active unit, and 18,000 OR'd LIKEs made PostgreSQL test each member 18,000 times
        members = Member.objects.filter(is_active=True).select_related("org_unit")
        return scoring.scores_for(members.filter(subtree_q(units)), end.year, until=end) if prefixes else []

    # points and "below the minimum" score the same members: once per refresh or dashboard
    return shared(("members.scores", tuple(prefixes), end), compute)


def _roll_up(units, scores, value):
    """{unit pk: Σ value(score) over the members of its subtree}, in O(members × depth): each
    member's score goes to the units on its path (not a test of every member against every unit,
    which at a full build was 50,000 members × 18,000 units)."""
    by_path = {u.path: u.pk for u in units}
    totals = defaultdict(int)
    for s in scores:
        v = value(s)
        if v:
            for pk in units_on_path(s.member.org_path, by_path):
                totals[pk] += v
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


def counted_duty_records(start, end):
    """Duty records that count (automatic or verified) in the period: the duty file's figures."""
    return DutyRecord.objects.filter(occurred_on__range=(start, end), status__in=COUNTED_STATUSES)


@metric("members.duty_entries", _("Duty entries recorded"), section=SECTION, unit=_("entries"), order=12,
        additive=True, sources=[_DUTY])
def duty_entries(units, start, end):
    return subtree_counts(counted_duty_records(start, end), units)


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
              .filter(subtree_q(units)).filter(**{f"{field}__isnull": False})
              .aggregate(**{f"u{u.pk}": Count(field, distinct=True, filter=Q(org_path__startswith=u.path))
                            for u in units}))
    return {u.pk: counts[f"u{u.pk}"] or 0 for u in units}


def activity_by_body(units, start, end, *, kind: str = "sector") -> dict[int, dict[str, int]]:
    """界别 / 专委会 activity: {unit id: {body name: counted entries}} for the units' subtrees,
    one query."""
    field = "member__sector__name" if kind == "sector" else "member__committees__name"
    units = list(units)
    rows = (DutyRecord.objects.filter(occurred_on__range=(start, end), status__in=COUNTED_STATUSES)
            .filter(subtree_q(units))  # the units' subtrees only, not the province's duty file
            .filter(**{f"{field}__isnull": False}).values("org_path", field).order_by().annotate(n=Count("pk"))
            .values_list("org_path", field, "n"))
    by_path = {u.path: u.pk for u in units}
    result = {u.pk: defaultdict(int) for u in units}
    for path, name, n in rows:
        for pk in units_on_path(path, by_path):  # O(depth) per row, not O(units)
            result[pk][name] += n
    return {pk: dict(v) for pk, v in result.items()}


@metric("members.sector_activity", _("Sectors with duty activity"), section=SECTION, unit=_("sectors"), order=30,
        sources=[_DUTY, _MEMBER])
def sector_activity(units, start, end):
    return _bodies_active(units, start, end, "sector")


@metric("members.committee_activity", _("Special committees with duty activity"), section=SECTION,
        unit=_("committees"), order=31, sources=[_DUTY, _MEMBER])
def committee_activity(units, start, end):
    return _bodies_active(units, start, end, "committee")


# --- The register and the duty file as the dashboards show them ---------------------------------

REGISTER_SECTION = _("Members")
_REGISTER = [Source("members.Member", dates=())]  # active or not, in every period


def active_members_records(unit, start, end):
    return Member.objects.filter(is_active=True, org_path__startswith=unit.path).order_by("org_path", "name")


def duty_records_records(unit, start, end):
    return (counted_duty_records(start, end).filter(org_path__startswith=unit.path).select_related("member")
            .order_by("-occurred_on", "pk"))


def participants_records(unit, start, end):
    counted = counted_duty_records(start, end).filter(member=OuterRef("pk"), org_path__startswith=unit.path)
    return Member.objects.filter(Exists(counted)).order_by("org_path", "name")


@metric("members.active", _("Active members"), section=REGISTER_SECTION, unit=_("people"), order=10,
        records=active_members_records, additive=True, sources=_REGISTER)
def register_active(units, start, end):
    return subtree_counts(Member.objects.filter(is_active=True), units)


@metric("members.duty_records", _("Duty activities (person-times)"), section=REGISTER_SECTION,
        unit=_("person-times"), order=20, records=duty_records_records, additive=True, sources=[_DUTY])
def duty_records(units, start, end):
    return duty_entries(units, start, end)  # the same count as members.duty_entries


def _participants(units, start, end) -> dict[int, int]:
    """Distinct members with a counted duty activity in each subtree (one query)."""
    units = list(units)
    records = counted_duty_records(start, end).filter(subtree_q(units))
    if len(units) <= FEW_UNITS:
        counts = records.aggregate(**{
            f"u{u.pk}": Count("member_id", distinct=True, filter=Q(org_path__startswith=u.path)) for u in units})
        return {u.pk: counts[f"u{u.pk}"] or 0 for u in units}
    pairs = records.values_list("org_path", "member_id").distinct()
    seen: dict[int, set] = defaultdict(set)
    by_path = {u.path: u.pk for u in units}
    for path, member_id in pairs:
        for pk in units_on_path(path, by_path):
            seen[pk].add(member_id)
    return {u.pk: len(seen[u.pk]) for u in units}


@metric("members.participants", _("Members taking part"), section=REGISTER_SECTION, unit=_("people"), order=30,
        records=participants_records, sources=[_DUTY],
        distinct=Distinct("members.DutyRecord", who="member_id", day="occurred_on",
                          counted=("status", tuple(str(s) for s in COUNTED_STATUSES))))
def participants(units, start, end):
    return _participants(units, start, end)


# Not the published 委员参与率 (attended ÷ invited member places: consultations.member_participation_rate);
# this is the share of the register with any duty activity in the period.
rate_metric("members.active_share", _("Share of members with a duty activity"), numerator="members.participants",
            denominator="members.active", section=REGISTER_SECTION, order=40)
