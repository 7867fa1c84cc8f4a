"""Events notified at once through the engine (portal.reminders.send_now): an invitation, a
suggestion routed to a department, a proposal assigned to a unit — in the inbox on commit, by
e-mail by preference, never twice, and not duplicated by the scans."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from consultations import services as consult
from consultations.models import Channel, Route, SessionForm
from notifications import services
from notifications.models import DeliveryMode, Notification, NotificationState, Preference
from organizations.models import Role
from tests.consultations.conftest import advance
from tests.factories import make_member, make_user
from tests.proposals.conftest import to_state
from tests.proposals.conftest import world as proposals_world

pytestmark = pytest.mark.django_db
world = pytest.fixture(proposals_world.__wrapped__, name="world") if hasattr(proposals_world, "__wrapped__") \
    else proposals_world


@pytest.fixture
def topic(users, tree):
    return consult.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="小区停车难",
                                description="停车位不足", channel=Channel.RESIDENT)


def test_an_invited_member_has_the_invitation_in_the_inbox_at_once_and_the_scan_adds_nothing(
        eager, users, tree, topic, django_capture_on_commit_callbacks):
    topic = advance(topic, users, tree, to="researched")
    user = make_user(Role.MEMBER, tree.county_a, email="m@example.org", username="invited_u")
    member = make_member(tree.county_a, posted_to=tree.township_a1, user=user, name="被邀委员")
    day = timezone.localdate() + datetime.timedelta(days=10)  # far beyond the scan's lead time
    with django_capture_on_commit_callbacks(execute=True):
        session = consult.session_schedule(actor=users.secretary, topic=topic, scheduled_on=day,
                                           form=SessionForm.COUNCIL, venue="议事厅")
        consult.participants_invite(actor=users.secretary, session=session, members=[member],
                                    others=[("居民甲", "庆相桥社区", "resident")])
        assert not Notification.objects.exists() or len(mail.outbox) == 0  # nothing leaves before commit
    note = Notification.objects.get(recipient=user)
    assert note.kind == "consultations.session_invitation" and "小区停车难" in note.subject
    assert note.state == NotificationState.DISPATCHED
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["m@example.org"]
    # The hourly scan, on the day it would send the invitation, finds the same row.
    with django_capture_on_commit_callbacks(execute=True):
        services.scan_source(kind="consultations.session_invitation", today=day - datetime.timedelta(days=2))
    assert Notification.objects.filter(recipient=user, key__endswith=":invite").count() == 1
    assert len(mail.outbox) == 1


def test_nothing_is_sent_when_the_invitation_rolls_back(eager, users, tree, topic, django_capture_on_commit_callbacks):
    from django.db import transaction

    topic = advance(topic, users, tree, to="researched")
    user = make_user(Role.MEMBER, tree.county_a, email="r@example.org", username="rollback_u")
    member = make_member(tree.county_a, posted_to=tree.township_a1, user=user)
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                session = consult.session_schedule(actor=users.secretary, topic=topic,
                                                   scheduled_on=timezone.localdate(), form="council", venue="议事厅")
                consult.participants_invite(actor=users.secretary, session=session, members=[member])
                raise RuntimeError("later step failed")
        except RuntimeError:
            pass
    assert not Notification.objects.exists() and not mail.outbox


def test_a_suggestion_routed_to_a_department_reaches_its_handlers_by_their_preference(
        eager, users, tree, topic, django_capture_on_commit_callbacks):
    topic = advance(topic, users, tree, to="consulted")
    consult.outcome_record(actor=users.secretary, topic=topic, consensus=True, summary="结果")
    users.dept.email = "dept@example.org"
    users.dept.save()
    Preference.objects.create(user=users.dept, kind="consultations.suggestion_routed", mode=DeliveryMode.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        consult.suggestion_add(actor=users.secretary, topic=topic, text="协调执法", route=Route.DEPARTMENT,
                               handling_unit=tree.dept_a)
    note = Notification.objects.get(recipient=users.dept)
    assert note.kind == "consultations.suggestion_routed"
    assert note.state == NotificationState.DIGEST  # in the inbox now; e-mail waits for the digest
    assert not mail.outbox
    assert not Notification.objects.filter(recipient=users.secretary_b).exists()


def test_a_proposal_assigned_to_a_unit_notifies_its_handlers_when_proposed_and_when_assigned(
        eager, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        to_state(world, "handling")
    keys = sorted(Notification.objects.filter(kind="proposals.assigned", recipient=world.users.dept)
                  .values_list("key", flat=True))
    assert len(keys) == 2 and keys[0].endswith(":assigned") and keys[1].endswith(":pre")
    assert Notification.objects.filter(kind="proposals.assigned", recipient=world.dept2).count() == 2
    assert not Notification.objects.filter(kind="proposals.assigned", recipient=world.dept_b_user).exists()


def test_event_kinds_can_be_chosen_in_the_preferences():
    from notifications import kinds

    names = {k.kind for k in kinds.all_kinds()}
    assert {"consultations.suggestion_routed", "proposals.assigned"} <= names
