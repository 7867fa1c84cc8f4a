"""Workroom lifecycle, checklist compliance, activity log feeding the duty file, idle flags."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members import selectors, services
from members.models import ChecklistItem, DutyRecord, Workroom, WorkroomStatus
from portal.errors import DomainError, GuardFailed, NotAllowed, StaleEdit
from portal.models import AuditEvent

from ..helpers import assert_constant_queries
from .conftest import png

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 30)


@pytest.fixture
def checklist(tree, users):
    return [services.checklist_item_add(actor=users.city_clerk, unit=tree.city, label=label, order=i)
            for i, label in enumerate(["有场所", "有标志", "有制度"])]


@pytest.fixture
def room(users, tree, me):
    return services.workroom_create(actor=users.secretary, unit=tree.township_a1, name="三堤口委员之家",
                                    lead_type="liaison_group", members=[me], reception_days="每周三")


def step(actor, room, action, note=""):
    room.refresh_from_db()
    return services.workroom_transition(actor=actor, workroom=room, action=action, version=room.version, note=note,
                                        today=TODAY)


def test_full_lifecycle(users, room, checklist):
    assert room.status == WorkroomStatus.APPLIED
    step(users.secretary, room, "review")
    with pytest.raises(NotAllowed):
        step(users.secretary, room, "approve")  # the office approves, not the liaison group
    step(users.clerk, room, "approve")
    with pytest.raises(GuardFailed) as exc:
        step(users.clerk, room, "plaque")  # evidence missing for every item
    assert "有场所" in str(exc.value.message)
    for item in checklist:
        services.checklist_evidence_upload(actor=users.secretary, workroom=room, item=item, file=png())
    step(users.clerk, room, "plaque")
    room.refresh_from_db()
    assert room.status == WorkroomStatus.PLAQUED and room.plaqued_on == TODAY
    services.workroom_annual_check(actor=users.clerk, workroom=room, passed=True, version=room.version, today=TODAY)
    with pytest.raises(DomainError):
        step(users.clerk, room, "revoke")  # a reason is required
    step(users.clerk, room, "revoke", note="长期无活动")
    room.refresh_from_db()
    assert room.status == WorkroomStatus.REVOKED
    with pytest.raises(GuardFailed):
        step(users.clerk, room, "approve")
    actions = list(AuditEvent.objects.filter(target_id=str(room.pk), action__startswith="members.workroom")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["members.workroom.create", "members.workroom.review", "members.workroom.approve",
                       "members.workroom.plaque", "members.workroom.check", "members.workroom.revoke"]


def test_stale_transition_refused(users, room):
    with pytest.raises(StaleEdit):
        services.workroom_transition(actor=users.secretary, workroom=room, action="review", version=room.version + 1)


def test_other_county_cannot_touch(users, room):
    with pytest.raises(NotAllowed):
        services.workroom_transition(actor=users.clerk_b, workroom=room, action="review")
    with pytest.raises(NotAllowed):
        services.workroom_create(actor=users.secretary_b, unit=room.org_unit, name="x")


def test_checklist_inherits_and_evidence_is_required(users, tree, room, checklist):
    assert [i.label for i in services.checklist_for(tree.village_a1a)] == ["有场所", "有标志", "有制度"]
    own = services.checklist_item_add(actor=users.clerk, unit=tree.county_a, label="六上墙")
    assert [i.label for i in services.checklist_for(tree.township_a1)] == ["六上墙"]  # the nearest list wins
    with pytest.raises(DomainError) as exc:
        services.checklist_evidence_upload(actor=users.secretary, workroom=room, item=own, file=None)
    assert exc.value.field == "file"
    with pytest.raises(DomainError):
        services.checklist_evidence_upload(actor=users.secretary, workroom=room, item=checklist[0], file=png())
    with pytest.raises(DomainError):
        services.checklist_evidence_upload(actor=users.secretary, workroom=room, item=own,
                                           file=SimpleUploadedFile("x.jpg", b"not a jpeg"))
    services.checklist_evidence_upload(actor=users.secretary, workroom=room, item=own, file=png())
    assert [(i.label, e is not None) for i, e in services.compliance(room)] == [("六上墙", True)]


def test_activity_feeds_duty_file_and_clears_idle(users, room, me):
    Workroom.objects.filter(pk=room.pk).update(status=WorkroomStatus.PLAQUED, approved_on=datetime.date(2025, 1, 1))
    room.refresh_from_db()
    assert room in Workroom.objects.filter(selectors.idle_q(TODAY, 90))
    activity = services.workroom_activity_add(actor=users.secretary, workroom=room, occurred_on=TODAY,
                                              title="接待日", participants=[me], residents=12, today=TODAY)
    record = DutyRecord.objects.get(member=me, kind="workroom_activity")
    assert record.source_id == str(activity.pk) and record.status == "auto"
    room.refresh_from_db()
    assert room.last_activity_on == TODAY
    assert room not in Workroom.objects.filter(selectors.idle_q(TODAY, 90))
    assert room in Workroom.objects.filter(selectors.idle_q(TODAY + datetime.timedelta(days=91), 90))
    with pytest.raises(DomainError):
        services.workroom_activity_add(actor=users.secretary, workroom=room, title="x", today=TODAY,
                                       occurred_on=TODAY + datetime.timedelta(days=1))


def test_activity_only_for_open_workrooms(users, room):
    with pytest.raises(GuardFailed):
        services.workroom_activity_add(actor=users.secretary, workroom=room, occurred_on=TODAY, title="x",
                                       today=TODAY)


def test_workroom_pages(client, users, room, checklist, me):
    client.force_login(users.secretary)
    url = reverse("members:workroom_action", args=[room.pk, "review"])
    assert client.post(url, {"version": room.version}).status_code == 302
    room.refresh_from_db()
    assert room.status == WorkroomStatus.REVIEWED
    assert client.post(reverse("members:workroom_action", args=[room.pk, "bogus"]), {}).status_code == 404
    response = client.post(reverse("members:workroom_evidence", args=[room.pk]),
                           {"item": checklist[0].pk, "file": png()})
    assert response.status_code == 302
    assert room.evidence.count() == 1
    client.force_login(users.clerk_b)
    assert client.post(url, {"version": room.version}).status_code == 404
    response = client.post(reverse("members:workroom_create"), {"unit": 123456, "name": "x"})
    assert response.status_code == 200 and not Workroom.objects.filter(name="x").exists()


def test_workroom_list_constant_queries(client, users, tree, me):
    client.force_login(users.clerk)

    def add_rows(n):
        for i in range(n):
            w = Workroom.objects.create(org_unit=tree.township_a1, name=f"w{i}", status="plaqued",
                                        approved_on=datetime.date(2025, 1, 1))  # long enough to be idle
            w.members.add(me)

    assert_constant_queries(lambda: client.get(reverse("members:workrooms") + "?idle=1"), add_rows, large=20)


def test_checklist_item_validation(users, tree):
    with pytest.raises(DomainError):
        services.checklist_item_add(actor=users.clerk, unit=tree.county_a, label="  ")
    with pytest.raises(NotAllowed):
        services.checklist_item_add(actor=users.secretary, unit=tree.county_a, label="有场所")
    assert not ChecklistItem.objects.exists()


def test_idle_threshold_is_configurable_per_unit(users, tree):
    from organizations.models import UnitConfig

    a = Workroom.objects.create(org_unit=tree.township_a1, name="A", status="plaqued",
                                last_activity_on=TODAY - datetime.timedelta(days=40))
    b = Workroom.objects.create(org_unit=tree.township_b1, name="B", status="plaqued",
                                last_activity_on=TODAY - datetime.timedelta(days=40))
    assert not Workroom.objects.filter(selectors.idle_q(TODAY)).exists()  # default 90 days
    UnitConfig.objects.create(unit=tree.city, key="members.workroom_idle_days", value=60)
    UnitConfig.objects.create(unit=tree.county_a, key="members.workroom_idle_days", value=30)
    assert list(Workroom.objects.filter(selectors.idle_q(TODAY))) == [a]  # 30 days in county A, 60 in B
    assert selectors.idle_days(tree.township_b1) == 60
    assert b.pk
