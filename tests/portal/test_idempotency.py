"""Nothing twice: every create form carries a one-time token and the API honours
`Idempotency-Key`, so a double click or a retried request creates one record."""

import datetime
import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consultations.models import Research, Session, Suggestion, Topic
from hall.models import Submission
from members.models import Member, Workroom
from portal.models import IdempotencyRecord
from proposals.models import OpinionItem, Proposal

from ..consultations.conftest import advance
from ..factories import make_member

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="_once" value="([0-9a-f]{32})"')


def token_of(response) -> str:
    assert response.status_code == 200, response.status_code
    found = TOKEN.findall(response.content.decode())
    assert found, "the form carries no one-time token"
    return found[0]


def _topic(users, tree, to=None):
    from consultations import services

    topic = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="小区停车难",
                                  description="停车位不足。", channel="resident", category="民生")
    if to:
        advance(topic, users, tree, to=to)
    return topic


def _hall_data(client, url, tree):
    from ..hall.conftest import solve

    page = client.get(url)
    token, answer = solve(page)
    return page, {"unit": tree.village_a1a.pk, "title": "路灯坏了", "body": "路灯坏了一半", "challenge_token": token,
                  "challenge_answer": answer}


def _routes(users, tree):
    """(name, user, url, data or callable(client, url) -> (page, data), count of created records)."""
    today = timezone.localdate()
    me = make_member(tree.county_a, posted_to=tree.township_a1, user=users.member, name="刘芳")
    approved = _topic(users, tree, to="approved")
    researched = _topic(users, tree, to="researched")
    consulted = _topic(users, tree, to="handling")
    return [
        ("topic", users.secretary, reverse("consultations:topic_create"),
         {"org_unit": tree.village_a1a.pk, "title": "遛犬不牵绳", "description": "担心安全。", "channel": "resident",
          "category": "文明"}, lambda: Topic.objects.filter(title="遛犬不牵绳").count()),
        ("research", users.secretary, reverse("consultations:research_add", args=[approved.pk]),
         {"kind": "forum", "done_on": today.isoformat(), "findings": "座谈会8人参加", "team": "委员2人"},
         lambda: Research.objects.filter(topic=approved).count()),
        ("session", users.secretary, reverse("consultations:session_create", args=[researched.pk]),
         {"scheduled_on": today.isoformat(), "form": "bench", "venue": "小区板凳会"},
         lambda: Session.objects.filter(topic=researched).count()),
        ("suggestion", users.secretary, reverse("consultations:suggestion_add", args=[consulted.pk]),
         {"text": "联合执法", "route": "department", "handling_unit": tree.dept_a.pk,
          "deadline": (today + datetime.timedelta(days=20)).isoformat()},
         lambda: Suggestion.objects.filter(topic=consulted, text="联合执法").count()),
        ("member", users.clerk, reverse("members:create") + f"?unit={tree.county_a.pk}",
         {"name": "新委员", "id_key": "NEW1", "level": "county", "is_active": "on"},
         lambda: Member.objects.filter(id_key="NEW1").count()),
        ("workroom", users.secretary, reverse("members:workroom_create"),
         {"unit": tree.township_a1.pk, "name": "新工作室", "kind": "workroom", "lead_type": "individual",
          "lead_member": me.pk, "members": [me.pk]}, lambda: Workroom.objects.filter(name="新工作室").count()),
        ("proposal", users.member, reverse("proposals:create"),
         {"title": "关于加强校园周边交通安全的建议", "kind": "individual", "category": "education",
          "case": "上下学高峰拥堵。", "analysis": "", "suggestions": "增设护学岗"},
         lambda: Proposal.objects.filter(title="关于加强校园周边交通安全的建议").count()),
        ("opinion", users.member, reverse("proposals:opinion_create"),
         {"title": "残疾人期盼两项补贴全覆盖", "content": "建议全覆盖"},
         lambda: OpinionItem.objects.filter(title="残疾人期盼两项补贴全覆盖").count()),
        ("hall submission", None, reverse("hall:submit", args=[tree.township_a1.pk]),
         lambda client, url: _hall_data(client, url, tree), lambda: Submission.objects.count()),
    ]


def test_every_create_form_twice_back_to_back_creates_one_record(client, users, tree, settings):
    settings.HALL_CACHE_PREFIX = "idem-test"
    for name, user, url, data, count in _routes(users, tree):
        client.logout()
        if user is not None:
            client.force_login(user)
        if callable(data):
            page, data = data(client, url)
        else:
            page = client.get(url)
        data = {**data, "_once": token_of(page)}
        first = client.post(url, data)
        assert first.status_code == 302, (name, first.status_code, re.findall(r'invalid-feedback[^>]*>([^<]*)|alert-danger[^>]*>(.*?)</div>', first.content.decode(), re.S))
        second = client.post(url, data)
        assert second.status_code == 302 and second["Location"] == first["Location"], name
        assert second["Idempotent-Replayed"] == "true"
        assert count() == 1, name
        # The replayed redirect tells the user that nothing was saved twice.
        assert "没有重复保存" in client.get(second["Location"]).content.decode(), name


def test_a_refused_form_can_be_corrected_and_sent_with_the_same_token(client, users, tree):
    client.force_login(users.secretary)
    url = reverse("consultations:topic_create")
    token = token_of(client.get(url))
    bad = client.post(url, {"_once": token, "org_unit": tree.village_a1a.pk, "title": "", "channel": "resident"})
    assert bad.status_code == 400 and not IdempotencyRecord.objects.exists()
    good = client.post(url, {"_once": token, "org_unit": tree.village_a1a.pk, "title": "遛犬不牵绳",
                             "description": "担心安全。", "channel": "resident", "category": "文明"})
    assert good.status_code == 302 and Topic.objects.filter(title="遛犬不牵绳").count() == 1


def test_the_token_is_the_callers_own(client, users, tree):
    """Another user replaying someone's token gets their own request run, not the other's result."""
    url = reverse("proposals:opinion_create")
    make_member(tree.county_a, user=users.member, name="刘芳")
    client.force_login(users.member)
    token = token_of(client.get(url))
    assert client.post(url, {"_once": token, "title": "甲", "content": "x"}).status_code == 302
    client.force_login(users.clerk)
    second = client.post(url, {"_once": token, "title": "乙", "content": "x"})
    assert "Idempotent-Replayed" not in second


def test_api_create_honours_idempotency_key(client, users, tree):
    client.force_login(users.secretary)
    body = {"org_unit": tree.village_a1a.pk, "title": "接口议题", "description": "d", "channel": "resident",
            "category": "文明"}
    first = client.post("/api/v1/consultation-topics/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    second = client.post("/api/v1/consultation-topics/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert second.status_code == 201 and second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Topic.objects.filter(title="接口议题").count() == 1
    # The same key for a different request is refused, not silently replayed.
    other = client.post("/api/v1/consultation-topics/", {**body, "title": "别的"}, content_type="application/json",
                        HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422 and other["Content-Type"] == "application/json"
    bad = client.post("/api/v1/consultation-topics/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="x" * 101)
    assert bad.status_code == 400 and "Idempotency-Key" in bad.json()["detail"]
    # Without a key, every request is its own.
    client.post("/api/v1/consultation-topics/", body, content_type="application/json")
    assert Topic.objects.filter(title="接口议题").count() == 2


def test_records_older_than_a_day_are_pruned(users):
    from portal.idempotency import prune

    old = IdempotencyRecord.objects.create(key="a", owner="u1", route="/x/")
    IdempotencyRecord.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    IdempotencyRecord.objects.create(key="b", owner="u1", route="/x/")
    assert prune() == 1 and list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["b"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submits_create_one_record(users, tree, settings):
    """A double click on a slow PC: both POSTs arrive at once, on two database connections."""
    settings.HALL_CACHE_PREFIX = "idem-test-concurrent"
    for name, user, url, data, count in _routes(users, tree):
        clients = [Client(), Client()]
        for c in clients:
            if user is not None:
                c.force_login(user)
        if callable(data):
            page, data = data(clients[0], url)
        else:
            page = clients[0].get(url)
        data = {**data, "_once": token_of(page)}
        if user is None:  # the hall's anti-bot check is bound to the visitor's session
            clients[1] = clients[0]
        barrier = threading.Barrier(2)
        results = []

        def send(c, url=url, data=data, barrier=barrier, results=results):
            try:
                barrier.wait()
                results.append(c.post(url, data).status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=send, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [302, 302], (name, results)
        assert count() == 1, name
