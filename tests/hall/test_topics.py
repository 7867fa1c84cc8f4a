"""Submissions become topics of the closed loop in one step; residents follow and rate them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Outcome, Topic
from hall import services
from hall.models import Submission, TopicRating
from organizations.models import Role
from portal.models import AuditEvent
from tests.factories import make_user

from .conftest import make_submission

pytestmark = pytest.mark.django_db


def make_topic(unit, *, status="approved", public=True, **kw):
    kw.setdefault("title", "停车难")
    return Topic.objects.create(org_unit=unit, channel="resident", status=status, is_public=public,
                                published_at=timezone.now() if public else None, **kw)


def test_secretary_turns_a_submission_into_a_topic_in_one_step(client, tree, users):
    sub = make_submission(tree.village_a1a, title="路灯坏了", body="53 盏不亮")
    client.force_login(users.secretary)
    response = client.post(reverse("hall:manage_submission", args=[sub.pk]), {
        "decision": "accept", "title": "邱楼路路灯维修", "description": "", "reply": "已列入议题"})
    assert response.status_code == 302
    sub.refresh_from_db()
    topic = sub.topic
    assert sub.status == Submission.Status.ACCEPTED and topic.channel == "resident"
    assert topic.title == "邱楼路路灯维修" and topic.description == "53 盏不亮"
    assert topic.org_unit == tree.village_a1a and topic.source_ref == f"hall:{sub.tracking_code}"
    assert AuditEvent.objects.filter(action="hall.submission.accept").exists()
    assert AuditEvent.objects.filter(action="consultations.topic.create").exists()
    page = client.get(reverse("hall:manage_submission", args=[sub.pk])).content.decode()
    assert reverse("consultations:topic", args=[topic.pk]) in page


def test_the_resident_sees_what_became_of_it_but_not_the_draft_topic(client, tree, users):
    sub = make_submission(tree.village_a1a)
    services.submission_accept(actor=users.secretary, submission=sub, title="DRAFT-TITLE", description="d",
                               internal_note="NOTE")
    sub.refresh_from_db()
    html = client.get(reverse("hall:track_detail", args=[sub.tracking_code])).content.decode()
    assert 'id="became"' in html and "DRAFT-TITLE" not in html and "NOTE" not in html
    Topic.objects.filter(pk=sub.topic_id).update(status="approved", is_public=True, published_at=timezone.now())
    html = client.get(reverse("hall:track_detail", args=[sub.tracking_code])).content.decode()
    assert "DRAFT-TITLE" in html and reverse("hall:topic", args=[sub.topic_id]) in html


def test_accept_is_all_or_nothing(tree, users, monkeypatch):
    sub = make_submission(tree.village_a1a)

    def boom(**kwargs):
        raise RuntimeError("topic store down")

    monkeypatch.setattr(services, "_create_topic", boom)
    with pytest.raises(RuntimeError):
        services.submission_accept(actor=users.secretary, submission=sub, title="t", description="d")
    sub.refresh_from_db()
    assert sub.status == Submission.Status.NEW and sub.topic_id is None


def test_other_county_secretary_cannot_accept(client, tree, users):
    sub = make_submission(tree.village_a1a)
    client.force_login(users.secretary_b)
    assert client.post(reverse("hall:manage_submission", args=[sub.pk]), {"decision": "accept"}).status_code == 404
    assert not Topic.objects.exists()


def test_topic_page_shows_published_topics_only(client, tree):
    draft = make_topic(tree.township_a1, status="draft", public=False, title="DRAFT-T")
    rejected = make_topic(tree.township_a1, status="rejected", public=True, title="REJECTED-T")
    shown = make_topic(tree.township_a1, internal_note="INTERNAL-T", proposer_name="PROPOSER-T")
    assert client.get(reverse("hall:topic", args=[draft.pk])).status_code == 404
    assert client.get(reverse("hall:topic", args=[rejected.pk])).status_code == 404
    html = client.get(reverse("hall:topic", args=[shown.pk])).content.decode()
    assert "停车难" in html and "INTERNAL-T" not in html and "PROPOSER-T" not in html
    place = client.get(reverse("hall:place", args=[tree.county_a.pk])).content.decode()
    assert "停车难" in place and "DRAFT-T" not in place and "REJECTED-T" not in place


def test_residents_rate_a_closed_outcome_once(client, tree):
    topic = make_topic(tree.township_a1, status="closed")
    Outcome.objects.create(topic=topic, summary="新增停车位 300 个")
    resident = make_user(Role.RESIDENT, tree.village_a1a)
    client.force_login(resident)
    assert "新增停车位 300 个" in client.get(reverse("hall:topic", args=[topic.pk])).content.decode()
    assert client.post(reverse("hall:topic_rate", args=[topic.pk]), {"value": "basically"}).status_code == 302
    assert client.post(reverse("hall:topic_rate", args=[topic.pk]), {"value": "not"}).status_code == 409
    assert TopicRating.objects.get().value == "basically"


def test_open_topics_cannot_be_rated_and_anonymous_visitors_log_in(client, tree):
    topic = make_topic(tree.township_a1, status="scheduled")
    response = client.post(reverse("hall:topic_rate", args=[topic.pk]), {"value": "satisfied"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(make_user(Role.RESIDENT, tree.village_a1a))
    assert client.post(reverse("hall:topic_rate", args=[topic.pk]), {"value": "satisfied"}).status_code == 409
    assert not TopicRating.objects.exists()


def test_place_page_with_topics_has_constant_queries(client, tree):
    from tests.helpers import assert_constant_queries

    assert_constant_queries(lambda: client.get(reverse("hall:place", args=[tree.county_a.pk])),
                            lambda n: [make_topic(tree.township_a1) for _ in range(n)])
