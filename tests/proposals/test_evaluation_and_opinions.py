"""Evaluation ranking against a hand-computed example, and the 社情民意 chain."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from members.models import DutyRecord
from organizations.models import UnitKind
from portal.errors import DomainError, GuardFailed, NotAllowed
from proposals import services
from proposals.models import OpinionStatus, Verdict
from tests.factories import make_unit

from .conftest import make_proposal

pytestmark = pytest.mark.django_db


def test_ranking_matches_the_hand_computed_example(world):
    """dept_a: members 32 and 24 → mean 28 ×2.5 = 70, committee 40 → 100: 70×0.7 + 100×0.3 = 79.00
    dept_a2: member 36 → 90, no committee score → 90.00
    dept_a3: member 20 → 50, committee 16 → 40: 35 + 12 = 47.00"""
    u = world.users
    dept_a3 = make_unit("相山区民政局", UnitKind.DEPARTMENT, world.tree.county_a)
    rnd = services.evaluation_round_create(actor=u.proposal, unit=world.tree.county_a, year=2026, title="2026年评议",
                                           top_n=1, bottom_n=1, member_weight=70)

    def score(actor, unit, n):
        services.unit_score_add(actor=actor, round=rnd, unit=unit, attention=n, communication=n, adoption=n,
                                results=n)

    score(u.member, world.tree.dept_a, 8)
    score(world.other_user, world.tree.dept_a, 6)
    score(u.proposal, world.tree.dept_a, 10)
    score(u.member, world.dept_a2, 9)
    score(u.member, dept_a3, 5)
    score(u.proposal, dept_a3, 4)
    with pytest.raises(DomainError):
        services.unit_score_add(actor=u.member, round=rnd, unit=dept_a3, attention=11, communication=1, adoption=1,
                                results=1)
    with pytest.raises(DomainError):
        services.unit_score_add(actor=u.member, round=rnd, unit=dept_a3, attention="x", communication=1, adoption=1,
                                results=1)
    with pytest.raises(NotAllowed):
        services.unit_score_add(actor=world.member_b_user, round=rnd, unit=dept_a3, attention=1, communication=1,
                                adoption=1, results=1)
    results = services.evaluation_close(actor=u.proposal, round=rnd)
    assert [(r.unit_id, r.score, r.verdict) for r in results] == [
        (world.dept_a2.pk, Decimal("90.00"), Verdict.PRAISED),
        (world.tree.dept_a.pk, Decimal("79.00"), Verdict.NONE),
        (dept_a3.pk, Decimal("47.00"), Verdict.RECTIFY),
    ]
    with pytest.raises(GuardFailed):
        services.unit_score_add(actor=u.member, round=rnd, unit=dept_a3, attention=1, communication=1, adoption=1,
                                results=1)
    with pytest.raises(GuardFailed):
        services.rectification_report_submit(actor=world.dept2, result=results[0], report="x")


def test_opinion_item_from_submission_to_instruction(world):
    u = world.users
    today = timezone.localdate()
    item = services.opinion_submit(actor=u.member, title="种粮大户期盼惠农政策倾斜", content="建议补贴向种粮大户倾斜")
    assert item.org_unit == world.tree.county_a
    with pytest.raises(NotAllowed):
        services.bulletin_compile(actor=u.clerk_b, unit=world.tree.county_a, items=[item], published_on=today)
    bulletin = services.bulletin_compile(actor=u.clerk, unit=world.tree.county_a, items=[item], published_on=today)
    assert bulletin.issue == 1
    with pytest.raises(GuardFailed):
        services.bulletin_compile(actor=u.clerk, unit=world.tree.county_a, items=[item], published_on=today)
    with pytest.raises(GuardFailed):
        services.instruction_add(actor=u.leader, item=item, leader="副省长", given_on=today, text="x")
    services.opinion_report(actor=u.clerk, item=item, reported_to="省政协")
    services.opinion_adopt(actor=u.clerk, item=item, level="province", adopted_on=today, by="省政协")
    with pytest.raises(GuardFailed):
        services.opinion_adopt(actor=u.clerk, item=item, level="province", adopted_on=today)
    with pytest.raises(DomainError):
        services.opinion_adopt(actor=u.clerk, item=item, level="city", adopted_on=today + datetime.timedelta(days=2))
    services.instruction_add(actor=u.leader, item=item, leader="副省长", given_on=today, text="支持先行先试")
    services.instruction_add(actor=u.leader, item=item, leader="市长", given_on=today, text="抓落实")
    item.refresh_from_db()
    assert item.status == OpinionStatus.ADOPTED and item.instructions.count() == 2
    kinds = set(DutyRecord.objects.filter(member=world.member).values_list("kind", flat=True))
    assert {"opinion_submitted", "opinion_adopted", "opinion_instructed"} <= kinds


def test_opinion_rejection_needs_a_reason_and_outsiders_cannot_submit_for_a_unit(world):
    u = world.users
    item = services.opinion_submit(actor=u.member, title="t", content="c")
    with pytest.raises(DomainError):
        services.opinion_reject(actor=u.clerk, item=item, note="")
    services.opinion_reject(actor=u.clerk, item=item, note="重复")
    with pytest.raises(NotAllowed):
        services.opinion_submit(actor=u.secretary_b, title="t", content="c", unit=world.tree.township_a1)
    item2 = services.opinion_submit(actor=u.secretary, title="t", content="c", unit=world.tree.township_a1,
                                    source_point="庆相桥社区联络点")
    assert item2.org_unit == world.tree.county_a


def test_similar_proposals_are_found_by_title(world):
    from proposals.similar import similar_to_proposal

    a = make_proposal(world, title="关于加快老旧小区加装电梯的建议")
    services.proposal_submit(actor=world.users.member, proposal=a)
    make_proposal(world, title="关于发展夜间经济的建议")
    b = make_proposal(world, title="关于老旧小区加装电梯补贴的建议")
    assert [r.pk for r in similar_to_proposal(user=world.users.proposal, proposal=b)] == [a.pk]
