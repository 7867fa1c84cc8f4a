"""The ranking page ranked from plain rows of stored points (selectors.ranking_page) shows what
scoring every member did (selectors.ranking + a Paginator): same order, ranks, figures, marks and
escalation on every page, with and without "below the minimum", under two plans, for members who
joined during the year or after it — and when the score table cannot be read now."""

import datetime

import pytest
from django.core.paginator import Paginator

from members import score_table, selectors, services
from members.models import DutyRecord, DutyStatus, MemberScoreMark, ScoringPlan

from ..factories import make_member

pytestmark = pytest.mark.django_db
D = datetime.date


def add(member, kind, on, n=1):
    for _ in range(n):
        DutyRecord.objects.create(member=member, kind=kind, occurred_on=on, title=kind, status=DutyStatus.VERIFIED,
                                  org_unit_id=member.org_unit_id, org_path=member.org_path)


@pytest.fixture
def population(tree, users):
    plan = services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2026, annual_minimum=15,
                                      points={"session_attended": 5, "golden_idea": 5, "volunteer": 2, "research": 3})
    ScoringPlan.objects.filter(pk=plan.pk).update(commend_top_percent=20, interview_bottom=3)
    services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2025, annual_minimum=15,
                               points={"volunteer": 2})
    # a township with rules of its own (another minimum) inside the county
    services.scoring_plan_save(actor=users.clerk, unit=tree.township_a1, year=2026, annual_minimum=9,
                               points={"volunteer": 3})
    names = ["张三", "李四", "王五", "Anna", "anna", "赵六", "钱七", "孙八", "周九", "吴十", "郑一", "冯二", "陈三",
             "褚四", "卫五", "蒋六"]
    units = [tree.county_a, tree.township_a1, tree.village_a1a, tree.township_a2]
    members = []
    for i, name in enumerate(names):
        joined = D(2026, 7, 1) if i % 5 == 1 else (D(2027, 2, 1) if i == 7 else D(2020, 1, 1))
        m = make_member(units[i % 4], name=name, joined_on=joined)
        members.append(m)
        add(m, "volunteer", D(2026, 3, 1), n=i % 7)
        if i % 3 == 0:
            add(m, "research", D(2026, 5, 1))
        if i % 4 == 0:
            add(m, "volunteer", D(2025, 3, 1), n=8)  # fine last year: a reminder, not an interview
    make_member(tree.county_a, name="张三")  # a namesake without any record (0 points)
    make_member(tree.county_a, name="离任", is_active=False)
    make_member(tree.county_b, name="外县")
    score_table.apply_marks()  # what the commits do (the test never commits)
    return members


def _row(s):
    return (s.member.pk, s.member.name, s.rank, s.points, s.commended, s.interview, s.below_minimum, s.escalation,
            s.years_below, s.shortfall, [str(q) for q in s.missing_quotas], dict(s.by_kind), dict(s.counts),
            s.member.org_unit.name, s.member.sector_id)


def _old_pages(user, unit, year, below, per_page):
    scores = selectors.ranking(user, unit, year, columns=selectors.RANKING_PAGE_COLUMNS)
    shown = [s for s in scores if s.below_minimum] if below else scores
    paginator = Paginator(shown, per_page)
    plan = scores[0].plan if scores else None
    return scores, paginator, plan


def _compare(user, unit, year, per_page=4):
    for below in (False, True):
        scores, paginator, plan = _old_pages(user, unit, year, below, per_page)
        for number in [*paginator.page_range, "junk", 99]:
            old = paginator.get_page(number)
            new = selectors.ranking_page(user, unit, year, below=below, page=number, per_page=per_page)
            assert new.page.number == old.number and new.page.paginator.num_pages == paginator.num_pages
            assert [_row(s) for s in new.page] == [_row(s) for s in old], (below, number)
            assert new.total == len(scores)
            assert new.below_count == sum(1 for s in scores if s.below_minimum)
            if plan is not None:
                assert (new.plan.plan, new.plan.annual_minimum) == (plan.plan, plan.annual_minimum)


def test_same_pages_as_scoring_every_member(tree, users, population):
    scores = selectors.ranking(users.clerk, tree.county_a, 2026)
    # the data exercises what the page prints: ties, commendations, interviews, every escalation
    assert len({s.points for s in scores}) < len(scores)
    assert any(s.commended for s in scores) and any(s.interview for s in scores)
    assert {s.escalation for s in scores} >= {"", "reminder", "interview"}
    _compare(users.clerk, tree.county_a, 2026)
    _compare(users.clerk, tree.county_a, 2025)
    _compare(users.city_clerk, tree.city, 2026, per_page=50)
    _compare(users.clerk, tree.county_a, 2031)  # a year without scores: everyone 0


def test_resignation_advice_on_the_page(tree, users):
    plan = services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2026, annual_minimum=15,
                                      points={"volunteer": 2})
    ScoringPlan.objects.filter(pk=plan.pk).update(interview_bottom=2)
    lazy, weak, fine, low = (make_member(tree.county_a, name=n) for n in ["甲", "乙", "丙", "丁"])
    add(fine, "volunteer", D(2026, 3, 1), n=8)
    add(low, "volunteer", D(2026, 3, 1), n=5)
    add(weak, "volunteer", D(2026, 3, 1))
    add(weak, "volunteer", D(2025, 3, 1), n=8)
    add(low, "volunteer", D(2025, 3, 1), n=8)
    score_table.apply_marks()
    page = selectors.ranking_page(users.clerk, tree.county_a, 2026).page
    assert {s.member.name: s.escalation for s in page} == {"丙": "", "丁": "reminder", "乙": "interview", "甲": "resign"}
    _compare(users.clerk, tree.county_a, 2026, per_page=2)


def test_pending_marks_another_worker_applies(tree, users, population, monkeypatch):
    """Marks pending and the lock held elsewhere: the page scores directly, with the same result."""
    expected = [_row(s) for s in selectors.ranking_page(users.clerk, tree.county_a, 2026, per_page=50).page]
    MemberScoreMark.objects.create(member_id=population[0].pk, year=2026)
    monkeypatch.setattr(score_table, "_apply_pending", lambda: False)
    assert score_table.ranked_points(selectors.ranking_members(users.clerk, tree.county_a), 2026) is None
    got = selectors.ranking_page(users.clerk, tree.county_a, 2026, per_page=50)
    assert [_row(s) for s in got.page] == expected
