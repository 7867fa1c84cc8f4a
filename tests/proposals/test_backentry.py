"""补录 of a past proposal: the whole loop from the paper file in one step — submission, the past
session's number, the assignment sheet with deadlines long gone, the units' letters, the key mark
and the closing — held to the order of its dates (not to today's guards), all or nothing,
audited, and counted in the period it happened."""

import datetime

import pytest

from members.models import DutyRecord
from portal.errors import DomainError, NotAllowed
from portal.models import AuditEvent
from proposals.backentry import BackAssignment, BackProposal, proposal_back_enter
from proposals.models import Assignment, Proposal, ProposalStatus, Reply, ReplyClass, Satisfaction
from reports.periods import year_period
from reports.selectors import compute_direct

pytestmark = pytest.mark.django_db

D = datetime.date


def _entry(world, **over):
    data = {
        "member": world.member, "submitted_on": D(2021, 1, 10), "title": "关于老旧小区加装电梯的提案",
        "case": "老旧小区无电梯", "suggestions": ["简化审批", "财政补贴", "引入企业"], "registered_on": D(2021, 2, 1),
        "term": "十五届", "session": "一次会议", "assigned_on": D(2021, 3, 1), "is_key": True,
        "key_leader_name": "区政协主席",
        "assignments": [
            BackAssignment(unit=world.tree.dept_a, due_on=D(2021, 6, 1), replied_on=D(2021, 5, 20),
                           reply_class=ReplyClass.A, reply_text="已办理", actions=["已简化", "", "已引入"],
                           document_number="相城管〔2021〕8号"),
            BackAssignment(unit=world.dept_a2, role="co", due_on=D(2021, 6, 1), replied_on=D(2021, 5, 25),
                           reply_class=ReplyClass.C, reply_text="留作参考"),
        ],
        "closed_on": D(2021, 6, 20), "attitude": Satisfaction.SATISFIED, "result": Satisfaction.BASIC}
    data.update(over)
    return BackProposal(**data)


def test_a_past_proposal_is_entered_with_its_dates_and_counted_in_its_year(world):
    proposal = proposal_back_enter(actor=world.users.proposal, entry=_entry(world))
    proposal.refresh_from_db()
    assert (proposal.status, proposal.entered_by_staff, proposal.is_key) == (ProposalStatus.CLOSED, True, True)
    assert (proposal.submitted_on, proposal.registered_on, proposal.assigned_on, proposal.closed_on) == (
        D(2021, 1, 10), D(2021, 2, 1), D(2021, 3, 1), D(2021, 6, 20))
    assert proposal.number_label == "十五届一次会议第1号"  # the past session's own sequence
    assert sorted(Assignment.objects.filter(proposal=proposal).values_list("status", "due_on", "replied_on")) == [
        ("replied", D(2021, 6, 1), D(2021, 5, 20)), ("replied", D(2021, 6, 1), D(2021, 5, 25))]
    main = Reply.objects.get(assignment__role="main")
    assert main.lines == [{"suggestion": 1, "action": "已简化"}, {"suggestion": 3, "action": "已引入"}]
    assert (proposal.satisfaction_attitude, proposal.satisfaction_result) == ("satisfied", "basic")
    # the proposer's duty file: submitted, registered, adopted — on the paper's dates
    assert sorted(DutyRecord.objects.filter(member=world.member).values_list("kind", "occurred_on")) == [
        ("proposal_adopted", D(2021, 6, 20)), ("proposal_registered", D(2021, 2, 1)),
        ("proposal_submitted", D(2021, 1, 10))]
    actions = list(AuditEvent.objects.filter(target_id=proposal.pk).values_list("action", flat=True))
    assert "proposals.proposal.back_entered" in actions and "proposals.proposal.enter_on_behalf" in actions
    a = world.tree.county_a.pk
    y2021, now = year_period(2021), year_period(datetime.date.today().year)
    v = compute_direct([world.tree.county_a], y2021.start, y2021.end)
    assert (v["proposals.received"][a], v["proposals.closed"][a], v["proposals.key_suggestions_done"][a]) == (1, 1, 2)
    assert v["proposals.replied_on_time"][a] == 2
    assert compute_direct([world.tree.county_a], now.start, now.end)["proposals.received"][a] == 0


@pytest.mark.parametrize(("over", "field"), [
    ({"registered_on": D(2021, 1, 9)}, "registered_on"),  # before submission
    ({"assigned_on": D(2021, 1, 20)}, "assigned_on"),  # before registration
    ({"closed_on": D(2021, 5, 21)}, "closed_on"),  # before the last reply
    ({"submitted_on": D(2099, 1, 1)}, "submitted_on"),  # in the future
    ({"registered_on": None}, "registered_on"),  # assigned without a number
    ({"attitude": "happy"}, "attitude"),
])
def test_dates_out_of_order_are_refused_and_nothing_is_kept(world, over, field):
    with pytest.raises(DomainError) as exc:
        proposal_back_enter(actor=world.users.proposal, entry=_entry(world, **over))
    assert exc.value.field == field
    assert not Proposal.objects.exists() and not Assignment.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="proposals.").exists()


def test_a_unit_line_is_named_in_the_error(world):
    entry = _entry(world)
    entry.assignments[1].replied_on = D(2021, 2, 20)  # before the assignment
    with pytest.raises(DomainError) as exc:
        proposal_back_enter(actor=world.users.proposal, entry=entry)
    assert exc.value.field == "a1_replied_on"
    entry = _entry(world)
    entry.assignments[0].due_on = D(2021, 2, 28)  # a deadline before the assignment
    with pytest.raises(DomainError) as exc:
        proposal_back_enter(actor=world.users.proposal, entry=entry)
    assert exc.value.field == "a0_due_on"
    entry = _entry(world, closed_on=D(2021, 6, 20))
    entry.assignments[1].replied_on = None  # closed while a unit has not replied
    with pytest.raises(DomainError) as exc:
        proposal_back_enter(actor=world.users.proposal, entry=entry)
    assert exc.value.field == "closed_on"
    assert not Proposal.objects.exists()


def test_only_proposal_staff_of_the_members_unit_back_enter(world):
    for user in (world.users.member, world.users.dept, world.users.secretary):
        with pytest.raises(NotAllowed):
            proposal_back_enter(actor=user, entry=_entry(world))
    with pytest.raises(NotAllowed):
        proposal_back_enter(actor=world.users.proposal, entry=_entry(world, member=world.member_b))
    assert not Proposal.objects.exists()


def test_a_proposal_of_last_term_with_only_its_registration(world):
    proposal = proposal_back_enter(actor=world.users.proposal, entry=_entry(
        world, assigned_on=None, assignments=[], closed_on=None, is_key=False))
    assert proposal.status == ProposalStatus.REGISTERED and proposal.registered_on == D(2021, 2, 1)


def _page_form(world, **over):
    data = {"proposer": world.member.pk, "submitted_on": "2021年1月10日", "title": "关于增设社区养老服务站的提案",
            "kind": "individual", "category": "society", "case": "社区养老服务不足", "analysis": "",
            "suggestions": "每个社区设一处服务站\n引入专业机构运营", "registered_on": "2021-02-01", "term": "十五届",
            "session": "一次会议", "assigned_on": "2021-03-01", "main_unit": world.tree.dept_a.pk,
            "due_on": "2021-06-01", "replied_on": "2021-05-20", "reply_class": "A", "reply_text": "已办理",
            "actions": "已建成12处\n已引入2家机构", "document_number": "相城管〔2021〕9号", "closed_on": "2021-06-20",
            "attitude": "satisfied", "result": "satisfied"}
    data.update(over)
    return data


def test_the_paper_entry_page_enters_a_past_proposal_with_its_handling(client, world):
    from django.urls import reverse

    client.force_login(world.users.proposal)
    page = client.get(reverse("proposals:enter")).content.decode()
    assert 'name="registered_on"' in page and world.tree.dept_a.name in page
    response = client.post(reverse("proposals:enter"), _page_form(world))
    assert response.status_code == 302
    p = Proposal.objects.get()
    assert (p.status, p.closed_on, p.number_label) == (ProposalStatus.CLOSED, D(2021, 6, 20), "十五届一次会议第1号")
    assert Reply.objects.get().lines == [{"suggestion": 1, "action": "已建成12处"},
                                         {"suggestion": 2, "action": "已引入2家机构"}]
    # without a registration date the page stays the plain 代录 of a proposal to review
    client.post(reverse("proposals:enter"), _page_form(world, registered_on="", title="另一件"))
    assert Proposal.objects.get(title="另一件").status == ProposalStatus.SUBMITTED


def test_the_page_names_the_field_out_of_order_and_keeps_nothing(client, world):
    from django.urls import reverse

    client.force_login(world.users.proposal)
    response = client.post(reverse("proposals:enter"), _page_form(world, replied_on="2021-02-20"))
    assert response.status_code == 400
    assert response.context["form"].errors.get("replied_on")
    response = client.post(reverse("proposals:enter"), _page_form(world, closed_on="2099-01-01"))
    assert response.status_code == 400 and response.context["form"].errors.get("closed_on")
    assert not Proposal.objects.exists()
