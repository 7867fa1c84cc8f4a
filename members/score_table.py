"""Per-member per-year duty scores kept in a table (members.MemberYearScore), so the ranking and
the member's page read one row per member instead of scoring every member's duty file per request.

What a score depends on (members.scoring): the member's counted duty records of the year (member,
kind, date, status), the member's unit (which scoring plan applies, inherited down the tree) and
the scoring plans and rules of the unit's ancestors for that year. Every change of one of them
writes a `MemberScoreMark` in the change's own transaction (signals for save()/delete(), the
portal.metrics change listeners for QuerySet.update() and bulk writes, and for moves of a
subtree); once the transaction commits the marks are applied (`apply_marks`): the marked scores
are recomputed with members.scoring's direct computation and only the rows that differ are
written. A rolled-back change marks nothing. A reader that still finds marks (a worker died
between commit and apply, or another worker is applying them) applies them itself, or — when it
cannot take the lock or reads from the replica — computes the scores directly, so a page never
shows a stale score. `manage.py rebuild_member_scores` rebuilds the table from the duty file.

Back-entered records count in the year of their event date (`occurred_on`), whatever the day
they were entered; a record moved to another date or member marks both the old and new year."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import connections, transaction
from django.db.models import (
    CharField,
    DateField,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.db.models.signals import post_delete, post_save, pre_save

from portal import metrics as contract
from portal.bulk import HeldWrites

from . import scoring
from .models import DutyRecord, Member, MemberScoreMark, MemberYearScore, ScoringPlan, ScoringRule

LOCK_KEY = 0x4D59_5343  # pg advisory lock: one applier at a time ("MYSC")
CHUNK = 2_000

# --- marks -------------------------------------------------------------------------------------


def _year(day) -> int | None:
    if day is None:
        return None
    return day.year if isinstance(day, datetime.date) else int(str(day)[:4])


def mark(*, members: Iterable[tuple[int, int | None]] = (), paths: Iterable[tuple[str, int | None]] = (),
         using: str = "default") -> None:
    """Mark scores stale: `members` as (member id, year or None for every year), `paths` as (unit
    path, year or None): every member under the path. Applied when the transaction commits."""
    rows = {(m, "", y) for m, y in members if m} | {(None, p, y) for p, y in paths if p}
    if not rows:
        return
    marks = [MemberScoreMark(member_id=m, path=p, year=y) for m, p, y in rows]
    if not _HELD.hold(marks, using):
        _insert(marks, using)


def _insert(marks: list[MemberScoreMark], using: str) -> None:
    MemberScoreMark.objects.using(using).bulk_create(marks, batch_size=2000)
    conn = connections[using]
    if not any(entry[1] is _apply_after_commit for entry in conn.run_on_commit):
        transaction.on_commit(_apply_after_commit, using=using, robust=True)


# Bulk loads (`manage.py load_demo`): inside `deferred()` the score marks are held and inserted at
# the block's end, one INSERT per database; nothing inside the block may read the scores
# (stored_scores, ranked_points …). They are applied when the transaction commits, as always.
_HELD = HeldWrites("score_marks_held", _insert)
deferred = _HELD.block


def _apply_after_commit() -> None:
    apply_marks()


def _locked(using: str) -> bool:
    conn = connections[using]
    if conn.vendor != "postgresql":
        return True  # SQLite serialises writers itself
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        return bool(cursor.fetchone()[0])


def apply_marks(using: str = "default") -> bool:
    """Recompute the marked scores. True when no mark was left (all applied, or none); False when
    another worker holds the lock (it, or the next reader, applies them)."""
    with transaction.atomic(using=using):
        if not _locked(using):
            return False
        marks = list(MemberScoreMark.objects.using(using).order_by("pk").values_list("pk", "member_id", "path", "year"))
        if not marks:
            return True
        by_year: dict[int, set[int]] = defaultdict(set)
        every_year: set[int] = set()
        for _pk, member_id, path, year in marks:
            if member_id:
                ids = {member_id}
            else:
                ids = set(Member.objects.using(using).filter(org_path__startswith=path).values_list("pk", flat=True))
            (by_year[year] if year else every_year).update(ids)
        for member_id, year in _years_of(every_year, using):
            by_year[year].add(member_id)
        for year, ids in sorted(by_year.items()):
            recompute(ids, year, using=using)
        MemberScoreMark.objects.using(using).filter(pk__in=[m[0] for m in marks]).delete()
    return True


def _years_of(member_ids: set[int], using: str) -> set[tuple[int, int]]:
    """(member, year) of every stored score and every duty record of these members."""
    pairs: set[tuple[int, int]] = set()
    ids = sorted(member_ids)
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        pairs.update(MemberYearScore.objects.using(using).filter(member_id__in=chunk)
                     .values_list("member_id", "year"))
        pairs.update(DutyRecord.objects.using(using).filter(member_id__in=chunk).order_by()
                     .annotate(y=ExtractYear("occurred_on")).values_list("member_id", "y").distinct())
    return pairs


def recompute(member_ids: Iterable[int], year: int, *, using: str = "default") -> int:
    """Recompute the scores of these members for `year` directly and write the rows that differ
    (a member without counted entries has no row). Returns the number of rows written."""
    ids = sorted(set(member_ids))
    written = 0
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i:i + CHUNK]
        members = list(Member.objects.using(using).filter(pk__in=chunk).select_related("org_unit"))
        wanted = {s.member.pk: (s.points, s.by_kind, s.counts)
                  for s in scoring.compute_scores(members, year) if s.counts}
        stored = {r.member_id: r for r in MemberYearScore.objects.using(using).filter(year=year, member_id__in=chunk)}
        gone = [r.pk for m, r in stored.items() if m not in wanted]
        new, changed = [], []
        for member_id, (points, by_kind, counts) in wanted.items():
            row = stored.get(member_id)
            if row is None:
                new.append(MemberYearScore(member_id=member_id, year=year, points=points, by_kind=by_kind,
                                           counts=counts))
            elif (row.points, row.by_kind, row.counts) != (points, by_kind, counts):
                row.points, row.by_kind, row.counts = points, by_kind, counts
                row.updated_at = datetime.datetime.now(datetime.UTC)
                changed.append(row)
        if gone:
            MemberYearScore.objects.using(using).filter(pk__in=gone).delete()
        MemberYearScore.objects.using(using).bulk_create(new, batch_size=1000)
        MemberYearScore.objects.using(using).bulk_update(changed, ["points", "by_kind", "counts", "updated_at"],
                                                         batch_size=500)
        written += len(gone) + len(new) + len(changed)
    return written


def rebuild(*, path: str = "", years: Iterable[int] | None = None, using: str = "default") -> int:
    """Recompute every member's scores (under `path`, for `years`; default: every year with a
    duty record or a stored score) from the duty file. The repair of `manage.py
    rebuild_member_scores`; also run by the data generator, whose COPY sends no signals."""
    members = Member.objects.using(using).order_by()
    records = DutyRecord.objects.using(using).order_by()
    stored = MemberYearScore.objects.using(using).order_by()
    if path:
        members = members.filter(org_path__startswith=path)
        records = records.filter(member__org_path__startswith=path)
        stored = stored.filter(member__org_path__startswith=path)
    if years is None:
        years = (set(records.annotate(y=ExtractYear("occurred_on")).values_list("y", flat=True).distinct())
                 | set(stored.values_list("year", flat=True).distinct()))
    ids = list(members.values_list("pk", flat=True))
    written = 0
    for year in sorted(years):
        with transaction.atomic(using=using):
            written += recompute(ids, year, using=using)
    return written


# --- reading -----------------------------------------------------------------------------------


def _apply_pending() -> bool:
    """Marks are pending: apply them so the table may be read (False: it may not)."""
    from portal.replica import read_alias

    if read_alias() != "default":
        return False  # a replica read never writes; compute directly
    return apply_marks()


def _read(rows) -> tuple[dict, bool]:
    """The rows ({member: (points, by_kind, counts)}) and whether marks are pending, in one query
    (a pending mark comes back as a row of member -1)."""
    cols = ("m", "pts", "bk", "ct")
    stored = (rows.order_by().annotate(m=F("member_id"), pts=F("points"), bk=F("by_kind"), ct=F("counts"))
              .values_list(*cols))
    pending = (MemberScoreMark.objects.order_by()
               .annotate(m=Value(-1, IntegerField()), pts=Value(0, IntegerField()), bk=Value(None, JSONField()),
                         ct=Value(None, JSONField())).values_list(*cols))
    result, stale = {}, False
    for member_id, points, by_kind, counts in stored.union(pending, all=True):
        if member_id == -1:
            stale = True
        else:
            result[member_id] = (points, by_kind, counts)
    return result, stale


def stored_scores(members, year: int) -> list[scoring.Score] | None:
    """Scores of `members` for the whole `year` from the table, ranked as scoring.scores_for
    ranks them; None when the table cannot be read now (pending marks another worker applies)."""
    source = members
    members = list(members)
    if not members:
        return []
    rows = MemberYearScore.objects.filter(year=year)
    if isinstance(source, QuerySet) and len(members) > 500:
        rows = rows.filter(member_id__in=source.order_by().values("pk"))
    else:
        rows = rows.filter(member_id__in=[m.pk for m in members])
    stored, stale = _read(rows)
    if stale:
        if not _apply_pending():
            return None
        stored, _stale = _read(rows)
    plans = scoring.resolve_plans({m.org_unit_id: m.org_unit for m in members}.values(), year)
    scores = []
    for m in members:
        points, by_kind, counts = stored.get(m.pk, (0, {}, {}))
        scores.append(scoring.Score(member=m, plan=plans[m.org_unit_id], points=points, by_kind=dict(by_kind),
                                    counts=dict(counts)))
    return scoring.rank(scores)


def ranked_points(members: QuerySet, year: int) -> list[tuple] | None:
    """(id, name, unit id, unit path, joined on, points) of every member of `members` for the whole
    `year`, in one query of plain rows (no model instances, no per-kind figures): what ranking a
    scope needs; the page's own rows are read afterwards. None when the table cannot be read now
    (pending marks another worker applies) — the caller then scores as `stored_scores` would."""
    cols = ("m", "nm", "u", "up", "jo", "pts")

    def read():
        stored = (members.order_by()
                  .annotate(m=F("pk"), nm=F("name"), u=F("org_unit_id"), up=F("org_unit__path"), jo=F("joined_on"),
                            pts=Coalesce(Subquery(MemberYearScore.objects.filter(member_id=OuterRef("pk"), year=year)
                                                  .values("points")[:1]), Value(0)))
                  .values_list(*cols))
        pending = (MemberScoreMark.objects.order_by()
                   .annotate(m=Value(-1, IntegerField()), nm=Value("", CharField()), u=Value(None, IntegerField()),
                             up=Value("", CharField()), jo=Value(None, DateField()), pts=Value(0, IntegerField()))
                   .values_list(*cols))
        rows = list(stored.union(pending, all=True))
        return [r for r in rows if r[0] != -1], len(rows) != sum(1 for r in rows if r[0] != -1)

    rows, stale = read()
    if stale:
        if not _apply_pending():
            return None
        rows, _stale = read()
    return rows


def with_page_figures(members: QuerySet, year: int) -> QuerySet:
    """`members` with their points by kind and entries by kind of `year` from the table
    (`year_by_kind`, `year_counts`; None without a row), read in the members' own query."""
    row = MemberYearScore.objects.filter(member_id=OuterRef("pk"), year=year)
    return members.annotate(year_by_kind=Subquery(row.values("by_kind")[:1]),
                            year_counts=Subquery(row.values("counts")[:1]))


# --- what marks --------------------------------------------------------------------------------


def _duty_old(sender, instance, raw=False, using=None, update_fields=None, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    instance._score_old = list(DutyRecord._base_manager.using(using).filter(pk=instance.pk)
                               .values_list("member_id", "occurred_on"))


def _duty_saved(sender, instance, raw=False, using=None, **kwargs):
    if raw:
        return
    pairs = [(m, _year(d)) for m, d in getattr(instance, "_score_old", [])]
    instance._score_old = []
    mark(members=[*pairs, (instance.member_id, _year(instance.occurred_on))], using=using)


def _duty_deleted(sender, instance, using=None, **kwargs):
    mark(members=[(instance.member_id, _year(instance.occurred_on))], using=using)


def _member_old(sender, instance, raw=False, using=None, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    instance._score_unit = Member._base_manager.using(using).filter(pk=instance.pk).values_list(
        "org_unit_id", flat=True).first()


def _member_saved(sender, instance, created=False, raw=False, using=None, **kwargs):
    old = getattr(instance, "_score_unit", None)
    instance._score_unit = None
    if not raw and not created and old is not None and old != instance.org_unit_id:
        mark(members=[(instance.pk, None)], using=using)  # another unit: perhaps another plan


def _plan_changed(sender, instance, raw=False, using=None, **kwargs):
    if not raw:
        mark(paths=[(instance.org_path, instance.year)], using=using)


def _rule_changed(sender, instance, raw=False, using=None, **kwargs):
    if raw:
        return
    plan = ScoringPlan._base_manager.using(using).filter(pk=instance.plan_id).values_list("org_path", "year").first()
    if plan:
        mark(paths=[plan], using=using)


def changed(*, queryset=None, paths=None, created=None) -> None:
    """The listener of portal.metrics.records_changed (called before and after a bulk write),
    records_created (new records of a bulk_create: what _duty_saved marks for each new duty record;
    a new member or plan rule is marked by nothing) and tree_changed (a subtree moved: the plans
    its members inherit may differ)."""
    if created:
        duties = [(d.member_id, _year(d.occurred_on)) for d in created if isinstance(d, DutyRecord)]
        if duties:
            mark(members=duties, using=created[0]._state.db)
        for instance in created:
            if isinstance(instance, ScoringPlan):
                _plan_changed(ScoringPlan, instance, using=instance._state.db)
            elif isinstance(instance, ScoringRule):
                _rule_changed(ScoringRule, instance, using=instance._state.db)
    if queryset is not None:
        model, using = queryset.model, queryset.db
        qs = queryset.order_by()
        if model is DutyRecord:
            mark(members=set(qs.annotate(y=ExtractYear("occurred_on")).values_list("member_id", "y").distinct()),
                 using=using)
        elif model is Member:
            mark(members=[(pk, None) for pk in qs.values_list("pk", flat=True)], using=using)
        elif model is ScoringPlan:
            mark(paths=set(qs.values_list("org_path", "year")), using=using)
        elif model is ScoringRule:
            mark(paths=set(qs.values_list("plan__org_path", "plan__year")), using=using)
    if paths:
        mark(paths=[(p, None) for p in set(paths)])


def connect() -> None:
    """Called from MembersConfig.ready()."""
    uid = "members.score_table"
    pre_save.connect(_duty_old, sender=DutyRecord, dispatch_uid=uid)
    post_save.connect(_duty_saved, sender=DutyRecord, dispatch_uid=uid)
    post_delete.connect(_duty_deleted, sender=DutyRecord, dispatch_uid=uid)
    pre_save.connect(_member_old, sender=Member, dispatch_uid=uid)
    post_save.connect(_member_saved, sender=Member, dispatch_uid=uid)
    post_save.connect(_plan_changed, sender=ScoringPlan, dispatch_uid=uid)
    post_delete.connect(_plan_changed, sender=ScoringPlan, dispatch_uid=uid)
    post_save.connect(_rule_changed, sender=ScoringRule, dispatch_uid=uid)
    post_delete.connect(_rule_changed, sender=ScoringRule, dispatch_uid=uid)
    contract.CHANGE_LISTENERS[:] = [c for c in contract.CHANGE_LISTENERS if c is not changed]
    contract.CHANGE_LISTENERS.append(changed)
