"""Scores against hand-computed cases, including a rule change mid-year, inheritance of plans,
the "four ones", and constant query counts for a large ranking."""

import datetime
import re

import pytest

from members import score_table, scoring, selectors, services
from members.models import DutyRecord, DutyStatus, ScoringPlan
from portal.errors import DomainError, NotAllowed, StaleEdit
from portal.metrics import records_changed

from ..factories import make_member
from ..helpers import assert_constant_queries, count_queries

pytestmark = pytest.mark.django_db
D = datetime.date


def add(member, kind, on, status=DutyStatus.VERIFIED):
    return DutyRecord.objects.create(member=member, kind=kind, occurred_on=on, title=kind, status=status,
                                     org_unit_id=member.org_unit_id, org_path=member.org_path)


@pytest.fixture
def plan(tree, users):
    # 三堤口's rules: attendance 5, golden idea 5, volunteering 2; minimum 15.
    return services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2026, annual_minimum=15,
                                      points={"session_attended": 5, "golden_idea": 5, "volunteer": 2})


def test_hand_computed_score(tree, plan):
    m = make_member(tree.county_a)
    add(m, "session_attended", D(2026, 3, 1))
    add(m, "session_attended", D(2026, 4, 1))
    add(m, "golden_idea", D(2026, 5, 1))
    add(m, "volunteer", D(2026, 5, 2))
    add(m, "volunteer", D(2026, 5, 3), status=DutyStatus.PENDING)  # not verified yet: 0
    add(m, "volunteer", D(2026, 5, 4), status=DutyStatus.REJECTED)  # rejected: 0
    add(m, "speech", D(2026, 5, 5))  # no rule in the plan: 0
    add(m, "session_attended", D(2025, 12, 31))  # last year: not counted
    score = scoring.scores_for([m], 2026)[0]
    assert score.points == 5 + 5 + 5 + 2 == 17
    assert not score.below_minimum
    assert score.by_kind == {"session_attended": 10, "golden_idea": 5, "volunteer": 2, "speech": 0}


def test_rule_change_mid_year(tree, users, plan):
    m = make_member(tree.county_a)
    add(m, "volunteer", D(2026, 2, 1))
    add(m, "volunteer", D(2026, 6, 30))
    add(m, "volunteer", D(2026, 7, 1))
    add(m, "volunteer", D(2026, 9, 1))
    assert scoring.scores_for([m], 2026)[0].points == 4 * 2
    plan = services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2026, annual_minimum=20,
                                      points={"session_attended": 5, "golden_idea": 5, "volunteer": 3},
                                      valid_from=D(2026, 7, 1), version=plan.version)
    score = scoring.scores_for([m], 2026)[0]
    assert score.points == 2 + 2 + 3 + 3 == 10  # before 1 July: 2 points; from 1 July: 3
    assert score.minimum == 20 and score.shortfall == 10
    assert plan.rules.filter(kind="volunteer").count() == 2
    # Changing the same day again replaces that day's rule rather than stacking.
    services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2026, annual_minimum=20,
                               points={"volunteer": 4}, valid_from=D(2026, 7, 1), version=plan.version + 0)
    assert scoring.scores_for([m], 2026)[0].points == 2 + 2 + 4 + 4


def test_stale_plan_edit_is_refused(tree, users, plan):
    with pytest.raises(StaleEdit):
        services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2026, annual_minimum=10, points={},
                                   version=plan.version + 5)


@pytest.mark.parametrize("points,field", [
    ({"volunteer": -3}, "points_volunteer"),  # negative only for penalties
    ({"volunteer": 1000}, "points_volunteer"),  # absurd
    ({"nonsense": 3}, "points"),
])
def test_absurd_rules_are_refused(tree, users, points, field):
    with pytest.raises(DomainError) as exc:
        services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2026, annual_minimum=15, points=points)
    assert exc.value.field == field
    assert not ScoringPlan.objects.exists()


def test_absurd_minimum_and_wrong_year_refused(tree, users):
    with pytest.raises(DomainError):
        services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2026, annual_minimum=-1, points={})
    with pytest.raises(DomainError):
        services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2026, annual_minimum=5, points={},
                                   valid_from=D(2025, 1, 1))


def test_penalty_may_be_negative(tree, users):
    services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2026, annual_minimum=15,
                               points={"absence_unexcused": -5, "session_attended": 5})
    m = make_member(tree.county_a)
    add(m, "session_attended", D(2026, 1, 5))
    add(m, "absence_unexcused", D(2026, 2, 5))
    assert scoring.scores_for([m], 2026)[0].points == 0


def test_only_clerks_of_the_unit_set_rules(tree, users):
    for user in (users.member, users.leader, users.clerk_b, users.secretary):
        with pytest.raises(NotAllowed):
            services.scoring_plan_save(actor=user, unit=tree.county_a, year=2026, annual_minimum=15, points={})


def test_plans_inherit_down_and_defaults_apply(tree, users):
    m_a = make_member(tree.county_a)
    m_b = make_member(tree.county_b)
    for m in (m_a, m_b):
        add(m, "volunteer", D(2026, 3, 3))
    # No plan at all: the defaults (volunteer 2, minimum 15).
    assert [s.points for s in scoring.scores_for([m_a, m_b], 2026)] == [2, 2]
    services.scoring_plan_save(actor=users.city_clerk, unit=tree.city, year=2026, annual_minimum=8,
                               points={"volunteer": 7})
    services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2026, annual_minimum=12,
                               points={"volunteer": 1})
    scores = {s.member.pk: s for s in scoring.scores_for([m_a, m_b], 2026)}
    assert scores[m_a.pk].points == 1 and scores[m_a.pk].minimum == 12  # county A's own plan
    assert scores[m_b.pk].points == 7 and scores[m_b.pk].minimum == 8  # inherited from the city
    assert scoring.scores_for([m_a], 2025)[0].points == 0  # 2025 has no entries


def test_four_ones(tree, plan):
    m = make_member(tree.county_a)
    add(m, "research", D(2026, 1, 2))
    add(m, "proposal_submitted", D(2026, 1, 3))
    score = scoring.scores_for([m], 2026)[0]
    assert [str(q) for q in score.missing_quotas] == ["一条社情民意", "一件实事"]
    add(m, "opinion_adopted", D(2026, 1, 4))
    add(m, "volunteer", D(2026, 1, 5))
    assert scoring.scores_for([m], 2026)[0].missing_quotas == []


def test_ranking_ties_commendation_and_interviews(tree, users, plan):
    ScoringPlan.objects.filter(pk=plan.pk).update(commend_top_percent=20, interview_bottom=2)
    members = [make_member(tree.county_a, name=f"委员{i}") for i in range(10)]
    for i, m in enumerate(members):
        for _ in range(i):
            add(m, "volunteer", D(2026, 2, 1))
    add(members[8], "volunteer", D(2026, 2, 2))  # ties with members[9] at 18 points
    scores = selectors.ranking(users.clerk, tree.county_a, 2026)
    assert [s.points for s in scores[:3]] == [18, 18, 14]
    assert [s.rank for s in scores[:3]] == [1, 1, 3]
    assert [s.commended for s in scores[:3]] == [True, True, False]
    assert [s.member.name for s in scores if s.interview] == ["委员1", "委员0"]
    assert sum(1 for s in scores if s.below_minimum) == 8


def test_ranking_is_scoped(tree, users, plan):
    make_member(tree.county_a)
    make_member(tree.county_b)
    assert len(selectors.ranking(users.clerk, tree.city, 2026)) == 1  # clerk of A ranks only A's members
    assert len(selectors.ranking(users.city_clerk, tree.city, 2026)) == 2
    assert selectors.ranking(users.member, tree.county_a, 2026) == []


def test_ranking_runs_constant_queries(tree, users, plan):
    def add_rows(n):
        for _ in range(n):
            m = make_member(tree.county_a)
            add(m, "volunteer", D(2026, 3, 1))
            add(m, "session_attended", D(2026, 8, 1))
        score_table.apply_marks()  # what the commit of the writes does (the test never commits)

    assert_constant_queries(lambda: selectors.ranking(users.clerk, tree.county_a, 2026), add_rows, large=40)


def test_ranking_page_runs_constant_queries(client, tree, users, plan):
    """The page (the selector above with the page's columns, row links, the plan) as rows grow."""
    from django.urls import reverse

    def add_rows(n):
        for _ in range(n):
            add(make_member(tree.county_a), "volunteer", D(2026, 3, 1))
        score_table.apply_marks()

    client.force_login(users.clerk)
    url = reverse("members:ranking") + f"?unit={tree.county_a.pk}&year=2026"
    assert_constant_queries(lambda: client.get(url), add_rows, large=30, rows=re.compile(r'href="/members/\d+/\?year='))


def test_400_member_ranking_takes_a_handful_of_queries(tree, users, plan):
    from members.models import Member

    Member.objects.bulk_create([Member(name=f"m{i}", id_key=f"BULK{i}", org_unit=tree.county_a,
                                       org_path=tree.county_a.path) for i in range(400)])
    ids = list(Member.objects.values_list("pk", flat=True))
    DutyRecord.objects.bulk_create([DutyRecord(member_id=pk, kind="volunteer", occurred_on=D(2026, 4, 1), title="x",
                                               status=DutyStatus.VERIFIED, org_unit=tree.county_a,
                                               org_path=tree.county_a.path) for pk in ids])
    records_changed(DutyRecord.objects.all())  # bulk_create sends no signals
    score_table.apply_marks()  # what the commit does
    n, _sql = count_queries(lambda: selectors.ranking(users.clerk, tree.county_a, 2026))
    assert n <= 6


def test_expected_pace():
    assert scoring.expected_by(15, D(2026, 1, 1)) == 0
    assert scoring.expected_by(15, D(2026, 12, 31)) == 15
    assert scoring.expected_by(365, D(2026, 7, 2)) == 183


def test_escalation_reminder_interview_resignation(tree, users, plan):
    ScoringPlan.objects.filter(pk=plan.pk).update(interview_bottom=2)
    services.scoring_plan_save(actor=users.clerk, unit=tree.county_a, year=2025, annual_minimum=15,
                               points={"volunteer": 2})
    lazy, weak, fine, low = (make_member(tree.county_a, name=n) for n in ["甲", "乙", "丙", "丁"])
    for _ in range(8):
        add(fine, "volunteer", D(2026, 3, 1))
    for _ in range(5):
        add(low, "volunteer", D(2026, 3, 1))
    add(weak, "volunteer", D(2026, 3, 1))
    for _ in range(8):
        add(weak, "volunteer", D(2025, 3, 1))  # fine last year
        add(low, "volunteer", D(2025, 3, 1))  # fine last year (below two years running would be 约谈)
    by_name = {s.member.name: s.escalation for s in selectors.ranking(users.clerk, tree.county_a, 2026)}
    assert by_name == {"丙": "", "丁": "reminder", "乙": "interview", "甲": "resign"}
