"""Every transition and guard of the proposal workflow."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from members.models import DutyRecord
from portal.audit import timeline_for
from portal.errors import DomainError, GuardFailed, NotAllowed, StaleEdit
from proposals import services
from proposals.models import AssignmentStatus, ProposalStatus

from .conftest import future, make_proposal, to_state

pytestmark = pytest.mark.django_db


def test_member_drafts_and_submits_and_gets_a_duty_record(world):
    p = make_proposal(world)
    assert p.status == ProposalStatus.DRAFT and p.org_unit == world.tree.county_a
    p = services.proposal_submit(actor=world.users.member, proposal=p, version=p.version)
    assert p.status == ProposalStatus.SUBMITTED
    assert DutyRecord.objects.filter(member=world.member, kind="proposal_submitted").count() == 1
    assert [e.action for e in timeline_for(p)] == ["proposals.proposal.submit", "proposals.proposal.create"]


def test_joint_proposal_waits_for_every_cosigner(world):
    p = make_proposal(world, kind="joint", cosigners=[world.cosigner])
    with pytest.raises(GuardFailed, match="王伟"):
        services.proposal_submit(actor=world.users.member, proposal=p)
    with pytest.raises(NotAllowed):
        services.cosigner_answer(actor=world.other_user, proposal=p, confirm=True)
    services.cosigner_answer(actor=world.cosigner_user, proposal=p, confirm=True)
    with pytest.raises(GuardFailed):
        services.cosigner_answer(actor=world.cosigner_user, proposal=p, confirm=True)
    assert services.proposal_submit(actor=world.users.member, proposal=p).status == ProposalStatus.SUBMITTED


def test_joint_proposal_without_cosigners_is_refused(world):
    p = make_proposal(world, kind="joint")
    with pytest.raises(GuardFailed):
        services.proposal_submit(actor=world.users.member, proposal=p)


def test_cosigners_must_be_of_the_same_unit(world):
    with pytest.raises(DomainError):
        make_proposal(world, kind="joint", cosigners=[world.member_b])


def test_stale_edit_is_refused(world):
    p = make_proposal(world)
    services.proposal_update(actor=world.users.member, proposal=p, version=p.version, title="新标题")
    with pytest.raises(StaleEdit):
        services.proposal_update(actor=world.users.member, proposal=p, version=1, title="另一个")
    p.refresh_from_db()
    assert p.title == "新标题"


def test_only_proposer_edits_and_only_drafts(world):
    p = make_proposal(world)
    with pytest.raises(NotAllowed):
        services.proposal_update(actor=world.other_user, proposal=p, version=p.version, title="x")
    services.proposal_submit(actor=world.users.member, proposal=p)
    with pytest.raises(GuardFailed):
        services.proposal_update(actor=world.users.member, proposal=p, version=None, title="x")


def test_withdraw_only_before_review_starts(world):
    p = to_state(world, "submitted")
    services.proposal_review_advance(actor=world.users.proposal, proposal=p)
    with pytest.raises(GuardFailed):
        services.proposal_withdraw(actor=world.users.member, proposal=p)
    q = to_state(world, "submitted", title="另一件")
    assert services.proposal_withdraw(actor=world.users.member, proposal=q).status == ProposalStatus.WITHDRAWN


def test_review_stages_stop_at_the_last(world):
    p = to_state(world, "submitted")
    for _ in range(3):
        p = services.proposal_review_advance(actor=world.users.proposal, proposal=p)
    assert p.review_stage == 3
    with pytest.raises(GuardFailed):
        services.proposal_review_advance(actor=world.users.proposal, proposal=p)


def test_registration_numbers_are_consecutive(world):
    a = to_state(world, "registered", title="一")
    b = to_state(world, "registered", title="二")
    assert (a.number, b.number) == (1, 2)
    assert DutyRecord.objects.filter(kind="proposal_registered").count() == 2


def test_staff_of_another_county_cannot_register(world):
    p = to_state(world, "submitted")
    with pytest.raises(NotAllowed):
        services.proposal_register(actor=world.users.clerk_b, proposal=p)
    with pytest.raises(NotAllowed):
        services.proposal_register(actor=world.users.member, proposal=p)


def test_register_twice_is_refused(world):
    p = to_state(world, "registered")
    with pytest.raises(GuardFailed):
        services.proposal_register(actor=world.users.proposal, proposal=p)


def test_not_registered_needs_a_reason_and_may_become_an_opinion_item(world):
    p = to_state(world, "submitted")
    with pytest.raises(DomainError):
        services.proposal_reject(actor=world.users.proposal, proposal=p, reason=" ")
    p = services.proposal_reject(actor=world.users.proposal, proposal=p, reason="属于个案", conversion="opinion")
    assert p.status == ProposalStatus.NOT_REGISTERED and p.opinion_item.title == p.title


def test_merge_into_a_registered_proposal(world):
    target = to_state(world, "registered", title="一")
    p = to_state(world, "submitted", title="二")
    with pytest.raises(DomainError):
        services.proposal_merge(actor=world.users.proposal, proposal=p, into=p)
    p = services.proposal_merge(actor=world.users.proposal, proposal=p, into=target)
    assert p.status == ProposalStatus.MERGED and p.merged_into == target


def test_preassign_checks_units_and_deadline(world):
    p = to_state(world, "registered")
    with pytest.raises(DomainError):
        services.proposal_preassign(actor=world.users.proposal, proposal=p, main_unit=world.dept_b, due_on=future())
    with pytest.raises(DomainError):
        services.proposal_preassign(actor=world.users.proposal, proposal=p, main_unit=world.tree.dept_a,
                                    due_on=datetime.date(2020, 1, 1))
    p = services.proposal_preassign(actor=world.users.proposal, proposal=p, main_unit=world.tree.dept_a)
    assert p.assignments.get().due_on > future(80)  # default three months


def test_contest_blocks_formal_assignment_until_adjusted(world):
    p = to_state(world, "assigning")
    co = p.assignments.get(unit=world.dept_a2)
    with pytest.raises(NotAllowed):
        services.assignment_contest(actor=world.users.dept, assignment=co, reason="x")
    with pytest.raises(DomainError):
        services.assignment_contest(actor=world.dept2, assignment=co, reason="")
    services.assignment_contest(actor=world.dept2, assignment=co, reason="不属于本单位职责")
    with pytest.raises(GuardFailed):
        services.proposal_assign_formally(actor=world.users.proposal, proposal=p)
    services.proposal_preassign(actor=world.users.proposal, proposal=p, main_unit=world.tree.dept_a, due_on=future())
    co.refresh_from_db()
    assert co.status == AssignmentStatus.WITHDRAWN
    p = services.proposal_assign_formally(actor=world.users.proposal, proposal=p)
    assert p.status == ProposalStatus.HANDLING


def test_reply_needs_a_contact_and_the_right_unit(world):
    p = to_state(world, "handling")
    main = p.assignments.get(unit=world.tree.dept_a)
    with pytest.raises(NotAllowed):
        services.reply_submit(actor=world.dept_b_user, assignment=main, reply_class="A", text="x")
    with pytest.raises(NotAllowed):
        services.reply_submit(actor=world.dept2, assignment=main, reply_class="A", text="x")
    with pytest.raises(GuardFailed):
        services.reply_submit(actor=world.users.dept, assignment=main, reply_class="A", text="x")
    with pytest.raises(DomainError):
        services.contact_add(actor=world.users.dept, assignment=main, method="phone", contacted_on=future(3))
    services.contact_add(actor=world.users.dept, assignment=main, method="phone", contacted_on=future(0))
    with pytest.raises(DomainError):
        services.reply_submit(actor=world.users.dept, assignment=main, reply_class="B", text="x")
    with pytest.raises(DomainError):
        services.reply_submit(actor=world.users.dept, assignment=main, reply_class="Z", text="x")
    services.reply_submit(actor=world.users.dept, assignment=main, reply_class="B", text="正在推进",
                          follow_up_on=future(60))
    with pytest.raises(GuardFailed):
        services.reply_submit(actor=world.users.dept, assignment=main, reply_class="A", text="second")
    p.refresh_from_db()
    assert p.status == ProposalStatus.HANDLING  # the co-handler has not replied yet


def test_reply_letter_type_and_size_are_checked(world):
    p = to_state(world, "handling")
    main = p.assignments.get(unit=world.tree.dept_a)
    services.contact_add(actor=world.users.dept, assignment=main, method="letter", contacted_on=future(0))
    fake = SimpleUploadedFile("reply.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError):
        services.reply_submit(actor=world.users.dept, assignment=main, reply_class="A", text="x", letter=fake)
    exe = SimpleUploadedFile("reply.exe", b"MZ", content_type="application/octet-stream")
    with pytest.raises(DomainError):
        services.reply_submit(actor=world.users.dept, assignment=main, reply_class="A", text="x", letter=exe)
    pdf = SimpleUploadedFile("reply.pdf", b"%PDF-1.4 ok", content_type="application/pdf")
    reply = services.reply_submit(actor=world.users.dept, assignment=main, reply_class="A", text="x", letter=pdf,
                                  document_number="相城管函〔2026〕12号")
    assert reply.letter.name.endswith(".pdf")


def test_rating_closes_or_reopens_once(world):
    p = to_state(world, "replied")
    assert p.status == ProposalStatus.REPLIED
    with pytest.raises(NotAllowed):
        services.proposal_rate(actor=world.other_user, proposal=p, attitude="satisfied", result="satisfied")
    p = services.proposal_rate(actor=world.users.member, proposal=p, attitude="satisfied", result="dissatisfied")
    assert p.status == ProposalStatus.HANDLING and p.reopened
    for a in p.assignments.all():
        handler = world.users.dept if a.unit_id == world.tree.dept_a.pk else world.dept2
        services.reply_submit(actor=handler, assignment=a, reply_class="A", text="再次办理")
    p.refresh_from_db()
    p = services.proposal_rate(actor=world.users.member, proposal=p, attitude="satisfied", result="dissatisfied")
    assert p.status == ProposalStatus.CLOSED
    with pytest.raises(GuardFailed):
        services.proposal_rate(actor=world.users.member, proposal=p, attitude="satisfied", result="satisfied")


def test_satisfied_rating_of_a_class_a_reply_records_adoption(world):
    p = to_state(world, "replied")
    services.proposal_rate(actor=world.users.member, proposal=p, attitude="satisfied", result="basic")
    assert DutyRecord.objects.filter(member=world.member, kind="proposal_adopted").exists()


def test_key_proposal_and_supervision(world):
    p = to_state(world, "handling")
    with pytest.raises(NotAllowed):
        services.proposal_mark_key(actor=world.users.member, proposal=p, supervising_leader=world.users.leader)
    with pytest.raises(DomainError):
        services.proposal_mark_key(actor=world.users.leader, proposal=p, supervising_leader=world.users.member)
    with pytest.raises(GuardFailed):
        services.supervision_add(actor=world.users.leader, proposal=p, kind="meeting", held_on=future(0), note="x")
    services.proposal_mark_key(actor=world.users.leader, proposal=p, supervising_leader=world.users.leader,
                               note="1号提案")
    services.supervision_add(actor=world.users.leader, proposal=p, kind="visit", held_on=future(0), note="现场督办")
    assert p.supervisions.count() == 1


def test_b_class_follow_up(world):
    p = to_state(world, "handling")
    main = p.assignments.get(unit=world.tree.dept_a)
    services.contact_add(actor=world.users.dept, assignment=main, method="forum", contacted_on=future(0))
    reply = services.reply_submit(actor=world.users.dept, assignment=main, reply_class="B", text="x",
                                  follow_up_on=future(10))
    with pytest.raises(NotAllowed):
        services.reply_follow_up(actor=world.users.dept, reply=reply, note="x")
    services.reply_follow_up(actor=world.users.proposal, reply=reply, note="已基本解决")
    with pytest.raises(GuardFailed):
        services.reply_follow_up(actor=world.users.proposal, reply=reply, note="again")


def test_attachments_are_limited(world, settings):
    p = make_proposal(world)
    big = SimpleUploadedFile("a.txt", b"x" * (10 * 1024 * 1024 + 1))
    with pytest.raises(DomainError):
        services.attachment_add(actor=world.users.member, proposal=p, upload=big)
    with pytest.raises(DomainError):
        services.attachment_add(actor=world.users.member, proposal=p, upload=SimpleUploadedFile("a.png", b"GIF89a"))
    with pytest.raises(NotAllowed):
        services.attachment_add(actor=world.other_user, proposal=p, upload=SimpleUploadedFile("a.txt", b"ok"))
    services.attachment_add(actor=world.users.member, proposal=p, upload=SimpleUploadedFile("调研.txt", b"ok"))
    assert p.attachments.count() == 1
