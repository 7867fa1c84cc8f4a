import datetime

import pytest
from django.utils import timezone

from portal.metrics import METRICS
from portal.reminders import SOURCES
from proposals import services
from proposals.models import Assignment
from tests.helpers import count_queries

from .conftest import future, make_proposal, to_state

pytestmark = pytest.mark.django_db


def _run(kind, today=None):
    return list(SOURCES[kind].func(today or timezone.localdate()))


def test_reply_due_soon_goes_to_the_department(world):
    p = to_state(world, "handling")
    Assignment.objects.filter(proposal=p).update(due_on=future(5))
    recipients = {r.recipient_id for r in _run("proposals.reply_due")}
    assert recipients == {world.users.dept.pk, world.dept2.pk}


def test_overdue_reply_goes_to_office_department_and_supervising_leader(world):
    p = to_state(world, "handling")
    services.proposal_mark_key(actor=world.users.leader, proposal=p, supervising_leader=world.users.leader)
    Assignment.objects.filter(proposal=p, unit=world.tree.dept_a).update(due_on=future(-2))
    reminders = _run("proposals.reply_overdue")
    recipients = {r.recipient_id for r in reminders}
    assert {world.users.proposal.pk, world.users.clerk.pk, world.users.leader.pk, world.users.dept.pk} <= recipients
    assert world.users.clerk_b.pk not in recipients and world.dept2.pk not in recipients
    assert len({r.key for r in reminders}) == 1


def test_unconfirmed_cosigner_is_reminded(world):
    make_proposal(world, kind="joint", cosigners=[world.cosigner])
    assert [r.recipient_id for r in _run("proposals.cosign_pending")] == [world.cosigner_user.pk]


def test_b_class_follow_up_and_half_monthly_supervision(world):
    p = to_state(world, "handling")
    a = p.assignments.get(unit=world.tree.dept_a)
    services.contact_add(actor=world.users.dept, assignment=a, method="phone", contacted_on=future(0))
    services.reply_submit(actor=world.users.dept, assignment=a, reply_class="B", text="x", follow_up_on=future(3))
    assert world.users.proposal.pk in {r.recipient_id for r in _run("proposals.follow_up_due")}
    services.proposal_mark_key(actor=world.users.leader, proposal=p, supervising_leader=world.users.leader)
    first = _run("proposals.key_supervision", datetime.date(2026, 3, 3))
    again = _run("proposals.key_supervision", datetime.date(2026, 3, 14))
    later = _run("proposals.key_supervision", datetime.date(2026, 3, 16))
    assert first[0].key == again[0].key != later[0].key


def test_reminder_sources_run_constant_queries(world):
    to_state(world, "handling", title="一")
    n1, _ = count_queries(lambda: _run("proposals.reply_overdue", future(200)))
    to_state(world, "handling", title="二")
    to_state(world, "handling", title="三")
    n3, _ = count_queries(lambda: _run("proposals.reply_overdue", future(200)))
    assert n1 == n3


def test_metrics_roll_up_over_the_subtree(world):
    p = to_state(world, "replied")
    services.proposal_rate(actor=world.users.member, proposal=p, attitude="satisfied", result="satisfied")
    to_state(world, "submitted", title="未立案")
    item = services.opinion_submit(actor=world.users.member, title="t", content="c")
    today = timezone.localdate()
    services.bulletin_compile(actor=world.users.clerk, unit=world.tree.county_a, items=[item], published_on=today)
    services.opinion_report(actor=world.users.clerk, item=item, reported_to="市政协")
    services.opinion_adopt(actor=world.users.clerk, item=item, level="city", adopted_on=today)
    for leader in ["副市长", "市长"]:
        services.instruction_add(actor=world.users.leader, item=item, leader=leader, given_on=today, text="x")
    units = [world.tree.city, world.tree.county_a, world.tree.county_b, world.tree.dept_a]
    start, end = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)

    def value(key):
        return METRICS[key].func(units, start, end)

    assert value("proposals.received")[world.tree.city.pk] == 2
    assert value("proposals.registered_rate")[world.tree.county_a.pk] == 50.0
    assert value("proposals.registered_rate")[world.tree.county_b.pk] == 0
    assert value("proposals.replied_on_time_rate")[world.tree.county_a.pk] == 100.0
    assert value("proposals.replies_a")[world.tree.county_a.pk] == 2
    assert value("proposals.satisfied_rate")[world.tree.county_a.pk] == 100.0
    assert value("proposals.assigned_to_unit")[world.tree.dept_a.pk] == 1
    assert value("proposals.category.urban")[world.tree.county_a.pk] == 2
    assert value("opinions.adopted_city")[world.tree.county_a.pk] == 1
    assert value("opinions.instructed_items")[world.tree.county_a.pk] == 1
    assert value("opinions.instructions")[world.tree.county_a.pk] == 2
