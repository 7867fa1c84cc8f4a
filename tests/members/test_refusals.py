"""The refusal policy on the members pages (docs/DEVELOPING.md): a workroom step pressed by someone
who sees the workroom but holds no role for it is the Chinese 403 page and changes nothing; a step
the workroom's state refuses (a second click) goes back to it with the reason; a workroom outside
the user's scope is a 404; the office's pages are a 403 to the other roles."""

import pytest
from django.urls import reverse
from django.utils import translation

from members import services
from members.models import WorkroomStatus
from members.workflows import WORKROOM
from portal.models import AuditEvent

from ..helpers import assert_back_to_record_with, assert_not_allowed_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(users, tree, me):
    return services.workroom_create(actor=users.secretary, unit=tree.township_a1, name="三堤口委员之家",
                                    lead_type="liaison_group", members=[me], reception_days="每周三")


def _post(client, room, action):
    room.refresh_from_db()
    return client.post(reverse("members:workroom_action", args=[room.pk, action]), {"version": room.version})


def test_workroom_steps_refused_for_the_role_the_scope_and_the_state(client, users, room):
    page = reverse("members:workroom", args=[room.pk])
    # the county's leader sees the workroom; reviewing it is the secretary's or the office's
    client.force_login(users.leader)
    assert client.get(page).status_code == 200
    assert_not_allowed_page(_post(client, room, "review"), "您无权执行此操作")
    # the secretary may review, not approve
    client.force_login(users.secretary)
    assert_not_allowed_page(_post(client, room, "approve"))
    room.refresh_from_db()
    assert room.status == WorkroomStatus.APPLIED
    assert not AuditEvent.objects.filter(action__in=["members.workroom.review", "members.workroom.approve"]).exists()
    client.force_login(users.secretary_b)
    assert _post(client, room, "review").status_code == 404
    client.force_login(users.secretary)
    assert _post(client, room, "review").status_code == 302
    room.refresh_from_db()
    assert room.status == WorkroomStatus.REVIEWED
    with translation.override("zh-hans"):
        reason = str(WORKROOM.refusal(room, "review"))
    assert_back_to_record_with(client, _post(client, room, "review"), page, reason)
    assert AuditEvent.objects.filter(action="members.workroom.review").count() == 1


@pytest.mark.parametrize("name", ["members:create", "members:review", "members:import", "members:scoring",
                                  "members:checklist"])
def test_the_offices_pages_are_403_to_a_secretary(client, users, name):
    client.force_login(users.secretary)
    assert_not_allowed_page(client.get(reverse(name)))
