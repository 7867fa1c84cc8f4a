"""The workrooms' transition table and the services agree: for every role and every state, an
action is offered (allowed_actions — the workroom page's buttons and the API's allowed_actions)
exactly when its service accepts it with valid input. Each call runs in a rolled-back savepoint,
so every action is tried on the same workroom."""

import datetime
import re

import pytest
from django.db import transaction
from django.urls import reverse

from members import services, workflows
from members.models import Workroom
from portal.errors import GuardFailed, NotAllowed
from portal.workflow import allowed_actions

from .conftest import png

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 30)
ROLES = ["admin", "city_clerk", "clerk", "clerk_b", "proposal", "secretary", "secretary_b", "member", "leader",
         "nobody"]


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


def _step(action):
    return lambda a, w: services.workroom_transition(actor=a, workroom=w, action=action, version=w.version,
                                                     note="理由", today=TODAY)


CALLS = {
    "edit": lambda a, w: services.workroom_update(actor=a, workroom=w, version=w.version, place="新址"),
    "review": _step("review"),
    "approve": _step("approve"),
    "reject": _step("reject"),
    "plaque": _step("plaque"),
    "revoke": _step("revoke"),
    "check_pass": lambda a, w: services.workroom_annual_check(actor=a, workroom=w, passed=True, version=w.version,
                                                              today=TODAY),
    "check_fail": lambda a, w: services.workroom_annual_check(actor=a, workroom=w, passed=False, note="无活动",
                                                              version=w.version, today=TODAY),
    "activity": lambda a, w: services.workroom_activity_add(actor=a, workroom=w, occurred_on=TODAY, title="接待群众",
                                                            today=TODAY),
}


def test_every_workroom_action_has_a_service_call():
    assert set(CALLS) == set(workflows.WORKROOM.rows)


@pytest.fixture
def checklist(tree, users):
    return [services.checklist_item_add(actor=users.city_clerk, unit=tree.city, label=label, order=i)
            for i, label in enumerate(["有场所", "有标志"])]


def _to_state(users, tree, me, checklist, state):
    room = services.workroom_create(actor=users.secretary, unit=tree.township_a1, name="三堤口委员之家",
                                    lead_type="liaison_group", members=[me])
    path = {"applied": [], "reviewed": ["review"], "rejected": ["reject"], "approved": ["review", "approve"],
            "evidenced": ["review", "approve"], "plaqued": ["review", "approve", "plaque"],
            "revoked": ["review", "approve", "revoke"]}[state]
    if state in ("evidenced", "plaqued"):
        for item in checklist:
            services.checklist_evidence_upload(actor=users.secretary, workroom=room, item=item, file=png())
    for action in path:
        room.refresh_from_db()
        _step(action)(users.clerk, room)
    return Workroom.objects.get(pk=room.pk)


@pytest.mark.parametrize("state", ["applied", "reviewed", "rejected", "approved", "evidenced", "plaqued", "revoked"])
def test_workroom_actions_shown_are_exactly_those_the_services_accept(state, users, tree, me, checklist):
    room = _to_state(users, tree, me, checklist, state)
    offered = set()
    for who in ROLES:
        user = getattr(users, who)
        shown = set(allowed_actions(Workroom.objects.select_related("org_unit").get(pk=room.pk), user))
        offered |= shown
        for action, call in CALLS.items():
            accepted = _accepted(call, user, Workroom.objects.get(pk=room.pk))
            assert (action in shown) == accepted, f"{state}: {who} {action} shown={action in shown}"
    assert bool(offered) == (state not in ("rejected", "revoked")), state  # only the final states offer nothing
    if state == "approved":
        assert "plaque" not in offered  # evidence is missing: the plaque is not offered to anyone


@pytest.mark.parametrize("state", ["applied", "approved", "evidenced", "revoked"])
def test_the_page_shows_the_buttons_of_the_table(state, client, users, tree, me, checklist):
    room = _to_state(users, tree, me, checklist, state)
    for who in ("clerk", "secretary", "leader", "member"):
        user = getattr(users, who)
        client.force_login(user)
        response = client.get(reverse("members:workroom", args=[room.pk]))
        if response.status_code == 404:  # not in this user's area at all
            continue
        assert response.status_code == 200
        html = response.content.decode()
        buttons = set(re.findall(rf'formaction="/members/workrooms/{room.pk}/(\w+)/"', html))
        allowed = set(allowed_actions(Workroom.objects.get(pk=room.pk), user))
        assert buttons == allowed & set(workflows.DECISIONS), (state, who, buttons)
        assert (reverse("members:workroom_edit", args=[room.pk]) in html) == ("edit" in allowed), (state, who)


def test_the_api_answers_the_allowed_actions(client, users, tree, me, checklist):
    room = _to_state(users, tree, me, checklist, "reviewed")
    client.force_login(users.clerk)
    data = client.get(f"/api/v1/workrooms/{room.pk}/").json()
    assert data["allowed_actions"] == ["edit", "approve", "reject"]
    client.force_login(users.secretary)
    assert client.get(f"/api/v1/workrooms/{room.pk}/").json()["allowed_actions"] == ["edit"]
