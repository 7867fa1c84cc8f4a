

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from consultations import services
from consultations.models import Topic, TopicStatus

from ..helpers import assert_constant_queries
from .conftest import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_loop_through_the_api(api, users, tree):
    today = timezone.localdate()
    api.force_authenticate(users.secretary)
    r = api.post("/api/v1/consultation-topics/", {"org_unit": tree.township_a1.pk, "title": "路灯不亮",
                                                  "description": "邱楼村53盏路灯损坏", "channel": "resident"},
                 format="json")
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert api.post(f"/api/v1/consultation-topics/{pk}/submit/").status_code == 200
    assert api.post(f"/api/v1/consultation-topics/{pk}/approve/", {}, format="json").status_code == 403
    api.force_authenticate(users.approver)
    assert api.post(f"/api/v1/consultation-topics/{pk}/approve/", {"publish": True}, format="json").status_code == 200
    api.force_authenticate(users.secretary)
    r = api.post(f"/api/v1/consultation-topics/{pk}/sessions/", {"scheduled_on": today.isoformat(), "form": "hall",
                                                                 "venue": "村委会"}, format="json")
    assert r.status_code == 409 and "不调研不协商" in r.json()["detail"]
    r = api.post(f"/api/v1/consultation-topics/{pk}/research/", {"kind": "visit", "done_on": today.isoformat(),
                                                                 "findings": "逐盏排查"}, format="json")
    assert r.status_code == 201, r.json()
    r = api.post(f"/api/v1/consultation-topics/{pk}/sessions/", {"scheduled_on": today.isoformat(), "form": "hall",
                                                                 "venue": "村委会"}, format="json")
    sid = r.json()["id"]
    r = api.post(f"/api/v1/consultation-sessions/{sid}/participants/", {"kind": "resident", "name": "村民代表"},
                 format="json")
    assert r.status_code == 201
    part = r.json()["id"]
    r = api.post(f"/api/v1/consultation-sessions/{sid}/hold/", {"attendance": {str(part): "attended"},
                                                                "residents_count": 30}, format="json")
    assert r.status_code == 200, r.json()
    r = api.post(f"/api/v1/consultation-topics/{pk}/outcome/", {"consensus": True, "summary": "修复路灯"}, format="json")
    assert r.status_code == 200
    version = r.json()["version"]
    r = api.post(f"/api/v1/consultation-topics/{pk}/outcome/", {"consensus": True, "summary": "改", "version": version + 5},
                 format="json")
    assert r.status_code == 409
    r = api.post(f"/api/v1/consultation-topics/{pk}/suggestions/", {"text": "镇里出资修复", "route": "community",
                                                                    "handling_unit": tree.township_a1.pk},
                 format="json")
    assert r.status_code == 201, r.json()
    sug = r.json()["id"]
    assert api.post(f"/api/v1/consultation-topics/{pk}/close/").status_code == 409
    r = api.post(f"/api/v1/consultation-suggestions/{sug}/feedback/", {"ending": "solved", "feedback": "已修复53盏"},
                 format="json")
    assert r.status_code == 200
    assert api.post(f"/api/v1/consultation-topics/{pk}/close/").status_code == 200
    fu = api.get("/api/v1/consultation-follow-ups/").json()["results"][0]["id"]
    r = api.post(f"/api/v1/consultation-follow-ups/{fu}/record/", {"done_on": today.isoformat(), "findings": "正常"},
                 format="json")
    assert r.status_code == 200
    assert Topic.objects.get(pk=pk).status == TopicStatus.REVIEWED
    detail = api.get(f"/api/v1/consultation-topics/{pk}/").json()
    assert detail["outcome"]["summary"] == "修复路灯" and len(detail["suggestions"]) == 1


def test_api_bad_input_is_400(api, users, tree, topic):
    api.force_authenticate(users.secretary)
    r = api.post("/api/v1/consultation-topics/", {"org_unit": tree.township_b1.pk, "title": "x", "channel": "hall"},
                 format="json")
    assert r.status_code == 400
    r = api.post("/api/v1/consultation-topics/", {"org_unit": 2**70, "title": "x", "channel": "nope"}, format="json")
    assert r.status_code == 400
    advance(topic, users, tree, to="approved")
    r = api.post(f"/api/v1/consultation-topics/{topic.pk}/research/", {"kind": "visit", "done_on": "2026-02-31",
                                                                       "findings": "x"}, format="json")
    assert r.status_code == 400
    r = api.post(f"/api/v1/consultation-topics/{topic.pk}/research/", {"kind": "visit", "done_on": "2026-01-01",
                                                                       "findings": "x", "members": [987654]},
                 format="json")
    assert r.status_code == 400


def test_api_scoping(api, users, tree, topic):
    api.force_authenticate(users.secretary_b)
    assert api.get(f"/api/v1/consultation-topics/{topic.pk}/").status_code == 404
    assert api.get("/api/v1/consultation-topics/").json()["results"] == []
    assert api.post(f"/api/v1/consultation-topics/{topic.pk}/submit/").status_code == 404
    api.force_authenticate(users.clerk)
    assert len(api.get(f"/api/v1/consultation-topics/?under={tree.county_a.pk}").json()["results"]) == 1
    assert api.get(f"/api/v1/consultation-topics/?under={tree.county_b.pk}").json()["results"] == []


def test_department_api_sees_routed_suggestions_only(api, users, tree, topic):
    advance(topic, users, tree, to="handling")
    api.force_authenticate(users.dept)
    assert len(api.get("/api/v1/consultation-suggestions/").json()["results"]) == 1
    assert api.get("/api/v1/consultation-topics/").json()["results"] == []
    s = topic.suggestions.get()
    assert api.post(f"/api/v1/consultation-suggestions/{s.pk}/accept/", {}, format="json").status_code == 200


def test_api_lists_constant_queries(api, users, tree):
    api.force_authenticate(users.clerk)

    def add(k):
        for _i in range(k):
            t = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="t", description="d",
                                      channel="member")
            advance(t, users, tree, to="handling")

    for url in ["/api/v1/consultation-topics/", "/api/v1/consultation-sessions/", "/api/v1/consultation-suggestions/",
                "/api/v1/consultation-research/", "/api/v1/consultation-outcomes/"]:
        assert_constant_queries(lambda url=url: api.get(url), add, small=1, large=3)



def test_api_cannot_route_a_suggestion_to_an_inactive_unit(api, users, tree, topic):
    """The API offers the same routing targets as the form: an inactive department is refused."""
    advance(topic, users, tree, to="handling")
    tree.dept_a.is_active = False
    tree.dept_a.save(update_fields=["is_active"])
    api.force_authenticate(users.secretary)
    r = api.post(f"/api/v1/consultation-topics/{topic.pk}/suggestions/",
                 {"text": "协调城管局", "route": "department", "handling_unit": tree.dept_a.pk}, format="json")
    assert r.status_code == 400, r.content
    assert "handling_unit" in r.json()
    assert topic.suggestions.count() == 1  # only the one advance() added


def test_api_topic_detail_lists_the_allowed_actions(api, users, tree, topic):
    api.force_authenticate(users.secretary)
    assert "submit" in api.get(f"/api/v1/consultation-topics/{topic.pk}/").json()["allowed_actions"]
    api.force_authenticate(users.approver)
    actions = api.get(f"/api/v1/consultation-topics/{topic.pk}/").json()["allowed_actions"]
    assert "submit" not in actions and "approve" not in actions
    advance(topic, users, tree, to="submitted")
    assert {"approve", "reject"} <= set(api.get(f"/api/v1/consultation-topics/{topic.pk}/").json()["allowed_actions"])
