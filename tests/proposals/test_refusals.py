"""The refusal policy on the proposal and 社情民意 pages (docs/DEVELOPING.md): a step pressed by
someone who sees the record but holds no role for it is the Chinese 403 page and changes nothing;
a button the record's state refuses (a second click) goes back to the record with the reason; an
inline form the state refuses shows the record again with the reason (409); a record outside
the user's scope is a 404."""

import pytest
from django.urls import reverse
from django.utils import translation

from portal.models import AuditEvent
from proposals import services
from proposals.models import OpinionStatus, ProposalStatus
from proposals.workflows import PROPOSAL

from ..helpers import assert_back_to_record_with, assert_step_refused
from .conftest import to_state

pytestmark = pytest.mark.django_db


def _zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def test_withdraw_button_refusals(client, world):
    p = to_state(world, "submitted")
    url = reverse("proposals:act", args=[p.pk, "withdraw"])
    # the county's leader reads the proposal; withdrawing it is the proposer's
    client.force_login(world.users.leader)
    assert client.get(p.get_absolute_url()).status_code == 200
    # … and a member of another county does not see it
    assert_step_refused(client, url, reader=world.users.leader, stranger=world.member_b_user,
                        action="proposals.proposal.withdraw", message="您无权执行此操作")
    p.refresh_from_db()
    assert p.status == ProposalStatus.SUBMITTED
    # the proposer withdraws; a second click finds it withdrawn and says so on the record
    client.force_login(world.users.member)
    assert client.post(url).status_code == 302
    p.refresh_from_db()
    assert p.status == ProposalStatus.WITHDRAWN
    assert_back_to_record_with(client, client.post(url), p.get_absolute_url(), _zh(PROPOSAL.refusal(p, "withdraw")))
    assert AuditEvent.objects.filter(action="proposals.proposal.withdraw").count() == 1


def test_register_form_refusals(client, world):
    p = to_state(world, "submitted")
    url = reverse("proposals:act", args=[p.pk, "register"])
    data = {"version": p.version, "note": "同意立案", "publication": "public"}
    # the proposer sees their proposal; registering it is the staff's: the 403 page, not the record
    assert_step_refused(client, url, data, reader=world.users.member, stranger=world.users.clerk_b,
                        action="proposals.proposal.register")
    p.refresh_from_db()
    assert p.status == ProposalStatus.SUBMITTED and p.number is None
    client.force_login(world.users.proposal)
    assert client.post(url, data).status_code == 302
    # the same form sent again (a second click): the record in its new state, with the reason (409)
    p.refresh_from_db()
    again = client.post(url, {**data, "version": p.version})
    body = again.content.decode()
    assert again.status_code == 409 and 'id="action-error"' in body
    assert _zh(PROPOSAL.refusal(p, "register")) in body
    assert AuditEvent.objects.filter(action="proposals.proposal.register").count() == 1


def test_opinion_step_refusals(client, world):
    item = services.opinion_submit(actor=world.users.member, title="种粮大户期盼惠农政策倾斜", content="建议补贴倾斜")
    url = reverse("proposals:opinion_act", args=[item.pk, "reject"])
    # the member who sent it sees it; deciding on it is the office's
    client.force_login(world.users.member)
    assert client.get(item.get_absolute_url()).status_code == 200
    assert_step_refused(client, url, {"note": "不采用", "version": item.version}, reader=world.users.member,
                        stranger=world.users.secretary_b, action="proposals.opinion.reject")
    item.refresh_from_db()
    assert item.status == OpinionStatus.SUBMITTED
