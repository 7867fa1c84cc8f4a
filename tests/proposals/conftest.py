import datetime
from types import SimpleNamespace

import pytest

from organizations.models import Role, UnitKind
from tests.factories import make_member, make_unit, make_user


@pytest.fixture
def world(tree, users):
    """Members with users in county A, a second department, and a department in county B."""
    dept_a2 = make_unit("相山区教育局", UnitKind.DEPARTMENT, tree.county_a)
    dept_b = make_unit("濉溪县教育局", UnitKind.DEPARTMENT, tree.county_b)
    dept2 = make_user(Role.DEPARTMENT, dept_a2, username="dept2_u")
    dept_b_user = make_user(Role.DEPARTMENT, dept_b, username="dept_b_u")
    member = make_member(tree.county_a, user=users.member, name="刘芳")
    cosigner_user = make_user(Role.MEMBER, tree.county_a, username="cosigner_u")
    cosigner = make_member(tree.county_a, user=cosigner_user, name="王伟")
    other_user = make_user(Role.MEMBER, tree.county_a, username="other_member_u")
    other = make_member(tree.county_a, user=other_user, name="张强")
    member_b_user = make_user(Role.MEMBER, tree.county_b, username="member_b_u")
    member_b = make_member(tree.county_b, user=member_b_user, name="赵六")
    return SimpleNamespace(tree=tree, users=users, dept_a2=dept_a2, dept_b=dept_b, dept2=dept2,
                           dept_b_user=dept_b_user, member=member, cosigner=cosigner, cosigner_user=cosigner_user,
                           other=other, other_user=other_user, member_b=member_b, member_b_user=member_b_user)


def future(days=30):
    from django.utils import timezone

    return timezone.localdate() + datetime.timedelta(days=days)


def make_proposal(world, *, title="关于加强老旧小区加装电梯的建议", cosigners=None, kind="individual", member=None,
                  actor=None):
    from proposals import services

    member = member or world.member
    return services.proposal_create(
        actor=actor or member.user, member=member, title=title, case="老旧小区居民上下楼难。",
        suggestions=["简化审批流程", "设立专项补贴"], category="urban", kind=kind, cosigners=cosigners,
    )


def to_state(world, state, **kw):
    """Drive a proposal through the real services up to `state`."""
    from proposals import services

    u = world.users
    p = make_proposal(world, **kw)
    if state == "draft":
        return p
    p = services.proposal_submit(actor=p.proposer.user, proposal=p)
    if state == "submitted":
        return p
    p = services.proposal_register(actor=u.proposal, proposal=p)
    if state == "registered":
        return p
    p = services.proposal_preassign(actor=u.proposal, proposal=p, main_unit=world.tree.dept_a,
                                    co_units=[world.dept_a2], due_on=future(90))
    if state == "assigning":
        return p
    p = services.proposal_assign_formally(actor=u.proposal, proposal=p)
    if state == "handling":
        return p
    for a in p.assignments.all():
        handler = u.dept if a.unit_id == world.tree.dept_a.pk else world.dept2
        services.contact_add(actor=handler, assignment=a, method="phone", contacted_on=future(0))
        services.reply_submit(actor=handler, assignment=a, reply_class="A", text="已办理。",
                              lines=["已简化", "已设立"])
    p.refresh_from_db()
    return p
