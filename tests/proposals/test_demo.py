

from proposals.models import EvaluationRound, OpinionItem, Proposal, ProposalStatus


def test_demo_loads_every_stage(demo):
    assert Proposal.objects.filter(source_ref__startswith="report:").count() == 26
    assert OpinionItem.objects.filter(source_ref__startswith="report:").count() == 20
    statuses = set(Proposal.objects.values_list("status", flat=True))
    assert {ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.REGISTERED, ProposalStatus.ASSIGNING,
            ProposalStatus.HANDLING, ProposalStatus.REPLIED, ProposalStatus.CLOSED,
            ProposalStatus.NOT_REGISTERED} <= statuses
    assert EvaluationRound.objects.count() == 2
    # The demo users' own records come after the reports' (the security probe relies on it).
    first = Proposal.objects.order_by("pk")[:3]
    assert all(p.source_ref.startswith("report:") for p in first)


def test_demo_member_and_department_see_only_their_own_journeys(demo):
    from django.contrib.auth import get_user_model

    from proposals.selectors import proposals_visible_to

    for username in ["member", "dept"]:
        user = get_user_model().objects.get(username=username)
        refs = set(proposals_visible_to(user=user).values_list("source_ref", flat=True))
        assert refs and all(ref.startswith("demo:") for ref in refs), (username, refs)


def test_demo_uses_the_members_demo_for_proposers(demo):
    from members.models import Member

    assert 280 <= Member.objects.count() <= 320
