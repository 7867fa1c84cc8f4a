"""The transition tables and the services agree: for every role and every state, an action is
offered (allowed_actions — what the record page, the "下一步" box and the API show) exactly when its
service accepts it with valid input. Each service call runs in a savepoint that is rolled back,
so every action is tried on the same record."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from consultations import services, workflows
from consultations.models import Outcome, Route, Session, SessionForm, SessionStatus, Suggestion, Topic
from portal.errors import DomainError, GuardFailed, NotAllowed
from portal.workflow import allowed_actions

from .conftest import advance

pytestmark = pytest.mark.django_db

ROLES = ["admin", "city_clerk", "clerk", "clerk_b", "proposal", "secretary", "secretary_b", "approver", "member",
         "dept", "leader", "nobody"]


class _Rollback(Exception):
    pass


def _accepted(call, *args) -> bool:
    """Whether the service accepts the step; refusals are NotAllowed or GuardFailed, anything else
    (bad input in this test) is a test error."""
    try:
        with transaction.atomic():
            call(*args)
            raise _Rollback
    except _Rollback:
        return True
    except (NotAllowed, GuardFailed):
        return False


def _today():
    return timezone.localdate()


def _upload():
    return SimpleUploadedFile("note.txt", "调研记录".encode(), content_type="text/plain")


TOPIC_CALLS = {
    "edit": lambda a, t: services.topic_update(actor=a, topic=t, version=t.version, title="新标题"),
    "submit": lambda a, t: services.topic_submit(actor=a, topic=t),
    "approve": lambda a, t: services.topic_approve(actor=a, topic=t),
    "reject": lambda a, t: services.topic_reject(actor=a, topic=t, reason="不符合要求"),
    "publish": lambda a, t: services.topic_set_public(actor=a, topic=t, public=True),
    "unpublish": lambda a, t: services.topic_set_public(actor=a, topic=t, public=False),
    "research": lambda a, t: services.research_add(actor=a, topic=t, kind="visit", done_on=_today(), findings="f"),
    "waive": lambda a, t: services.research_waive(actor=a, topic=t, reason="紧急事项"),
    "session": lambda a, t: services.session_schedule(actor=a, topic=t, scheduled_on=_today(),
                                                      form=SessionForm.COUNCIL, venue="议事厅"),
    "outcome": lambda a, t: services.outcome_record(actor=a, topic=t, consensus=True, summary="s"),
    "outcome_edit": lambda a, t: services.outcome_update(actor=a, outcome=t.outcome, version=t.outcome.version,
                                                         consensus=True, summary="s2"),
    "suggestion": lambda a, t: services.suggestion_add(actor=a, topic=t, text="x", route=Route.COMMUNITY),
    "close": lambda a, t: services.topic_close(actor=a, topic=t),
    "instruction": lambda a, t: services.instruction_add(actor=a, topic=t, leader="王书记", given_on=_today(),
                                                         text="抓紧落实"),
    "followup": lambda a, t: services.followup_record(actor=a, followup=t.followups.get(status="due"),
                                                      done_on=_today(), findings="f"),
    "evaluate": lambda a, t: services.evaluation_add(actor=a, topic=t, rater_kind="residents", score=4),
    "attach": lambda a, t: services.attachment_add(actor=a, topic=t, upload=_upload()),
    "detach": lambda a, t: services.attachment_remove(actor=a, attachment=t.attachments.first()),
}

# Which records a step needs to exist at all: without them the step is not possible (and must
# not be offered).
PRECONDITION = {
    "outcome_edit": lambda t: Outcome.objects.filter(topic=t).exists(),
    "followup": lambda t: t.followups.filter(status="due").exists(),
}


def test_every_topic_action_has_a_service_call():
    assert set(TOPIC_CALLS) == set(workflows.TOPIC.rows)


def _prepare(topic, users, tree, state):
    if state == "rejected":
        advance(topic, users, tree, to="submitted")
        services.topic_reject(actor=users.approver, topic=topic, reason="r")
    elif state == "handling_done":  # every suggestion answered: ready to close
        advance(topic, users, tree, to="handling")
        for s in topic.suggestions.all():
            services.suggestion_close(actor=users.secretary, suggestion=s, ending="solved", feedback="ok")
    elif state != "draft":
        advance(topic, users, tree, to=state)
    services.attachment_add(actor=users.secretary, topic=Topic.objects.get(pk=topic.pk), upload=_upload())


@pytest.mark.parametrize("state", ["draft", "submitted", "rejected", "approved", "researched", "scheduled",
                                   "consulted", "handling", "handling_done", "closed", "reviewed"])
def test_topic_actions_shown_are_exactly_those_the_services_accept(state, topic, users, tree):
    _prepare(topic, users, tree, state)
    offered_somewhere = set()
    for who in ROLES:
        user = getattr(users, who)
        page_topic = Topic.objects.select_related("org_unit").get(pk=topic.pk)
        shown = set(allowed_actions(page_topic, user))
        offered_somewhere |= shown
        for action, call in TOPIC_CALLS.items():
            pre = PRECONDITION.get(action)
            accepted = (pre is None or pre(page_topic)) and _accepted(
                call, user, Topic.objects.get(pk=topic.pk))
            assert (action in shown) == accepted, f"{state}: {who} {action} shown={action in shown}"
    assert offered_somewhere, f"nobody may do anything in state {state}"


@pytest.fixture
def session_states(topic, users, tree):
    """A planned session today, one planned for next week, a held and a cancelled one."""
    advance(topic, users, tree, to="scheduled")
    topic.refresh_from_db()
    sec = users.secretary
    future = services.session_schedule(actor=sec, topic=topic, scheduled_on=_today() + datetime.timedelta(days=7),
                                       form=SessionForm.COUNCIL, venue="议事厅")
    services.participant_add(actor=sec, session=future, kind="resident", name="居民李某")
    cancelled = services.session_schedule(actor=sec, topic=topic, scheduled_on=_today(), form=SessionForm.COUNCIL,
                                          venue="议事厅")
    services.participant_add(actor=sec, session=cancelled, kind="resident", name="居民赵某")
    services.session_cancel(actor=sec, session=cancelled, reason="下雨")
    today = topic.sessions.filter(status=SessionStatus.PLANNED, scheduled_on=_today()).first()
    return {"today": today, "future": future, "cancelled": cancelled}


SESSION_CALLS = {
    "invite": lambda a, s: services.participant_add(actor=a, session=s, kind="resident", name="新居民"),
    "uninvite": lambda a, s: services.participant_remove(actor=a, participant=s.participants.first()),
    "hold": lambda a, s: services.session_hold(
        actor=a, session=s, version=s.version, attendance={p.pk: "attended" for p in s.participants.all()},
        residents_count=3),
    "cancel": lambda a, s: services.session_cancel(actor=a, session=s, reason="改期"),
}


def test_session_actions_shown_are_exactly_those_the_services_accept(session_states, users, topic):
    assert set(SESSION_CALLS) == set(workflows.SESSION.rows)
    held = session_states["today"]
    sessions = dict(session_states)
    for name, session in list(sessions.items()):
        for who in ROLES:
            user = getattr(users, who)
            shown = set(allowed_actions(Session.objects.get(pk=session.pk), user))
            for action, call in SESSION_CALLS.items():
                accepted = _accepted(call, user, Session.objects.get(pk=session.pk))
                assert (action in shown) == accepted, f"{name}: {who} {action}"
    held = Session.objects.get(pk=held.pk)
    services.session_hold(actor=users.secretary, session=held, version=held.version,
                          attendance={p.pk: "attended" for p in held.participants.all()})
    for who in ROLES:
        assert allowed_actions(Session.objects.get(pk=held.pk), getattr(users, who)) == []


SUGGESTION_CALLS = {
    "accept": lambda a, s: services.suggestion_accept(actor=a, suggestion=s),
    "progress": lambda a, s: services.suggestion_progress(actor=a, suggestion=s, text="已联系开发商"),
    "feedback": lambda a, s: services.suggestion_close(actor=a, suggestion=s, ending="solved", feedback="已解决"),
}


@pytest.mark.parametrize("state", ["pending", "accepted", "done"])
def test_suggestion_actions_shown_are_exactly_those_the_services_accept(state, topic, users, tree):
    assert set(SUGGESTION_CALLS) == set(workflows.SUGGESTION.rows)
    advance(topic, users, tree, to="handling")
    suggestion = topic.suggestions.get()
    if state in ("accepted", "done"):
        services.suggestion_accept(actor=users.dept, suggestion=suggestion)
    if state == "done":
        services.suggestion_close(actor=users.dept, suggestion=suggestion, ending="solved", feedback="ok")
    def load():
        return Suggestion.objects.select_related("topic", "handling_unit").get(pk=suggestion.pk)

    for who in ROLES:
        user = getattr(users, who)
        shown = set(allowed_actions(load(), user))
        for action, call in SUGGESTION_CALLS.items():
            accepted = _accepted(call, user, load())
            assert (action in shown) == accepted, f"{state}: {who} {action}"
    assert ("accept" in allowed_actions(load(), users.dept)) == (state == "pending")


def test_bad_input_is_not_a_refusal(topic, users):
    """A DomainError about input is not a refusal of the step: the helper lets it through, so a
    broken call in the tables above fails the test instead of passing as 'not accepted'."""
    with pytest.raises(DomainError):
        _accepted(lambda a, t: services.topic_update(actor=a, topic=t, title=""), users.secretary, topic)
