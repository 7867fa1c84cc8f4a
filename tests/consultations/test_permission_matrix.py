"""Role × own / other subtree × state for every transition: allowed roles succeed, everyone else
gets NotAllowed (and nothing changes)."""



import pytest
from django.utils import timezone

from consultations import services
from consultations.models import TopicStatus
from portal.errors import NotAllowed

from .conftest import advance

pytestmark = pytest.mark.django_db

ALL = ["admin", "city_clerk", "clerk", "clerk_b", "proposal", "secretary", "secretary_b", "approver", "member",
       "dept", "leader", "nobody"]
MANAGERS = {"admin", "city_clerk", "clerk", "secretary"}


def _today():
    return timezone.localdate()


TRANSITIONS = {
    # name: (state before, call, roles allowed)
    "submit": ("draft", lambda a, t, u, tr: services.topic_submit(actor=a, topic=t), MANAGERS),
    "approve": ("submitted", lambda a, t, u, tr: services.topic_approve(actor=a, topic=t), {"admin", "approver"}),
    "reject": ("submitted", lambda a, t, u, tr: services.topic_reject(actor=a, topic=t, reason="r"),
               {"admin", "approver"}),
    "research": ("approved", lambda a, t, u, tr: services.research_add(actor=a, topic=t, kind="visit",
                                                                       done_on=_today(), findings="f"), MANAGERS),
    "schedule": ("researched", lambda a, t, u, tr: services.session_schedule(
        actor=a, topic=t, scheduled_on=_today(), form="hall", venue="v"), MANAGERS),
    "outcome": ("consulted", lambda a, t, u, tr: services.outcome_record(actor=a, topic=t, consensus=True,
                                                                         summary="s"), MANAGERS),
    "suggest": ("handling", lambda a, t, u, tr: services.suggestion_add(actor=a, topic=t, text="x",
                                                                        route="community"), MANAGERS),
    "feedback": ("handling", lambda a, t, u, tr: services.suggestion_close(
        actor=a, suggestion=t.suggestions.first(), ending="solved", feedback="ok"), MANAGERS | {"dept"}),
    "instruct": ("handling", lambda a, t, u, tr: services.instruction_add(actor=a, topic=t, leader="l",
                                                                          given_on=_today(), text="t"),
                 MANAGERS | {"leader"}),
    "close": ("closed", None, MANAGERS),
    "followup": ("closed", lambda a, t, u, tr: services.followup_record(
        actor=a, followup=t.followups.get(), done_on=_today(), findings="f"), MANAGERS),
    "evaluate": ("closed", lambda a, t, u, tr: services.evaluation_add(actor=a, topic=t, rater_kind="residents",
                                                                       score=4), MANAGERS | {"approver", "leader"}),
    "publish": ("approved", lambda a, t, u, tr: services.topic_set_public(actor=a, topic=t, public=False),
                MANAGERS | {"approver"}),
}


@pytest.mark.parametrize("who", ALL)
@pytest.mark.parametrize("name", [n for n in TRANSITIONS if n != "close"])
def test_transition_by_role(name, who, topic, users, tree):
    state, call, allowed = TRANSITIONS[name]
    advance(topic, users, tree, to=state) if state != "draft" else None
    topic.refresh_from_db()
    before = topic.status
    actor = getattr(users, who)
    if who in allowed:
        call(actor, topic, users, tree)
    else:
        with pytest.raises(NotAllowed):
            call(actor, topic, users, tree)
        topic.refresh_from_db()
        assert topic.status == before


@pytest.mark.parametrize("who", ALL)
def test_close_by_role(who, topic, users, tree):
    advance(topic, users, tree, to="handling")
    for s in topic.suggestions.all():
        services.suggestion_close(actor=users.secretary, suggestion=s, ending="solved", feedback="ok")
    if who in MANAGERS:
        services.topic_close(actor=getattr(users, who), topic=topic)
        topic.refresh_from_db()
        assert topic.status == TopicStatus.CLOSED
    else:
        with pytest.raises(NotAllowed):
            services.topic_close(actor=getattr(users, who), topic=topic)


@pytest.mark.parametrize("state", ["draft", "submitted", "approved", "researched", "scheduled", "consulted",
                                   "handling", "closed", "reviewed"])
def test_every_state_refuses_what_does_not_fit(state, topic, users, tree):
    """Wrong state → a guard message, never a silent change."""
    from portal.errors import GuardFailed

    advance(topic, users, tree, to=state) if state != "draft" else None
    topic.refresh_from_db()
    if state != "submitted":
        with pytest.raises(GuardFailed):
            services.topic_approve(actor=users.approver, topic=topic)
    if state not in {"consulted"}:
        with pytest.raises(GuardFailed):
            services.outcome_record(actor=users.secretary, topic=topic, consensus=True, summary="s")
    if state != "handling":
        with pytest.raises(GuardFailed):
            services.topic_close(actor=users.secretary, topic=topic)
    topic_after = type(topic).objects.get(pk=topic.pk)
    assert topic_after.status == state

