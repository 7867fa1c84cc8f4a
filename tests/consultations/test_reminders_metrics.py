import datetime

import pytest
from django.utils import timezone

from consultations import metrics, reminders, services
from consultations.models import FollowUp, Topic
from portal.metrics import METRICS
from portal.reminders import SOURCES

from ..factories import make_member
from ..helpers import count_queries
from .conftest import advance

pytestmark = pytest.mark.django_db


def _kinds(today, source):
    return list(source(today))


def test_sources_are_registered():
    for kind in ["session_invitation", "minutes_missing", "approval_waiting", "research_overdue",
                 "suggestion_overdue", "followup_due"]:
        assert f"consultations.{kind}" in SOURCES


def test_invitation_and_reminders_3_and_1_day_before(users, tree, topic):
    today = timezone.localdate()
    advance(topic, users, tree, to="researched")
    session = services.session_schedule(actor=users.secretary, topic=topic,
                                        scheduled_on=today + datetime.timedelta(days=3), form="hall", venue="议事厅")
    member = make_member(tree.county_a, posted_to=tree.township_a1, user=users.member)
    services.participant_add(actor=users.secretary, session=session, kind="member", member=member)
    found = list(reminders.session_invitations(today))
    keys = {r.key for r in found}
    assert all(r.recipient_id == users.member.pk for r in found)
    assert any(k.endswith(":invite") for k in keys) and any(k.endswith(":before:3") for k in keys)
    day1 = list(reminders.session_invitations(today + datetime.timedelta(days=2)))
    assert any(r.key.endswith(":before:1") for r in day1)
    assert not any(r.key.endswith(":before:3") for r in day1)
    # the same reminder found again tomorrow has the same key
    assert {r.key for r in reminders.session_invitations(today)} == keys


def test_approval_waiting_goes_to_the_approver(users, tree, topic):
    services.topic_submit(actor=users.secretary, topic=topic)
    found = list(reminders.approval_waiting(timezone.localdate()))
    assert [r.recipient_id for r in found] == [users.approver.pk]


def test_minutes_missing_after_n_days(users, tree, topic):
    advance(topic, users, tree, to="consulted")
    today = timezone.localdate()
    assert not list(reminders.minutes_missing(today))
    found = list(reminders.minutes_missing(today + datetime.timedelta(days=8)))
    assert [r.recipient_id for r in found] == [users.secretary.pk]


def test_research_overdue(users, tree, topic):
    advance(topic, users, tree, to="approved")
    assert not list(reminders.research_overdue(timezone.localdate()))
    later = timezone.localdate() + datetime.timedelta(days=31)
    assert [r.recipient_id for r in reminders.research_overdue(later)] == [users.secretary.pk]


def test_suggestion_overdue_to_department_and_secretary(users, tree, topic):
    advance(topic, users, tree, to="handling")
    later = timezone.localdate() + datetime.timedelta(days=31)
    found = list(reminders.suggestion_overdue(later))
    assert {r.recipient_id for r in found} == {users.secretary.pk, users.dept.pk}


def test_followup_due(users, tree, topic):
    advance(topic, users, tree, to="closed")
    fu = FollowUp.objects.get(topic=topic)
    assert not list(reminders.followup_due(fu.due_on - datetime.timedelta(days=30)))
    assert [r.recipient_id for r in reminders.followup_due(fu.due_on)] == [users.secretary.pk]


def test_sources_use_constant_queries(users, tree):
    today = timezone.localdate()

    def run():
        for source in SOURCES.values():
            if source.kind.startswith("consultations."):
                list(source.func(today + datetime.timedelta(days=40)))

    def make(n):
        for i in range(n):
            t = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title=f"t{i}",
                                      description="d", channel="member")
            advance(t, users, tree, to="handling")

    make(1)
    n1, _ = count_queries(run)
    make(4)
    n5, _ = count_queries(run)
    assert n1 == n5


def test_metrics_over_subtrees(users, tree, topic):
    today = timezone.localdate()
    advance(topic, users, tree, to="reviewed")
    other = services.topic_create(actor=users.secretary_b, org_unit=tree.township_b1, title="饮水", description="d",
                                  channel="party_gov")
    assert other
    units = [tree.city, tree.county_a, tree.county_b, tree.township_a2]
    start, end = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)

    def m(key):
        return METRICS[key].func(units, start, end)

    assert m("consultations.topics") == {tree.city.pk: 2, tree.county_a.pk: 1, tree.county_b.pk: 1,
                                         tree.township_a2.pk: 0}
    assert m("consultations.topics.resident")[tree.county_a.pk] == 1
    assert m("consultations.topics.party_gov")[tree.county_b.pk] == 1
    assert m("consultations.topics_approved")[tree.city.pk] == 1
    assert m("consultations.sessions_held")[tree.county_a.pk] == 1
    assert m("consultations.participants")[tree.county_a.pk] == 2 + 12
    assert m("consultations.resident_person_times")[tree.county_a.pk] == 1 + 12
    assert m("consultations.member_attendances")[tree.county_a.pk] == 1
    assert m("consultations.suggestions_solved")[tree.county_a.pk] == 1
    assert m("consultations.suggestions_explained")[tree.county_a.pk] == 0
    assert m("consultations.suggestions_adopted")[tree.county_a.pk] == 1
    assert m("consultations.followups_done")[tree.county_a.pk] == 1
    assert m("consultations.followups_done")[tree.county_b.pk] == 0
    cats = metrics.topics_by_category(units, start, end)
    assert cats[tree.county_a.pk] == {"民生": 1}
    assert Topic.objects.count() == 2


def test_metrics_use_one_query_each(users, tree, topic):
    today = timezone.localdate()
    units = [tree.city, tree.county_a, tree.county_b]
    for key, m in METRICS.items():
        if key.startswith("consultations."):
            n, _ = count_queries(lambda m=m: m.func(units, today, today))
            assert n <= 2, key


def test_quota_by_kind_and_validation(tree):
    from consultations import settings_keys
    from organizations.config import validate_config
    from organizations.models import UnitConfig
    from portal.errors import DomainError

    assert settings_keys.quota_for(tree.township_a1, 2026) == 24
    UnitConfig.objects.create(unit=tree.county_a, key=settings_keys.QUOTA,
                              value=validate_config(settings_keys.QUOTA, {"county": 6, "township": 26}))
    assert settings_keys.quota_for(tree.county_a, 2026) == 6
    assert settings_keys.quota_for(tree.township_a1, 2026) == 26
    assert settings_keys.quota_for(tree.village_a1a, 2026) == 12
    assert settings_keys.quotas_for([tree.county_a, tree.township_a1], 2026) == {tree.county_a.pk: 6,
                                                                                 tree.township_a1.pk: 26}
    with pytest.raises(DomainError):
        validate_config(settings_keys.QUOTA, {"planet": 3})
    with pytest.raises(DomainError):
        validate_config(settings_keys.QUOTA, "lots")
