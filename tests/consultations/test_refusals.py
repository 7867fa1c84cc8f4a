"""The refusal policy on the consultation pages (docs/DEVELOPING.md): a button pressed by someone
who sees the record but holds no role for the step is the Chinese 403 page and changes nothing;
a button the record's state refuses (a second click) goes back to the record with the reason;
a record outside the user's scope is a 404."""

import pytest
from django.urls import reverse
from django.utils import translation

from consultations.models import SessionStatus, SuggestionStatus, TopicStatus
from consultations.workflows import SESSION, SUGGESTION, TOPIC
from portal.models import AuditEvent

from ..helpers import assert_back_to_record_with, assert_not_allowed_page, assert_step_refused
from .conftest import advance

pytestmark = pytest.mark.django_db


def _zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def test_topic_button_without_the_role_is_403_outside_the_scope_404_twice_back_with_the_reason(
        client, topic, users):
    url = reverse("consultations:topic_submit", args=[topic.pk])
    # the county's leader reads the topic but does not manage it
    client.force_login(users.leader)
    assert client.get(topic.get_absolute_url()).status_code == 200
    # … and another township's secretary does not see it at all
    assert_step_refused(client, url, reader=users.leader, stranger=users.secretary_b,
                        action="consultations.topic.submit", message="您无权执行此操作")
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DRAFT
    # the secretary submits; a second click finds the topic already submitted
    client.force_login(users.secretary)
    assert client.post(url).status_code == 302
    topic.refresh_from_db()
    reason = _zh(TOPIC.refusal(topic, "submit"))
    assert_back_to_record_with(client, client.post(url), topic.get_absolute_url(), reason)
    assert AuditEvent.objects.filter(action="consultations.topic.submit").count() == 1
    # approving is the approver's: the secretary who sees the topic gets the 403 page
    assert_not_allowed_page(client.post(reverse("consultations:topic_approve", args=[topic.pk]), {}))
    topic.refresh_from_db()
    assert topic.status == TopicStatus.SUBMITTED


def test_session_cancel_without_the_role_is_403_and_a_second_cancel_goes_back(client, topic, users, tree):
    advance(topic, users, tree, to="scheduled")
    session = topic.sessions.get()
    url = reverse("consultations:session_cancel", args=[session.pk])
    assert_step_refused(client, url, {"reason": "下雨"}, reader=users.leader, stranger=users.secretary_b,
                        action="consultations.session.cancel")
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED
    client.force_login(users.secretary)
    assert client.post(url, {"reason": "下雨"}).status_code == 302
    session.refresh_from_db()
    reason = _zh(SESSION.refusal(session, "cancel"))
    assert_back_to_record_with(client, client.post(url, {"reason": "再点一次"}),
                               reverse("consultations:session", args=[session.pk]), reason)
    assert AuditEvent.objects.filter(action="consultations.session.cancel").count() == 1


def test_suggestion_accepted_twice_goes_back_with_the_reason_and_a_stranger_gets_404(client, topic, users, tree):
    advance(topic, users, tree, to="handling")
    suggestion = topic.suggestions.get()
    url = reverse("consultations:suggestion", args=[suggestion.pk])
    client.force_login(users.leader)  # neither its department nor a manager of the topic
    assert client.post(url, {"step": "accept"}).status_code == 404
    client.force_login(users.dept)
    assert client.post(url, {"step": "accept"}).status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED
    reason = _zh(SUGGESTION.refusal(suggestion, "accept"))
    assert_back_to_record_with(client, client.post(url, {"step": "accept"}), url, reason)


def test_an_htmx_button_refused_for_the_role_reloads_the_page_with_the_message(client, topic, users):
    client.force_login(users.leader)
    response = client.post(reverse("consultations:topic_submit", args=[topic.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 403 and response["HX-Refresh"] == "true"
    page = client.get(topic.get_absolute_url()).content.decode()
    assert "您无权执行此操作" in page  # the reason, on the page the reload shows
    topic.refresh_from_db()
    assert topic.status == TopicStatus.DRAFT
