"""代录: proposal staff enter a paper proposal on a member's behalf — by page and API, per role,
dated by the paper, recorded as entered by staff, bad input refused with nothing saved."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import DutyRecord
from portal.models import AuditEvent
from proposals.models import Proposal, ProposalStatus
from reports.selectors import compute_direct

pytestmark = pytest.mark.django_db

PAPER_DAY = datetime.date(2025, 1, 12)  # the plenary


def _form(world, **over):
    data = {"proposer": world.member.pk, "submitted_on": "2025年1月12日", "title": "关于增设社区养老服务站的建议",
            "kind": "individual", "category": "society", "case": "老龄化加快，社区养老服务不足。",
            "analysis": "", "suggestions": "每个社区设一处服务站\n引入专业机构运营"}
    data.update(over)
    return data


def test_proposal_staff_enter_a_paper_proposal_on_the_page(client, world):
    client.force_login(world.users.proposal)
    page = client.get(reverse("proposals:enter"))
    assert page.status_code == 200 and "刘芳" in page.content.decode() and "赵六" not in page.content.decode()
    response = client.post(reverse("proposals:enter"), _form(world, kind="joint", cosigners=[world.cosigner.pk]))
    assert response.status_code == 302
    p = Proposal.objects.get()
    assert (p.proposer, p.submitted_by, p.entered_by_staff, p.status) == (
        world.member, world.users.proposal, True, ProposalStatus.SUBMITTED)
    assert timezone.localtime(p.submitted_at).date() == PAPER_DAY and p.year == 2025
    assert p.suggestions == ["每个社区设一处服务站", "引入专业机构运营"]
    assert list(p.cosigners.values_list("member__name", "status")) == [("王伟", "confirmed")]
    event = AuditEvent.objects.get(action="proposals.proposal.enter_on_behalf")
    assert event.actor == world.users.proposal and event.after["entered_by_staff"] is True
    assert event.after["submitted_on"] == "2025-01-12" and event.after["proposer"] == "刘芳"
    duty = DutyRecord.objects.get(member=world.member, kind="proposal_submitted")
    assert duty.occurred_on == PAPER_DAY
    detail = client.get(p.get_absolute_url()).content.decode()
    assert 'id="entered-by-staff"' in detail and "2025年1月12日" in detail
    # the reports count it in the month on the paper, not the month it was typed
    jan = compute_direct([world.tree.county_a], PAPER_DAY.replace(day=1), PAPER_DAY.replace(day=31),
                         {"proposals.received"})
    assert jan["proposals.received"][world.tree.county_a.pk] == 1


@pytest.mark.parametrize("role, allowed", [
    ("proposal", True), ("clerk", True), ("city_clerk", True), ("admin", True), ("clerk_b", False),
    ("secretary", False), ("approver", False), ("member", False), ("dept", False), ("leader", False),
    ("nobody", False),
])
def test_paper_entry_by_role_on_the_page_and_the_api(client, world, role, allowed):
    client.force_login(getattr(world.users, role))
    page = client.post(reverse("proposals:enter"), _form(world))
    api = client.post("/api/v1/proposals/enter/", {
        "proposer": world.member.pk, "submitted_on": "2025/01/12", "title": "API 代录", "case": "案由",
        "suggestions": ["建议一"], "category": "society"}, content_type="application/json")
    if allowed:
        assert page.status_code == 302 and api.status_code == 201
        assert api.json()["entered_by_staff"] is True and api.json()["status"] == "submitted"
        assert Proposal.objects.filter(entered_by_staff=True, submitted_by=getattr(world.users, role)).count() == 2
    else:
        # no staff role: the page is not theirs (403); another county's clerk cannot pick the member (400)
        assert page.status_code == (400 if role == "clerk_b" else 403) and api.status_code in (400, 403)
        assert not Proposal.objects.exists()
        assert not AuditEvent.objects.filter(action="proposals.proposal.enter_on_behalf").exists()


def test_paper_entry_bad_input_is_refused_with_clear_errors_and_nothing_saved(client, world):
    client.force_login(world.users.proposal)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    cases = [
        ({"submitted_on": tomorrow}, "submitted_on"),
        ({"submitted_on": "1948-12-31"}, "submitted_on"),
        ({"submitted_on": "12/01/2025"}, "submitted_on"),
        ({"submitted_on": "2025-02-30"}, "submitted_on"),
        ({"proposer": world.member_b.pk}, "proposer"),  # another county's member
        ({"proposer": "abc"}, "proposer"),
        ({"suggestions": "  \n "}, "suggestions"),
        ({"kind": "joint"}, "cosigners"),  # a joint proposal without co-signers
        ({"cosigners": [world.member_b.pk], "kind": "joint"}, "cosigners"),
        ({"category": "nonsense"}, "category"),
    ]
    for over, field in cases:
        response = client.post(reverse("proposals:enter"), _form(world, **over))
        assert response.status_code == 400, over
        assert response.context["form"].errors.get(field), (over, response.context["form"].errors)
    api_cases = [
        {"submitted_on": tomorrow}, {"submitted_on": "1900-01-01"}, {"submitted_on": "昨天"},
        {"proposer": world.member_b.pk}, {"proposer": 987654321}, {"suggestions": []},
        {"cosigners": [world.member_b.pk], "kind": "joint"}, {"body": 987654},
    ]
    base = {"proposer": world.member.pk, "submitted_on": "2025-01-12", "title": "t", "case": "c",
            "suggestions": ["s"]}
    for over in api_cases:
        response = client.post("/api/v1/proposals/enter/", {**base, **over}, content_type="application/json")
        assert response.status_code == 400, (over, response.content)
    assert client.post("/api/v1/proposals/enter/", "{", content_type="application/json").status_code == 400
    assert not Proposal.objects.exists()
    assert not DutyRecord.objects.filter(kind="proposal_submitted").exists()
