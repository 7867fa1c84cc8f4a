"""Pool draws are reproducible; reminders and metrics follow the portal contracts."""

import datetime

import pytest

from members import metrics, reminders, selectors
from members.models import DutyRecord, Notable, Workroom
from portal.metrics import METRICS
from portal.reminders import SOURCES

from ..factories import make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(tree):
    for i in range(12):
        make_member(tree.county_a, posted_to=tree.township_a1, expertise="法律,教育" if i % 2 else "医疗")
    for i in range(8):
        Notable.objects.create(org_unit=tree.township_a1, name=f"乡贤{i}", expertise="法律",
                               category="notable" if i % 2 else "party_rep")
    make_member(tree.county_b, expertise="法律")


def test_draw_is_reproducible_with_seed(users, tree, pool):
    a = selectors.pool_draw(users.clerk, tree.township_a1, expertise="法律", size=5, seed=42)
    b = selectors.pool_draw(users.clerk, tree.township_a1, expertise="法律", size=5, seed=42)
    c = selectors.pool_draw(users.clerk, tree.township_a1, expertise="法律", size=5, seed=43)
    ids = [(k, p.pk) for k, p in a["drawn"]]
    assert ids == [(k, p.pk) for k, p in b["drawn"]]
    assert ids != [(k, p.pk) for k, p in c["drawn"]]
    assert a["pool_size"] == 6 + 8  # 6 members with 法律 posted here, 8 notables; county B excluded
    assert len(a["drawn"]) == 5


def test_stakeholder_ratio_check(users, tree, pool):
    result = selectors.pool_draw(users.clerk, tree.township_a1, expertise="医疗", size=4, seed=1)
    assert result["over_share"] == ["member"]  # only members know 医疗: the balance warning shows
    assert selectors.pool_draw(users.clerk_b, tree.township_a1, size=4, seed=1)["pool_size"] == 0


def test_pool_page(client, users, tree, pool):
    client.force_login(users.clerk)
    response = client.get("/members/pools/draw/", {"unit": tree.township_a1.pk, "expertise": "法律", "size": 3,
                                                   "seed": 7, "include_notables": "on"})
    assert response.status_code == 200 and 'id="draw-result"' in response.content.decode()
    assert client.get("/members/pools/draw/", {"unit": "x", "size": "-1"}).status_code == 200


def test_reminder_sources_registered_and_yield(users, tree, me):
    assert {"members.below_pace", "members.workroom_idle", "members.annual_check_due"} <= set(SOURCES)
    first_of_july = datetime.date(2026, 7, 1)
    due = list(reminders.below_pace(first_of_july))
    assert [(r.recipient_id, r.key) for r in due] == [(users.member.pk, f"member:{me.pk}:pace:2026-07")]
    assert list(reminders.below_pace(datetime.date(2026, 7, 2))) == []
    for day in range(1, 12):
        DutyRecord.objects.create(member=me, kind="session_attended", title="x",
                                  occurred_on=datetime.date(2026, 1, day), org_unit=tree.county_a,
                                  org_path=tree.county_a.path)
    assert list(reminders.below_pace(first_of_july)) == []  # 55 points: on pace

    room = Workroom.objects.create(org_unit=tree.township_a1, name="A室", status="plaqued",
                                   last_activity_on=datetime.date(2026, 1, 1))
    monday = datetime.date(2026, 7, 6)
    idle = list(reminders.workroom_idle(monday))
    assert [r.recipient_id for r in idle] == [users.clerk.pk]  # the nearest clerk, not the city's
    check = list(reminders.annual_check_due(datetime.date(2026, 12, 1)))
    assert [r.key for r in check] == [f"workroom:{room.pk}:check:2026"]
    assert list(reminders.annual_check_due(datetime.date(2026, 11, 1))) == []


def test_metrics_roll_up_subtrees(users, tree, me, other_b):
    keys = {"members.duty_points", "members.below_minimum", "members.workrooms_active", "members.workrooms_idle",
            "members.sector_activity", "members.committee_activity", "members.duty_entries",
            "members.active_members"}
    assert keys <= set(METRICS)
    DutyRecord.objects.create(member=me, kind="volunteer", title="x", occurred_on=datetime.date(2026, 3, 1),
                              org_unit=tree.county_a, org_path=tree.county_a.path, status="verified")
    units = [tree.city, tree.county_a, tree.county_b]
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    assert metrics.duty_points(units, start, end) == {tree.city.pk: 2, tree.county_a.pk: 2, tree.county_b.pk: 0}
    assert metrics.below_minimum(units, start, end) == {tree.city.pk: 2, tree.county_a.pk: 1, tree.county_b.pk: 1}
    assert metrics.duty_entries(units, start, end)[tree.city.pk] == 1
    assert metrics.active_members(units, start, end)[tree.county_b.pk] == 0
    room = Workroom.objects.create(org_unit=tree.township_a1, name="A室", status="plaqued")
    Workroom.objects.create(org_unit=tree.township_b1, name="B室", status="plaqued")
    room.activities.create(occurred_on=datetime.date(2026, 3, 1), title="接待")
    assert metrics.workrooms_active(units, start, end) == {tree.city.pk: 1, tree.county_a.pk: 1, tree.county_b.pk: 0}
    assert metrics.workrooms_idle(units, start, end) == {tree.city.pk: 1, tree.county_a.pk: 0, tree.county_b.pk: 1}


def test_home_panel_for_member(client, users, me):
    client.force_login(users.member)
    assert "/members/me/" in client.get("/").content.decode()
    client.force_login(make_user(None, None))
    assert client.get("/").status_code == 200
