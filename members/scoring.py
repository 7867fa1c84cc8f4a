"""Duty scores (积分): computed from the duty file and the scoring plan, never stored, so a rule
change is reflected everywhere at once and every score can be explained entry by entry.

All functions work on many members at once in a constant number of queries: the members, their
counted entries of the year, and the plans of their units' ancestors."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from . import duty
from .models import COUNTED_STATUSES, DutyRecord, Member, ScoringPlan, ScoringRule

# Points used where no unit on the path has a plan for the year (the 三堤口 rules of the reports:
# attendance 5, golden idea 5, volunteering 2; annual minimum 15).
DEFAULT_POINTS = {
    "session_attended": 5, "research": 3, "reception_shift": 2, "speech": 3, "golden_idea": 5, "volunteer": 2,
    "deed": 2, "proposal_submitted": 2, "proposal_registered": 3, "proposal_adopted": 5, "opinion_submitted": 2,
    "opinion_adopted": 3, "opinion_instructed": 5, "workroom_activity": 2, "absence_unexcused": -5,
}
DEFAULT_MINIMUM = 15
# The escalation ladder 提醒 → 约谈 → 劝辞, per unit and year (organizations.config, inherited):
INTERVIEW_YEARS_KEY = "members.interview_after_years"  # years running below → 约谈 whatever the rank
RESIGN_YEARS_KEY = "members.resign_after_years"  # years running below, among the bottom N → 劝辞
DEFAULT_INTERVIEW_YEARS = DEFAULT_RESIGN_YEARS = 2
MAX_LOOKBACK_YEARS = 10
MIN_POINTS, MAX_POINTS = -50, 100  # a rule outside this range is refused as absurd

# The "four ones" (四个一): one research, one proposal, one public-opinion item, one deed a year.
FOUR_ONES = [
    ("research", _("one research"), lambda kind: kind == "research"),
    ("proposal", _("one proposal"), lambda kind: duty.kinds().get(kind) is not None
     and duty.kinds()[kind].group == "proposal"),
    ("opinion", _("one public-opinion item"), lambda kind: duty.kinds().get(kind) is not None
     and duty.kinds()[kind].group == "opinion"),
    ("deed", _("one deed"), lambda kind: duty.kinds().get(kind) is not None and duty.kinds()[kind].group == "deed"),
]


@dataclass
class ResolvedPlan:
    """The plan that applies to a unit for a year (possibly inherited, possibly the default)."""

    year: int
    plan: ScoringPlan | None
    rules: dict[str, list[tuple[datetime.date, int]]]  # kind -> [(valid_from, points)] ascending

    @property
    def annual_minimum(self) -> int:
        return self.plan.annual_minimum if self.plan else DEFAULT_MINIMUM

    @property
    def require_four_ones(self) -> bool:
        return self.plan.require_four_ones if self.plan else True

    @property
    def commend_top_percent(self) -> int:
        return self.plan.commend_top_percent if self.plan else 10

    @property
    def interview_bottom(self) -> int:
        return self.plan.interview_bottom if self.plan else 5

    def points_for(self, kind: str, on: datetime.date) -> int:
        if self.plan is None:
            return DEFAULT_POINTS.get(kind, 0)
        points = 0
        for valid_from, value in self.rules.get(kind, []):
            if valid_from <= on:
                points = value
            else:
                break
        return points


@dataclass
class Score:
    member: Member
    plan: ResolvedPlan
    points: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)  # kind -> points
    counts: dict[str, int] = field(default_factory=dict)  # kind -> entries
    rank: int = 0
    commended: bool = False
    interview: bool = False  # among the plan's bottom N and below the minimum
    below_last_year: bool = False
    years_below: int = 0  # years running below the minimum, this one included (set by with_escalation)
    interview_years: int = DEFAULT_INTERVIEW_YEARS
    resign_years: int = DEFAULT_RESIGN_YEARS

    @property
    def escalation(self) -> str:
        """The ladder 提醒 → 约谈 → 劝辞, counted in years the member served:

        - below the minimum: reminder (提醒) — and no more in the member's first, partial year;
        - interview (约谈) when among the bottom N, or below `interview_years` years running;
        - advise resignation (劝辞) when among the bottom N and below `resign_years` years running.
        """
        if not self.below_minimum:
            return ""
        if self.first_year:
            return "reminder"
        years = max(self.years_below, 1)
        if self.interview and years >= self.resign_years:
            return "resign"
        if self.interview or years >= self.interview_years:
            return "interview"
        return "reminder"

    @property
    def first_year(self) -> bool:
        """Joined during the year: the minimum is pro rata and nothing beyond a reminder."""
        joined = getattr(self.member, "joined_on", None)
        return joined is not None and joined >= datetime.date(self.plan.year, 1, 1)

    @property
    def served(self) -> bool:
        """A member during (some of) the year at all."""
        joined = getattr(self.member, "joined_on", None)
        return joined is None or joined <= datetime.date(self.plan.year, 12, 31)

    @property
    def minimum(self) -> int:
        """The annual minimum, pro rata to the days served in the year the member joined (rounded
        down, in the member's favour); 0 for a year before they joined."""
        if not self.served:
            return 0
        if not self.first_year:
            return self.plan.annual_minimum
        start, end = year_bounds(self.plan.year)
        served_days = (end - self.member.joined_on).days + 1
        return (self.plan.annual_minimum * served_days) // ((end - start).days + 1)

    @property
    def shortfall(self) -> int:
        return max(0, self.minimum - self.points)

    @property
    def below_minimum(self) -> bool:
        return self.served and self.points < self.minimum

    @property
    def missing_quotas(self) -> list:
        if not self.plan.require_four_ones:
            return []
        return [label for _code, label, test in FOUR_ONES if not any(test(k) and n for k, n in self.counts.items())]

    @property
    def breakdown(self) -> list[tuple[str, object, int, int]]:
        return sorted(((k, duty.label_of(k), self.counts.get(k, 0), p) for k, p in self.by_kind.items()),
                      key=lambda row: -row[3])


def resolve_plans(units, year: int) -> dict[int, ResolvedPlan]:
    """{unit id: plan} for the given units: the nearest ancestor-or-self with a plan for `year`.
    Two queries whatever the number of units."""
    units = {u.pk: u for u in units}
    ancestor_ids = {aid for u in units.values() for aid in u.ancestor_ids}
    plans = {p.org_unit_id: p for p in ScoringPlan.objects.filter(org_unit_id__in=ancestor_ids, year=year)}
    rules_of: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    if plans:
        for plan_id, kind, valid_from, points in (
            ScoringRule.objects.filter(plan_id__in=[p.pk for p in plans.values()])
            .order_by("valid_from").values_list("plan_id", "kind", "valid_from", "points")
        ):
            rules_of[plan_id][kind].append((valid_from, points))
    result = {}
    for pk, unit in units.items():
        plan = next((plans[aid] for aid in reversed(unit.ancestor_ids) if aid in plans), None)
        result[pk] = ResolvedPlan(year, plan, dict(rules_of[plan.pk]) if plan else {})
    return result


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def scores_for(members, year: int, *, until: datetime.date | None = None) -> list[Score]:
    """Scores of `members` (a list or queryset with `org_unit` selected) for `year`, ranked: the
    whole year from the score table (members.score_table), a part of it computed directly."""
    if until is None or until >= datetime.date(year, 12, 31):
        from .score_table import stored_scores

        ranked = stored_scores(members, year)
        if ranked is not None:
            return ranked
    return compute_scores(members, year, until=until)


def compute_scores(members, year: int, *, until: datetime.date | None = None) -> list[Score]:
    """Scores computed from the duty file. Three queries: members (if a queryset), entries
    grouped by member/kind/day, plans."""
    members = list(members)
    if not members:
        return []
    plans = resolve_plans({m.org_unit_id: m.org_unit for m in members}.values(), year)
    start, end = year_bounds(year)
    if until is not None:
        end = min(end, until)
    scores = {m.pk: Score(member=m, plan=plans[m.org_unit_id]) for m in members}
    rows = (DutyRecord.objects.filter(member_id__in=list(scores), occurred_on__range=(start, end),
                                      status__in=COUNTED_STATUSES)
            .values_list("member_id", "kind", "occurred_on").order_by().annotate(n=Count("pk")))
    for member_id, kind, occurred_on, n in rows:
        score = scores[member_id]
        pts = score.plan.points_for(kind, occurred_on) * n
        score.points += pts
        score.by_kind[kind] = score.by_kind.get(kind, 0) + pts
        score.counts[kind] = score.counts.get(kind, 0) + n
    return rank(scores.values())


def rank(scores) -> list[Score]:
    ranked = sorted(scores, key=lambda s: (-s.points, s.member.name, s.member.pk))
    _mark_ranks(ranked)
    return ranked


def _mark_ranks(ranked: list[Score]) -> None:
    previous, rank = None, 0
    for i, score in enumerate(ranked, start=1):
        if score.points != previous:
            rank, previous = i, score.points
        score.rank = rank
    total = len(ranked)
    if not total:
        return
    plan = ranked[0].plan
    top_n = (total * plan.commend_top_percent) // 100
    if top_n:
        cutoff = ranked[top_n - 1].points
        for s in ranked:
            s.commended = s.points >= cutoff and s.points > 0
    bottom_n = min(plan.interview_bottom, total)
    if bottom_n:
        cutoff = ranked[total - bottom_n].points
        for s in ranked:
            s.interview = s.points <= cutoff and s.below_minimum


ESCALATION_LABELS = {"reminder": _("reminder"), "interview": _("interview (约谈)"),
                     "resign": _("advise resignation (劝辞)")}


def _ladder_years(units, year: int) -> dict[int, tuple[int, int]]:
    """{unit id: (interview years, resign years)} from the units' configuration for `year`."""
    from organizations.config import config_get

    return {u.pk: (int(config_get(u, INTERVIEW_YEARS_KEY, year) or DEFAULT_INTERVIEW_YEARS),
                   int(config_get(u, RESIGN_YEARS_KEY, year) or DEFAULT_RESIGN_YEARS)) for u in units}


def with_escalation(scores: list[Score], year: int) -> list[Score]:
    """Count for each member below the minimum how many years running they have been below it
    (years before they joined end the run), as far back as the configured ladder needs: three
    queries per year looked back, only for the members still in a run."""
    below = [s for s in scores if s.below_minimum]
    if not below:
        return scores
    ladders = _ladder_years({s.member.org_unit_id: s.member.org_unit for s in below}.values(), year)
    for s in below:
        s.interview_years, s.resign_years = ladders[s.member.org_unit_id]
        s.years_below = 1
    needed = min(MAX_LOOKBACK_YEARS, max(max(s.interview_years, s.resign_years) for s in below))
    running = [s for s in below if not s.first_year]
    for back in range(1, needed):
        if not running:
            break
        earlier = {p.member.pk: p for p in scores_for([s.member for s in running], year - back)}
        running = [s for s in running if earlier[s.member.pk].below_minimum]
        for s in running:
            s.years_below += 1
    for s in below:
        s.below_last_year = s.years_below >= 2
    return scores


def explain(member: Member, year: int) -> tuple[Score, list[tuple[DutyRecord, int]]]:
    """The member's score with every entry of the year and the points it earned (or 0 when it
    does not count yet)."""
    score = scores_for([member], year)[0]
    start, end = year_bounds(year)
    entries = list(member.duty_records.filter(occurred_on__range=(start, end)).select_related("activity_unit")
                   .order_by("-occurred_on", "-id"))
    return score, [(r, score.plan.points_for(r.kind, r.occurred_on) if r.counts else 0) for r in entries]


def expected_by(minimum: int, today: datetime.date) -> int:
    """Points a member should have by `today` to be on pace for the annual minimum."""
    start, end = year_bounds(today.year)
    elapsed = (today - start).days + 1
    return (minimum * elapsed) // ((end - start).days + 1)
