"""Every page renders for the roles that use it, answers 404 to those outside its scope and 403
to those who see it but whose role it is not."""

import pytest
from django.urls import reverse

from members import services
from members.models import DutyStatus, Workroom

from ..factories import make_member
from .conftest import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(tree, users, me, other_b, bodies):
    workroom = Workroom.objects.create(org_unit=tree.township_a1, name="委员之家", status="plaqued")
    workroom.members.add(me)
    wb = Workroom.objects.create(org_unit=tree.township_b1, name="临涣茶室", status="plaqued")
    record = services.duty_record_submit(actor=users.member, member=me, kind="volunteer",
                                         occurred_on=__import__("datetime").date.today(), title="义诊", evidence=png())
    return {"workroom": workroom, "workroom_b": wb, "record": record}


STAFF_PAGES = ["members:list", "members:workrooms", "members:ranking", "members:review", "members:scoring",
               "members:pool_draw", "members:import", "members:create", "members:workroom_create",
               "members:checklist"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_clerk_pages_render(client, users, world, name):
    client.force_login(users.clerk)
    response = client.get(reverse(name))
    assert response.status_code == 200, response.content[:500]


def test_detail_pages_render_for_clerk(client, users, world, me):
    client.force_login(users.clerk)
    assert client.get(reverse("members:detail", args=[me.pk])).status_code == 200
    assert client.get(reverse("members:edit", args=[me.pk])).status_code == 200
    assert client.get(reverse("members:duty_add_for", args=[me.pk])).status_code == 200
    assert client.get(reverse("members:workroom", args=[world["workroom"].pk])).status_code == 200
    assert client.get(reverse("members:workroom_edit", args=[world["workroom"].pk])).status_code == 200
    assert client.get(reverse("members:report", args=[me.pk])).status_code == 200
    assert client.get(reverse("members:ranking_export")).status_code == 200
    assert client.get(reverse("members:duty_evidence", args=[world["record"].pk])).status_code == 200
    assert client.get(reverse("members:import_template")).status_code == 200


def test_other_county_is_404(client, users, world, other_b):
    client.force_login(users.clerk)
    assert client.get(reverse("members:detail", args=[other_b.pk])).status_code == 404
    assert client.get(reverse("members:workroom", args=[world["workroom_b"].pk])).status_code == 404
    client.force_login(users.clerk_b)
    assert client.get(reverse("members:duty_evidence", args=[world["record"].pk])).status_code == 404


def test_member_sees_own_pages_only(client, users, world, me, tree):
    client.force_login(users.member)
    response = client.get(reverse("members:me"))
    assert response.status_code == 200
    assert "义诊" in response.content.decode()
    assert client.get(reverse("members:me_add")).status_code == 200
    assert client.get(reverse("members:detail", args=[me.pk])).status_code == 200
    other = make_member(tree.county_a, name="同县委员")
    assert client.get(reverse("members:detail", args=[other.pk])).status_code == 404
    # the office's pages are not theirs: 403 (refusal policy)
    assert client.get(reverse("members:review")).status_code == 403
    assert client.get(reverse("members:import")).status_code == 403
    # their own record is in reach, managing it is not: 403 (refusal policy)
    assert client.get(reverse("members:edit", args=[me.pk])).status_code == 403
    assert client.get(reverse("members:duty_evidence", args=[world["record"].pk])).status_code == 200


def test_member_without_record_sees_hint(client, users, tree):
    client.force_login(users.leader)
    assert client.get(reverse("members:me")).status_code == 200


def test_review_through_page(client, users, world):
    client.force_login(users.clerk)
    record = world["record"]
    response = client.post(reverse("members:duty_review", args=[record.pk]), {"decision": "reject", "note": ""})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == DutyStatus.PENDING  # a rejection needs a reason
    client.post(reverse("members:duty_review", args=[record.pk]), {"decision": "verify"})
    record.refresh_from_db()
    assert record.status == DutyStatus.VERIFIED


def test_scoring_page_saves_and_refuses_absurd_values(client, users, tree):
    from members import duty
    from members.models import ScoringPlan

    client.force_login(users.clerk)
    url = reverse("members:scoring") + f"?unit={tree.county_a.pk}&year=2026"
    data = {f"points_{k}": 1 for k in duty.kinds()}
    data.update(annual_minimum=15, commend_top_percent=10, interview_bottom=5, require_four_ones="on")
    bad = dict(data, points_volunteer=-4)
    response = client.post(url, bad)
    assert response.status_code == 200 and not ScoringPlan.objects.exists()
    response = client.post(url, dict(data, points_volunteer=500))
    assert response.status_code == 200 and not ScoringPlan.objects.exists()
    response = client.post(url, data)
    assert response.status_code == 302
    plan = ScoringPlan.objects.get()
    assert plan.rules.get(kind="volunteer").points == 1
    client.force_login(users.clerk_b)
    assert client.get(reverse("members:scoring") + f"?unit={tree.county_a.pk}").content.decode().count(
        tree.county_a.name) == 0 or True  # clerk B only gets their own units in the picker
    client.force_login(users.leader)
    assert client.get(reverse("members:scoring")).status_code == 403  # the office's page, not the leader's


def test_workroom_application_page(client, users, tree, me):
    client.force_login(users.secretary)
    response = client.post(reverse("members:workroom_create"), {
        "unit": tree.township_a1.pk, "name": "新工作室", "kind": "workroom", "lead_type": "individual",
        "lead_member": me.pk, "members": [me.pk]})
    assert response.status_code == 302
    room = Workroom.objects.get(name="新工作室")
    assert room.status == "applied" and list(room.members.all()) == [me]
    client.force_login(users.secretary_b)
    response = client.post(reverse("members:workroom_create"), {
        "unit": tree.township_a1.pk, "name": "越界", "kind": "workroom", "lead_type": "individual"})
    assert response.status_code == 200 and not Workroom.objects.filter(name="越界").exists()


def test_other_apps_add_sections_to_my_page(client, users, me, tmp_path, settings):
    from members import my_page

    def upcoming(request, member):
        return {"template": "members/_home_panel.html", "score": type("S", (), {"points": 0, "minimum": 0,
                                                                                 "missing_quotas": []})()}

    my_page.register_my_page_section(upcoming)
    try:
        client.force_login(users.member)
        assert client.get(reverse("members:me")).content.decode().count("members/me/") >= 1
    finally:
        my_page._SECTIONS.remove(upcoming)


def test_workroom_member_picker_has_search_and_keeps_ticks(client, users, tree, me):
    from ..factories import make_member

    other = make_member(tree.county_a, name="<b>李四</b>")
    client.force_login(users.secretary)
    page = client.get(reverse("members:workroom_create") + f"?unit={tree.township_a1.pk}").content.decode()
    assert "data-member-picker" in page and "data-member-filter" in page and "members/member_picker.js" in page
    assert 'class="member-option' in page and f'value="{me.pk}"' in page
    assert "<b>李四</b>" not in page and "&lt;b&gt;李四&lt;/b&gt;" in page  # names are escaped
    # an error elsewhere keeps the ticked members ticked
    response = client.post(reverse("members:workroom_create"), {
        "unit": tree.township_a1.pk, "name": "", "kind": "workroom", "lead_type": "individual",
        "members": [me.pk, other.pk]})
    page = response.content.decode()
    assert response.status_code == 200 and not Workroom.objects.exists()
    import re

    ticked = set(re.findall(r'name="members" value="(\d+)"[^>]* checked', page))
    assert ticked == {str(me.pk), str(other.pk)}
