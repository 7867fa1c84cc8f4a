"""Reads of members users see: scoped by the member's CPPCC unit or their postings."""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from organizations import permissions
from organizations.config import config_get
from organizations.models import Body, OrgUnit
from portal.pagination import MorePage, more_page

from . import scoring
from .models import DutyRecord, DutyStatus, Member, Notable, Posting, Workroom, WorkroomStatus

CLERK_ROLES = permissions.CLERK_ROLES
IDLE_DAYS_KEY = "members.workroom_idle_days"
DEFAULT_IDLE_DAYS = 90


def _province_wide(paths) -> bool:
    """Whether a scope holds a province root ("/1/"), i.e. (nearly) every member: there the
    members' path index walked in the directory's order stops after the page's rows, while
    collecting the scope's ids first would read them all."""
    return any(p.count("/") <= 2 for p in paths)


def _in_units(paths, *, own=None) -> Q:
    """Members of a unit under `paths`, or actively posted to one (or `own`, a Q of the user's
    own record). Under a narrower root than a province each branch is read through its own
    index — the path range of members, that of postings, the user's member row — and the ids
    are then looked up by primary key (`id = ANY(ARRAY(…))`): as one `OR` PostgreSQL walked every
    member in path order to filter them (measured: 49,519 of 50,000 read for a county's 481)."""
    paths = list(paths)
    in_paths = Q()
    for path in paths:
        in_paths |= Q(org_path__startswith=path)
    if not paths:
        return own if own is not None else Q(pk__in=[])
    posted = Posting.objects.order_by().filter(in_paths, is_active=True)
    if _province_wide(paths):
        q = in_paths | Exists(posted.filter(member=OuterRef("pk")))
        return q | own if own is not None else q
    ids = Member.objects.order_by().filter(in_paths).values("pk").union(posted.values("member_id"), all=True)
    if own is not None:
        ids = ids.union(Member.objects.order_by().filter(own).values("pk"), all=True)
    return Q(pk__in_array=ids)


def members_visible_to(*, user) -> QuerySet[Member]:
    """Members of a unit in the user's scope, or posted to one (and the user's own record)."""
    if permissions.is_admin(user):
        return Member.objects.all()
    own = Q(user=user) if user.is_authenticated else None
    return Member.objects.filter(_in_units(permissions.scope_paths(user), own=own))


def directory_columns(members: QuerySet[Member]) -> QuerySet[Member]:
    """The directory's rows (members/member_list.html) with only the columns they print — not the
    identity key, phone or the rest of the record — and their postings and committees likewise."""
    return members.only(
        "id", "org_unit_id", "sector_id", "user_id", "name", "is_standing", "work_unit", "expertise",
        "org_unit__id", "org_unit__name", "sector__id", "sector__name",
    ).prefetch_related(None).prefetch_related(
        Prefetch("postings", queryset=Posting.objects.filter(is_active=True).select_related("org_unit")
                 .only("id", "member_id", "org_unit_id", "org_unit__id", "org_unit__name")),
        Prefetch("committees", queryset=Body.objects.only("id", "name", "unit_id", "kind")),
    )


DIRECTORY_FIELDS = ("id", "name", "is_standing", "work_unit", "expertise", "openable")


def directory_page(members: QuerySet[Member], number, per_page: int = 30) -> MorePage:
    """A page of the directory (members/member_list.html) as plain rows: the printed columns, the
    unit's and sector's names, and the names of the member's special committees and active
    postings ("、"-joined, "—" when none). On PostgreSQL one query — the names as correlated
    arrays, which it computes for the page's rows only — instead of model instances with two
    prefetches; elsewhere from `directory_columns`."""
    if connections[members.db].vendor != "postgresql":
        page = more_page(directory_columns(members), number, per_page)
        page.object_list = [{
            **{f: getattr(m, f) for f in DIRECTORY_FIELDS}, "unit_name": m.org_unit.name,
            "sector_name": m.sector.name if m.sector_id else None,
            "committee_names": [c.name for c in m.committees.all()],
            "posting_names": [p.org_unit.name for p in m.postings.all()],
        } for m in page.object_list]
    else:
        from django.contrib.postgres.expressions import ArraySubquery

        committees = Body.objects.filter(committee_members=OuterRef("pk")).order_by("unit__path", "kind", "name").values("name")
        postings = (Posting.objects.filter(member=OuterRef("pk"), is_active=True).order_by("pk")
                    .values("org_unit__name"))
        rows = members.prefetch_related(None).values(
            *DIRECTORY_FIELDS, unit_name=F("org_unit__name"), sector_name=F("sector__name"),
            committee_names=ArraySubquery(committees), posting_names=ArraySubquery(postings))
        page = more_page(rows, number, per_page)
    for row in page.object_list:
        row["committees_text"] = "、".join(row.pop("committee_names")) or "—"
        row["postings_text"] = "、".join(row.pop("posting_names")) or "—"
    return page


def member_list(*, user, q: str = "", unit=None, sector=None, committee=None, level: str = "",
                active: bool = True) -> QuerySet[Member]:
    qs = members_visible_to(user=user)
    if active:
        qs = qs.filter(is_active=True)
    if unit is not None:
        qs = qs.filter(_in_units([unit.path]))
    if sector is not None:
        qs = qs.filter(sector=sector)
    if committee is not None:
        qs = qs.filter(committees=committee)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(work_unit__icontains=q) | Q(expertise__icontains=q))
    if permissions.is_admin(user):
        qs = qs.annotate(openable=Value(True))
    else:
        own = Q(user=user) if user.is_authenticated else Q(pk__in=[])
        qs = qs.annotate(openable=Case(When(permissions.scope_q(user) | own, then=Value(True)), default=Value(False),
                                       output_field=BooleanField()))
    return qs.select_related("org_unit", "sector").prefetch_related(
        Prefetch("postings", queryset=Posting.objects.filter(is_active=True).select_related("org_unit")),
        "committees",
    ).order_by("org_path", "name", "pk")


def members_in_scope(*, user) -> QuerySet[Member]:
    """Members whose own record the user may open: those of units in the user's scope, and the
    user's own. (Members merely posted into the scope are listed in the directory but their
    file belongs to their own unit.)"""
    if permissions.is_admin(user):
        return Member.objects.all()
    own = Q(user=user) if user.is_authenticated else Q(pk__in=[])
    return Member.objects.filter(permissions.scope_q(user) | own)


def member_detail_qs(user) -> QuerySet[Member]:
    return members_in_scope(user=user).select_related("org_unit", "sector", "user").prefetch_related(
        Prefetch("postings", queryset=Posting.objects.select_related("org_unit").order_by("-is_active", "org_path")),
        "committees",
    )


def member_of_user(user) -> Member | None:
    if not user.is_authenticated:
        return None
    return Member.objects.filter(user=user).select_related("org_unit").first()


def can_manage_member(user, member: Member) -> bool:
    return permissions.has_role(user, CLERK_ROLES, member.org_unit)


def duty_records_visible_to(user) -> QuerySet[DutyRecord]:
    own = Q(member__user=user) if user.is_authenticated else Q(pk__in=[])
    return DutyRecord.objects.filter(permissions.scope_q(user) | own)


def pending_reviews(user) -> QuerySet[DutyRecord]:
    return (DutyRecord.objects.filter(permissions.scope_q(user, roles=CLERK_ROLES), status=DutyStatus.PENDING)
            .exclude(member__user=user)
            .select_related("member", "member__org_unit", "activity_unit", "entered_by")
            .order_by("occurred_on", "pk"))


def ranking_members(user, unit: OrgUnit) -> QuerySet[Member]:
    """Active members whose CPPCC unit is in `unit`'s subtree and in the user's read scope."""
    return (Member.objects.filter(permissions.scope_q(user), org_path__startswith=unit.path, is_active=True)
            .select_related("org_unit", "sector"))


# what the ranking page prints and scores of each member (members/ranking.html): not the whole record
RANKING_PAGE_COLUMNS = ("id", "org_unit_id", "sector_id", "org_path", "name", "joined_on", "is_active",
                        "org_unit__id", "org_unit__name", "org_unit__path", "org_unit__kind", "sector__id", "sector__name")


def ranking(user, unit: OrgUnit, year: int, *, until: datetime.date | None = None,
            columns: tuple[str, ...] | None = None) -> list[scoring.Score]:
    """`columns`: load only these member columns (the page: RANKING_PAGE_COLUMNS); exports and the
    API read whole records."""
    members = ranking_members(user, unit)
    if columns:
        members = members.only(*columns)
    return scoring.with_escalation(scoring.scores_for(members, year, until=until), year)


class _Ranked:
    """A ranked member off the page: what ranking needs (members.scoring.Score reads `pk`, `name`,
    `joined_on`, `org_unit_id`), not a model instance."""

    __slots__ = ("joined_on", "name", "org_unit_id", "pk")

    def __init__(self, pk, name, org_unit_id, joined_on):
        self.pk, self.name, self.org_unit_id, self.joined_on = pk, name, org_unit_id, joined_on


class _Unit:
    __slots__ = ("path", "pk")

    def __init__(self, pk, path):
        self.pk, self.path = pk, path

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip("/").split("/") if part]


@dataclass
class RankingPage:
    page: Page  # of scoring.Score, with the page's members and per-kind figures loaded
    total: int
    below_count: int
    plan: scoring.ResolvedPlan


def ranking_page(user, unit: OrgUnit, year: int, *, below: bool = False, page=None, per_page: int = 50,
                 columns: tuple[str, ...] = RANKING_PAGE_COLUMNS) -> RankingPage:
    """The ranking page (members/ranking.html) as `ranking` ranks it — same order, ranks, commend
    and interview marks, "below the minimum", escalation — without scoring every member per
    request: the scope's members and stored points come as plain rows in one query
    (score_table.ranked_points), ranked as scoring.rank ranks them, and only the page's 50 members
    are loaded with their per-kind figures and their escalation looked back. Reads the whole
    year from the table; when it cannot be read now, scores as `ranking` does."""
    from . import score_table

    members = ranking_members(user, unit)
    rows = score_table.ranked_points(members, year)
    if rows is None:  # pending marks another worker applies: computed directly, as before
        scores = ranking(user, unit, year, columns=columns)
        shown = [s for s in scores if s.below_minimum] if below else scores
        return RankingPage(Paginator(shown, per_page).get_page(page), len(scores),
                           sum(1 for s in scores if s.below_minimum),
                           scores[0].plan if scores else scoring.resolve_plans([unit], year)[unit.pk])
    plans = scoring.resolve_plans({u: _Unit(u, path) for _m, _n, u, path, _j, _p in rows}.values(), year)
    ranked = scoring.rank([scoring.Score(member=_Ranked(m, name, u, joined), plan=plans[u], points=points)
                           for m, name, u, _path, joined, points in rows])
    shown = [s for s in ranked if s.below_minimum] if below else ranked
    result = Paginator(shown, per_page).get_page(page)
    loaded = score_table.with_page_figures(members.only(*columns), year).in_bulk(
        [s.member.pk for s in result.object_list])
    for s in result.object_list:
        s.member = loaded[s.member.pk]
        s.by_kind, s.counts = dict(s.member.year_by_kind or {}), dict(s.member.year_counts or {})
    scoring.with_escalation(list(result.object_list), year)
    return RankingPage(result, len(ranked), sum(1 for s in ranked if s.below_minimum),
                       ranked[0].plan if ranked else scoring.resolve_plans([unit], year)[unit.pk])


def ranking_units(user) -> QuerySet[OrgUnit]:
    """CPPCC units (city/county) the user can rank."""
    return permissions.units_visible_to(user).filter(kind__in=["province", "city", "county"]).order_by("path")


def idle_days(unit: OrgUnit) -> int:
    return int(config_get(unit, IDLE_DAYS_KEY) or DEFAULT_IDLE_DAYS)


def workrooms_visible_to(user) -> QuerySet[Workroom]:
    return Workroom.objects.filter(permissions.scope_q(user))


def workroom_list(user, *, status: str = "", idle_only: bool = False, q: str = "", today=None) -> QuerySet[Workroom]:
    idle = idle_q(today or datetime.date.today())
    qs = workrooms_visible_to(user).select_related("org_unit", "lead_member").annotate(
        member_count=Count("members", distinct=True),
        is_idle=Case(When(idle, then=Value(True)), default=Value(False), output_field=BooleanField()))
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(place__icontains=q))
    if idle_only:
        qs = qs.filter(idle)
    return qs.order_by("org_path", "name", "pk")


def _older_than(today: datetime.date, days: int) -> Q:
    """No activity for `days`, counted from the last activity or, before the first one, from the
    approval (a workroom approved minutes ago is not idle); rooms approved outside the workflow
    (imports) without a date count from their creation."""
    cutoff = today - datetime.timedelta(days=int(days))
    tz = timezone.get_current_timezone()
    created_cutoff = datetime.datetime.combine(cutoff, datetime.time.min, tzinfo=tz)
    never = Q(last_activity_on__isnull=True) & (
        Q(approved_on__lt=cutoff) | Q(approved_on__isnull=True, created_at__lt=created_cutoff))
    return Q(last_activity_on__lt=cutoff) | never


def is_idle(workroom: Workroom, today: datetime.date, days: int) -> bool:
    """The same rule as `idle_q`, for one workroom already loaded."""
    if not workroom.is_open:
        return False
    cutoff = today - datetime.timedelta(days=int(days))
    since = workroom.last_activity_on or workroom.approved_on or timezone.localdate(workroom.created_at)
    return since < cutoff


def idle_q(today: datetime.date, days: int | None = None) -> Q:
    """Open workrooms without activity for longer than the idle threshold: `days` if given,
    else each workroom's unit setting ``members.workroom_idle_days`` (nearest ancestor wins,
    default 90). One small query for the settings; the result is a single SQL predicate."""
    from organizations.models import UnitConfig

    is_open = Q(status__in=[WorkroomStatus.APPROVED, WorkroomStatus.PLAQUED])
    if days is not None:
        return is_open & _older_than(today, days)
    rows = list(UnitConfig.objects.filter(key=IDLE_DAYS_KEY, year__isnull=True).values_list("unit__path", "value"))
    condition = Q()
    for path, value in rows:
        here = Q(org_path__startswith=path)
        for other, _value in rows:
            if other != path and other.startswith(path):
                here &= ~Q(org_path__startswith=other)
        condition |= here & _older_than(today, value)
    default = _older_than(today, DEFAULT_IDLE_DAYS)
    for path, _value in rows:
        default &= ~Q(org_path__startswith=path)
    return is_open & (condition | default)


def notables_visible_to(user) -> QuerySet[Notable]:
    return Notable.objects.filter(permissions.scope_q(user), is_active=True)


def pool_draw(user, unit: OrgUnit, *, expertise: str = "", size: int = 5, seed: int = 0,
              include_notables: bool = True, max_share: int = 60) -> dict:
    """Draw participants for a session from the talent pools of `unit`'s area (members of the
    area or posted into it, and the 乡贤人才库) by expertise; the same seed gives the same draw.
    The stakeholder-ratio check warns when one category exceeds `max_share` percent."""
    posted = Posting.objects.filter(member=OuterRef("pk"), is_active=True, org_path__startswith=unit.path)
    members = members_visible_to(user=user).filter(Q(org_path__startswith=unit.path) | Exists(posted),
                                                   is_active=True)
    notables = notables_visible_to(user).filter(org_path__startswith=unit.path) if include_notables else \
        Notable.objects.none()
    if expertise:
        members = members.filter(expertise__icontains=expertise)
        notables = notables.filter(expertise__icontains=expertise)
    pool = [("member", m) for m in members.order_by("pk")] + [("notable:" + n.category, n)
                                                                 for n in notables.order_by("pk")]
    rng = random.Random(seed)
    drawn = rng.sample(pool, min(size, len(pool))) if pool else []
    shares = Counter(kind.split(":")[0] if kind == "member" else kind.split(":")[1] for kind, _ in drawn)
    warnings = [k for k, n in shares.items() if drawn and n * 100 > max_share * len(drawn) and len(drawn) > 1]
    return {"pool_size": len(pool), "drawn": drawn, "shares": dict(shares), "over_share": warnings, "seed": seed}
