"""The proposals' transition tables and the services agree: for every role and every state, an
action is offered (allowed_actions — the record page's "Next steps", the opinion page and the
API) exactly when its service accepts it with valid input. Each call runs in a rolled-back
savepoint, so every action is tried on the same record."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from portal.errors import GuardFailed, NotAllowed
from portal.workflow import allowed_actions
from proposals import services, workflows
from proposals.models import Assignment, OpinionItem, Proposal

from .conftest import future, make_proposal, to_state

pytestmark = pytest.mark.django_db

ROLES = ["admin", "city_clerk", "clerk", "clerk_b", "proposal", "secretary", "approver", "member", "dept",
         "leader", "nobody"]


class _Rollback(Exception):
    pass


def _accepted(call, *args) -> bool:
    try:
        with transaction.atomic():
            call(*args)
            raise _Rollback
    except _Rollback:
        return True
    except (NotAllowed, GuardFailed):
        return False


def _people(world):
    people = {who: getattr(world.users, who) for who in ROLES}
    people.update(cosigner=world.cosigner_user, other_member=world.other_user, dept2=world.dept2,
                  dept_b=world.dept_b_user)
    return people


PROPOSAL_CALLS = {
    "edit": lambda a, p, w: services.proposal_update(actor=a, proposal=p, version=p.version, title="新标题"),
    "submit": lambda a, p, w: services.proposal_submit(actor=a, proposal=p),
    "cosign": lambda a, p, w: services.cosigner_answer(actor=a, proposal=p, confirm=True),
    "review": lambda a, p, w: services.proposal_review_advance(actor=a, proposal=p),
    "register": lambda a, p, w: services.proposal_register(actor=a, proposal=p),
    "reject": lambda a, p, w: services.proposal_reject(actor=a, proposal=p, reason="不属于提案范围"),
    "merge": lambda a, p, w: services.proposal_merge(actor=a, proposal=p, into=w.registered),
    "preassign": lambda a, p, w: services.proposal_preassign(actor=a, proposal=p, main_unit=w.tree.dept_a,
                                                             due_on=future(60)),
    "assign": lambda a, p, w: services.proposal_assign_formally(actor=a, proposal=p),
    "rate": lambda a, p, w: services.proposal_rate(actor=a, proposal=p, attitude="satisfied", result="satisfied"),
    "mark_key": lambda a, p, w: services.proposal_mark_key(actor=a, proposal=p, supervising_leader=w.users.leader),
    "supervise": lambda a, p, w: services.supervision_add(actor=a, proposal=p, kind="visit",
                                                          held_on=timezone.localdate(), note="实地督办"),
    "attach": lambda a, p, w: services.attachment_add(
        actor=a, proposal=p, upload=SimpleUploadedFile("a.txt", "附件".encode(), content_type="text/plain")),
    "publish": lambda a, p, w: services.proposal_set_publication(actor=a, proposal=p, publication="public"),
    "withdraw": lambda a, p, w: services.proposal_withdraw(actor=a, proposal=p),
}


def test_every_proposal_action_has_a_service_call():
    assert set(PROPOSAL_CALLS) == set(workflows.PROPOSAL.rows)


def _check_proposal(world, proposal, label):
    for who, user in _people(world).items():
        page = Proposal.objects.select_related("proposer", "org_unit").get(pk=proposal.pk)
        shown = set(allowed_actions(page, user))
        for action, call in PROPOSAL_CALLS.items():
            accepted = _accepted(call, user, Proposal.objects.get(pk=proposal.pk), world)
            assert (action in shown) == accepted, f"{label}: {who} {action} shown={action in shown}"


@pytest.mark.parametrize("state", ["draft", "submitted", "registered", "assigning", "handling", "replied"])
def test_proposal_actions_shown_are_exactly_those_the_services_accept(state, world):
    world.registered = to_state(world, "registered", title="另一件已立案的提案")
    proposal = to_state(world, state)
    _check_proposal(world, proposal, state)


def test_joint_draft_waiting_for_a_cosigner_and_review_past_the_first_stage(world):
    world.registered = to_state(world, "registered", title="另一件已立案的提案")
    joint = make_proposal(world, kind="joint", cosigners=[world.cosigner])
    _check_proposal(world, joint, "joint draft")
    submitted = to_state(world, "submitted")
    services.proposal_review_advance(actor=world.users.proposal, proposal=submitted)
    _check_proposal(world, Proposal.objects.get(pk=submitted.pk), "second review stage")  # no withdraw now
    key = to_state(world, "handling", title="重点提案")
    services.proposal_mark_key(actor=world.users.leader, proposal=key, supervising_leader=world.users.leader)
    _check_proposal(world, Proposal.objects.get(pk=key.pk), "key proposal")


ASSIGNMENT_CALLS = {
    "accept": lambda a, x: services.assignment_accept(actor=a, assignment=x),
    "contest": lambda a, x: services.assignment_contest(actor=a, assignment=x, reason="不属于本单位职责"),
    "contact": lambda a, x: services.contact_add(actor=a, assignment=x, method="phone",
                                                 contacted_on=timezone.localdate()),
    "reply": lambda a, x: services.reply_submit(actor=a, assignment=x, reply_class="A", text="已办理。"),
}


@pytest.mark.parametrize("state", ["assigning", "handling", "contacted", "replied"])
def test_assignment_actions_shown_are_exactly_those_the_services_accept(state, world):
    assert set(ASSIGNMENT_CALLS) == set(workflows.ASSIGNMENT.rows)
    proposal = to_state(world, "handling" if state == "contacted" else state)
    if state == "contacted":
        for a in proposal.assignments.all():
            handler = world.users.dept if a.unit_id == world.tree.dept_a.pk else world.dept2
            services.contact_add(actor=handler, assignment=a, method="in_person", contacted_on=timezone.localdate())
    for assignment in Assignment.objects.filter(proposal=proposal):
        for who, user in _people(world).items():
            page = Assignment.objects.select_related("proposal").get(pk=assignment.pk)
            shown = set(allowed_actions(page, user))
            for action, call in ASSIGNMENT_CALLS.items():
                accepted = _accepted(call, user, Assignment.objects.get(pk=assignment.pk))
                assert (action in shown) == accepted, f"{state}: {who} {action} on {assignment.unit}"


OPINION_CALLS = {
    "reject": lambda a, i, w: services.opinion_reject(actor=a, item=i, note="重复"),
    "compile": lambda a, i, w: services.bulletin_compile(actor=a, unit=i.org_unit, items=[i],
                                                         published_on=timezone.localdate()),
    "report": lambda a, i, w: services.opinion_report(actor=a, item=i, reported_to="市政协"),
    "adopt": lambda a, i, w: services.opinion_adopt(actor=a, item=i, level="city", adopted_on=timezone.localdate()),
    "instruction": lambda a, i, w: services.instruction_add(actor=a, item=i, leader="李市长",
                                                            given_on=timezone.localdate(), text="请研究"),
}


@pytest.mark.parametrize("state", ["submitted", "rejected", "compiled", "reported", "adopted"])
def test_opinion_actions_shown_are_exactly_those_the_services_accept(state, world):
    assert set(OPINION_CALLS) == set(workflows.OPINION.rows)
    staff = world.users.proposal
    item = services.opinion_submit(actor=world.member.user, title="关于农村垃圾清运的建议", content="清运不及时。")
    if state == "rejected":
        services.opinion_reject(actor=staff, item=item, note="重复")
    if state in ("compiled", "reported", "adopted"):
        services.bulletin_compile(actor=staff, unit=item.org_unit, items=[item], published_on=timezone.localdate())
    if state in ("reported", "adopted"):
        services.opinion_report(actor=staff, item=OpinionItem.objects.get(pk=item.pk), reported_to="市政协")
    if state == "adopted":
        services.opinion_adopt(actor=staff, item=item, level="county", adopted_on=timezone.localdate())
    for who, user in _people(world).items():
        shown = set(allowed_actions(OpinionItem.objects.select_related("org_unit").get(pk=item.pk), user))
        for action, call in OPINION_CALLS.items():
            accepted = _accepted(call, user, OpinionItem.objects.select_related("org_unit").get(pk=item.pk), world)
            assert (action in shown) == accepted, f"{state}: {who} {action}"
