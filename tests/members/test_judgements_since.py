"""Judgements that respect when things began: escalations and the minimum count from when a
member took office (pro rata in the first year), the ladder 提醒 → 约谈 → 劝辞 follows the
configured years, and a workroom is idle only 90 days after its approval."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from members import importer, scoring, selectors, services
from members.models import DutyRecord, Member, Workroom, WorkroomStatus
from organizations.services import config_set
from tests.factories import make_member

from .conftest import xlsx

pytestmark = pytest.mark.django_db
D = datetime.date


def add(member, day, n=1):
    for _ in range(n):
        DutyRecord.objects.create(member=member, kind="volunteer", title="志愿", occurred_on=day,
                                  org_unit=member.org_unit, org_path=member.org_path, status="verified")


def test_twenty_members_imported_minutes_ago_are_not_marked_resign(users, tree):
    rows = [["姓名", "身份证号"]] + [[f"新委员{i}", f"NEW{i:03d}"] for i in range(20)]
    result = importer.import_file(actor=users.clerk, unit=tree.county_a,
                                  upload=SimpleUploadedFile("m.xlsx", xlsx(rows)))
    assert result.ok and result.created == 20
    today = timezone.localdate()
    assert set(Member.objects.values_list("joined_on", flat=True)) == {today}
    ranking = selectors.ranking(users.clerk, tree.county_a, today.year, until=today)
    steps = {s.escalation for s in ranking}
    assert "resign" not in steps and "interview" not in steps  # at most a reminder in the first year
    assert all(s.years_below <= 1 for s in ranking)


def test_the_import_takes_the_date_of_taking_office_and_refuses_bad_ones(users, tree):
    rows = [["姓名", "身份证号", "任职日期"], ["老委员", "OLD001", "2021年12月1日"], ["坏日期", "BAD001", "去年"],
            ["将来", "FUT001", "2999-01-01"]]
    result = importer.import_file(actor=users.clerk, unit=tree.county_a,
                                  upload=SimpleUploadedFile("m.xlsx", xlsx(rows)))
    assert not result.ok and not Member.objects.exists()
    text = "\n".join(str(e) for e in result.errors)
    assert "去年" in text and "2999-01-01" in text and "OLD001" not in text
    result = importer.import_file(actor=users.clerk, unit=tree.county_a,
                                  upload=SimpleUploadedFile("m.xlsx", xlsx(rows[:2])))
    assert result.ok and Member.objects.get().joined_on == D(2021, 12, 1)


def test_minimum_is_pro_rata_in_the_year_a_member_joined(tree, users):
    # minimum 15 (the default); joined 1 July 2025: 184 of 365 days → 15 × 184 // 365 = 7
    july = make_member(tree.county_a, joined_on=D(2025, 7, 1))
    add(july, D(2025, 9, 1), 4)  # 8 points ≥ 7: not below in 2025
    later = make_member(tree.county_a, joined_on=D(2026, 3, 1))
    (s_july,) = scoring.scores_for([july], 2025)
    assert (s_july.minimum, s_july.points, s_july.below_minimum) == (7, 8, False)
    (s_2024,) = scoring.scores_for([july], 2024)
    assert (s_2024.minimum, s_2024.below_minimum, s_2024.escalation) == (0, False, "")  # not a member yet
    (s_later,) = scoring.scores_for([later], 2025)
    assert not s_later.below_minimum


def test_the_ladder_reminder_interview_resign_follows_the_configured_years(tree, users):
    """Bottom 1 is interviewed; two years running below → 约谈 whatever the rank; among the bottom
    and two years running → 劝辞. A unit may configure three years instead."""
    services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2026, annual_minimum=15,
                               points={"volunteer": 2}, interview_bottom=1)
    services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2025, annual_minimum=15,
                               points={"volunteer": 2}, interview_bottom=1)
    bottom, two_years, one_year, fine = (make_member(tree.county_a, name=n, joined_on=D(2025, 1, 1))
                                         for n in ["甲", "乙", "丙", "丁"])
    add(two_years, D(2026, 3, 1), 3)  # 6 points, and nothing in 2025
    add(one_year, D(2026, 3, 1), 4)  # 8 points
    add(one_year, D(2025, 3, 1), 8)  # 16 points last year
    add(fine, D(2026, 3, 1), 8)
    add(bottom, D(2025, 3, 1), 1)  # 2 points last year, 0 this year
    steps = {s.member.name: s.escalation for s in selectors.ranking(users.clerk, tree.county_a, 2026)}
    assert steps == {"甲": "resign", "乙": "interview", "丙": "reminder", "丁": ""}

    config_set(actor=users.admin, unit=tree.county_a, key="members.resign_after_years", value=3)
    config_set(actor=users.admin, unit=tree.county_a, key="members.interview_after_years", value=3)
    steps = {s.member.name: s.escalation for s in selectors.ranking(users.clerk, tree.county_a, 2026)}
    assert steps == {"甲": "interview", "乙": "reminder", "丙": "reminder", "丁": ""}
    # they joined in 2025, so they were not "below in 2024"; a member of many years without any
    # duty is below three years running
    make_member(tree.county_a, name="己", joined_on=D(2015, 1, 1))
    ranking = {s.member.name: s for s in selectors.ranking(users.clerk, tree.county_a, 2026)}
    assert (ranking["甲"].years_below, ranking["己"].years_below) == (2, 3)
    assert (ranking["甲"].escalation, ranking["己"].escalation) == ("interview", "resign")


def test_a_workroom_approved_minutes_ago_is_not_idle(tree, users):
    room = services.workroom_create(actor=users.secretary, unit=tree.township_a1, name="新工作室")
    room = services.workroom_transition(actor=users.secretary, workroom=room, action="review")
    room = services.workroom_transition(actor=users.clerk, workroom=room, action="approve")
    today = timezone.localdate()
    assert room.approved_on == today
    assert room not in Workroom.objects.filter(selectors.idle_q(today))
    assert not selectors.is_idle(room, today, 90)
    later = today + datetime.timedelta(days=91)
    assert room in Workroom.objects.filter(selectors.idle_q(later))
    assert selectors.is_idle(room, later, 90)
    # imported as approved long ago without a date: counts from its creation
    Workroom.objects.filter(pk=room.pk).update(approved_on=None, status=WorkroomStatus.PLAQUED)
    assert room not in Workroom.objects.filter(selectors.idle_q(today))


def test_idle_workrooms_metric_skips_rooms_approved_too_recently(tree, users):
    from members import metrics

    old = Workroom.objects.create(org_unit=tree.township_a1, name="老室", status="approved",
                                  approved_on=D(2025, 1, 1))
    Workroom.objects.create(org_unit=tree.township_a1, name="新室", status="approved", approved_on=D(2026, 12, 1))
    counts = metrics.workrooms_idle([tree.county_a], D(2026, 1, 1), D(2026, 12, 31))
    assert counts == {tree.county_a.pk: 1} and old.pk
