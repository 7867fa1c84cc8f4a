"""The per-member per-year score table (members.score_table) equals the direct computation
(members.scoring.compute_scores) after every kind of change of its inputs: entries added,
verified, back-entered into last year, moved to another date, withdrawn in bulk, deleted; plans
and rules changed; a member moved to another unit; a subtree moved; a member deleted."""

import datetime

import pytest
from django.db import transaction

from members import score_table, scoring, selectors, services
from members.models import DutyRecord, DutyStatus, Member, MemberScoreMark, MemberYearScore, ScoringPlan
from organizations.services import orgunit_move
from portal.metrics import records_changed

from ..factories import make_member
from ..helpers import count_queries

pytestmark = pytest.mark.django_db
D = datetime.date
YEARS = (2025, 2026)


def add(member, kind, on, status=DutyStatus.VERIFIED):
    return DutyRecord.objects.create(member=member, kind=kind, occurred_on=on, title=kind, status=status,
                                     org_unit_id=member.org_unit_id, org_path=member.org_path)


def table(year):
    return {r.member_id: (r.points, r.by_kind, r.counts) for r in MemberYearScore.objects.filter(year=year)}


def direct(year):
    members = Member.objects.select_related("org_unit")
    return {s.member.pk: (s.points, s.by_kind, s.counts) for s in scoring.compute_scores(members, year) if s.counts}


def assert_table_is_direct():
    score_table.apply_marks()  # what the commit of the change does (the test's transaction never commits)
    assert not MemberScoreMark.objects.exists()
    for year in YEARS:
        assert table(year) == direct(year), year


def test_table_equals_direct_computation_after_a_series_of_changes(tree, users, me):
    services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2026, annual_minimum=15,
                               points={"session_attended": 5, "volunteer": 2, "deed": 3},
                               valid_from=D(2026, 1, 1))
    services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2025, annual_minimum=15,
                               points={"volunteer": 1})
    other = make_member(tree.county_a, name="乙")
    far = make_member(tree.county_b, name="丙")
    add(other, "session_attended", D(2026, 3, 1))
    add(far, "volunteer", D(2026, 3, 2))
    assert_table_is_direct()
    assert table(2026)[other.pk][0] == 5
    assert table(2026)[far.pk][0] == 2  # no plan in county B: the default points

    # a member's own entry awaits verification (counts nothing), then is verified
    entry = services.duty_record_submit(actor=users.member, member=me, kind="volunteer", occurred_on=D(2026, 6, 1),
                                        title="义诊", evidence=_evidence(), today=D(2026, 12, 7))
    assert_table_is_direct()
    assert me.pk not in table(2026)
    services.duty_record_review(actor=users.clerk, record=entry, approve=True)
    assert_table_is_direct()
    assert table(2026)[me.pk] == (2, {"volunteer": 2}, {"volunteer": 1})

    # back-entered in December 2026 for an event of last year: it counts in 2025, not 2026
    back = services.duty_record_submit(actor=users.clerk, member=other, kind="volunteer", occurred_on=D(2025, 11, 3),
                                       title="补录", today=D(2026, 12, 7))
    assert back.status == DutyStatus.VERIFIED
    assert_table_is_direct()
    assert table(2025)[other.pk] == (1, {"volunteer": 1}, {"volunteer": 1})
    assert table(2026)[other.pk][0] == 5

    # its date corrected into this year: both years change
    back.occurred_on = D(2026, 2, 1)
    back.save()
    assert_table_is_direct()
    assert other.pk not in table(2025)
    assert table(2026)[other.pk][0] == 7

    # withdrawn in bulk (QuerySet.update, announced with records_changed before and after)
    qs = DutyRecord.objects.filter(member=other, kind="session_attended")
    records_changed(qs)
    qs.update(status=DutyStatus.WITHDRAWN)
    records_changed(DutyRecord.objects.filter(member=other, kind="session_attended"))
    assert_table_is_direct()
    assert table(2026)[other.pk][0] == 2

    # deleted
    DutyRecord.objects.filter(pk=back.pk).get().delete()
    assert_table_is_direct()
    assert other.pk not in table(2026)

    # the plan's points change from mid-year on: entries after the date earn the new points
    add(other, "deed", D(2026, 9, 1))
    add(other, "deed", D(2026, 3, 1))
    services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2026, annual_minimum=15,
                               points={"session_attended": 5, "volunteer": 2, "deed": 10}, valid_from=D(2026, 7, 1),
                               version=ScoringPlan.objects.get(org_unit=tree.county_a, year=2026).version)
    assert_table_is_direct()
    assert table(2026)[other.pk][0] == 13

    # a member moves to county B (no plan there: default points)
    member = Member.objects.get(pk=other.pk)
    services.member_update(actor=users.admin, member=member, version=member.version, org_unit=tree.county_b)
    assert_table_is_direct()
    assert table(2026)[other.pk][0] == 2 + 2  # two deeds at the default 2 points

    # county B moves under county A's city… and a plan of the city now reaches it
    ScoringPlan.objects.create(org_unit=tree.city, org_path=tree.city.path, year=2026, annual_minimum=10)
    assert_table_is_direct()
    orgunit_move(actor=users.admin, unit=tree.township_b1, new_parent=tree.county_a)
    assert_table_is_direct()

    # a member deleted: their rows go
    Member.objects.get(pk=far.pk).delete()
    assert_table_is_direct()
    assert far.pk not in table(2026)


def _evidence():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")


def test_a_rolled_back_change_marks_nothing(tree):
    m = make_member(tree.county_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        add(m, "volunteer", D(2026, 3, 1))
        assert MemberScoreMark.objects.filter(member_id=m.pk, year=2026).exists()
        raise RuntimeError
    assert not MemberScoreMark.objects.exists()


def test_the_commit_applies_the_marks(tree, django_capture_on_commit_callbacks):
    m = make_member(tree.county_a)
    with django_capture_on_commit_callbacks(execute=True):
        add(m, "volunteer", D(2026, 3, 1))
    assert not MemberScoreMark.objects.exists()
    assert table(2026) == {m.pk: (2, {"volunteer": 2}, {"volunteer": 1})}


def test_pages_read_the_table_not_the_duty_file(tree, users, me):
    add(me, "volunteer", D(2026, 3, 1))
    score_table.apply_marks()
    MemberYearScore.objects.filter(member=me, year=2026).update(points=77)  # the table is what is read
    ranked = selectors.ranking(users.clerk, tree.county_a, 2026)
    assert (ranked[0].points, ranked[0].by_kind, ranked[0].counts) == (77, {"volunteer": 2}, {"volunteer": 1})
    assert scoring.explain(me, 2026)[0].points == 77
    n, sqls = count_queries(lambda: selectors.ranking(users.clerk, tree.county_a, 2026))
    assert not any("members_dutyrecord" in sql for sql in sqls)


def test_a_reader_finding_marks_applies_them(tree, users, me):
    add(me, "volunteer", D(2026, 3, 1))  # not committed: the mark is still there
    assert MemberScoreMark.objects.exists()
    assert selectors.ranking(users.clerk, tree.county_a, 2026)[0].points == 2
    assert not MemberScoreMark.objects.exists()


def test_rebuild_repairs_the_table(tree, me):
    add(me, "volunteer", D(2026, 3, 1))
    add(me, "volunteer", D(2025, 3, 1))
    score_table.apply_marks()
    MemberYearScore.objects.all().delete()
    MemberYearScore.objects.create(member=me, year=2024, points=9, counts={"deed": 1}, by_kind={"deed": 9})
    assert score_table.rebuild() == 3  # two rows back, the wrong one gone
    assert_table_is_direct()
    assert not MemberYearScore.objects.filter(year=2024).exists()
    assert score_table.rebuild() == 0


def test_records_created_marks_new_duty_records_and_members_as_their_saves_would(tree):
    """bulk_create sends no signals: portal.metrics.records_created marks what a save of each
    would have (the duty record's member and year; nothing for a new member)."""
    from portal.metrics import records_created
    from reports.models import FactMark

    def written():
        return (sorted(((m.member_id, m.path, m.year) for m in MemberScoreMark.objects.all()), key=repr),
                sorted(((f.source, f.path, f.day, f.who, f.sign) for f in FactMark.objects.all()), key=repr))

    member = make_member(tree.county_a, name="张一")
    MemberScoreMark.objects.all().delete()
    FactMark.objects.all().delete()
    fields = {"member": member, "org_unit": tree.county_a, "org_path": tree.county_a.path, "kind": "research",
              "title": "调研", "status": DutyStatus.VERIFIED}
    with transaction.atomic():
        DutyRecord(occurred_on=datetime.date(2025, 5, 1), **fields).save()
        Member(org_unit=tree.county_a, name="王二", id_key="K2").save()
        saved = written()
        transaction.set_rollback(True)
    MemberScoreMark.objects.all().delete()
    FactMark.objects.all().delete()
    created = [*DutyRecord.objects.bulk_create([DutyRecord(occurred_on=datetime.date(2025, 5, 1), **fields)]),
               *Member.objects.bulk_create([Member(org_unit=tree.county_a, org_path=tree.county_a.path, name="王二",
                                                  id_key="K2")])]
    records_created(created)
    assert written() == saved and saved[0] == [(member.pk, "", 2025)] and saved[1]
