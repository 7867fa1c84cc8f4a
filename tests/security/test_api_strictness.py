"""What the schemathesis sweep found, pinned down one by one: JSON errors on every /api/ path (in
development too), enum fields never outside their choices, times in the declared shape, empty
filters and wrong types rejected, bounds declared in the schema, long text bounded with a
translated message."""

import datetime

import pytest
import yaml
from django.test import Client
from rest_framework.test import APIClient

from ..consultations.conftest import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(users):
    client = APIClient()
    client.force_authenticate(users.secretary)
    return client


@pytest.fixture
def handling(users, tree):
    from consultations import services

    topic = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="小区停车难",
                                  description="停车位不足", channel="resident")
    advance(topic, users, tree, to="handling")
    topic.sessions.update(start_time=datetime.time(9, 30))
    return topic


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        from django.test import Client as C

        body = C().get("/api/schema/").content
    return yaml.safe_load(body)


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/api/v1/consultation-follow-ups/0.5/", "/api/v1/consultation-follow-ups/0.5",
                                  "/api/v1/no-such-thing/", "/api/v1/consultation-topics/0.5/sessions/"])
def test_unknown_api_paths_answer_json_404(settings, users, path, debug):
    settings.DEBUG = debug
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.clerk)
    # (A POST to a path without its final slash is Django's APPEND_SLASH error page under DEBUG,
    # as anywhere on the site: a development-only hint, so only GET is tried there.)
    methods = ("get",) if debug and not path.endswith("/") else ("get", "post")
    for method in methods:
        response = getattr(client, method)(path, follow=True)
        assert response.status_code == 404, (method, path)
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"]


def test_a_csrf_failure_under_api_is_json(users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users.secretary)
    response = client.post("/api/v1/notifications/read-all/")
    assert response.status_code == 403 and response["Content-Type"].startswith("application/json")


def test_open_suggestions_have_a_null_ending_and_sessions_a_plain_time(api, handling, schema):
    rows = api.get("/api/v1/consultation-suggestions/").json()["results"]
    assert rows and all(r["ending"] is None for r in rows)
    assert api.get("/api/v1/consultation-sessions/").json()["results"][0]["start_time"] == "09:30:00"
    ending = schema["components"]["schemas"]["Suggestion"]["properties"]["ending"]
    assert ending.get("nullable") or any("null" in str(x) for x in ending.get("oneOf", []))
    start = schema["components"]["schemas"]["Session"]["properties"]["start_time"]
    assert "pattern" in start and start.get("format") != "time"


def test_session_times_with_an_offset_or_a_number_are_refused(api, users, tree):
    from consultations import services

    topic = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="路灯", description="路灯损坏",
                                  channel="resident")
    advance(topic, users, tree, to="researched")
    url = f"/api/v1/consultation-topics/{topic.pk}/sessions/"
    base = {"scheduled_on": datetime.date.today().isoformat(), "form": "hall", "venue": "村委会"}
    for bad in ("09:30+08:00", "09:30Z", 930, "25:00"):
        response = api.post(url, {**base, "start_time": bad}, format="json")
        assert response.status_code == 400 and "start_time" in response.json(), bad
    assert api.post(url, {**base, "start_time": "09:30"}, format="json").status_code == 201


@pytest.mark.parametrize("query", ["date_to=", "date_from=", "status=", "topic=", "under=", "date_to=31.12"])
def test_empty_or_malformed_filters_are_a_400(api, query):
    response = api.get(f"/api/v1/consultation-sessions/?{query}")
    assert response.status_code == 400, query
    assert query.split("=")[0] in response.json()


def test_free_text_filters_may_be_empty(api):
    assert api.get("/api/v1/consultation-topics/?q=").status_code == 200
    assert api.get("/api/v1/notifications/?unread=").status_code == 400
    assert api.get("/api/v1/consultation-topics/?created_before=").status_code == 400


def test_text_fields_take_text_only_and_are_bounded(api, tree):
    url = "/api/v1/consultation-topics/"
    base = {"org_unit": tree.township_a1.pk, "title": "路灯不亮", "channel": "resident"}
    response = api.post(url, {**base, "title": 0}, format="json")
    assert response.status_code == 400 and "title" in response.json()
    response = api.post(url, {**base, "description": "长" * 20001}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    message = response.json()["description"][0]
    assert "20000" in message and any("\u4e00" <= ch <= "\u9fff" for ch in message)
    assert api.post(url, {**base, "description": "长" * 20000}, format="json").status_code == 201


def test_ranking_and_report_parameters_are_bounded(users, tree, schema):
    client = APIClient()
    client.force_authenticate(users.clerk)
    for query in ("unit=", f"unit={tree.county_a.pk}&year=", "unit=0", f"unit={tree.county_a.pk}&year=0"):
        assert client.get(f"/api/v1/members-ranking/?{query}").status_code == 400, query
    assert client.get(f"/api/v1/members-ranking/?unit={tree.county_b.pk}").status_code == 404
    for query in ("year=", "year=0", "period=", "month="):
        assert client.get(f"/api/v1/reports/units/{tree.county_a.pk}/?{query}").status_code == 400, query
    params = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/members-ranking/"]["get"]["parameters"]}
    assert params["unit"]["minimum"] == 1 and params["year"] == {"type": "integer", "minimum": 2000, "maximum": 2100}
    params = {p["name"]: p["schema"]
              for p in schema["paths"]["/api/v1/reports/units/{id}/"]["get"]["parameters"] if p["in"] == "query"}
    assert params["year"]["minimum"] == 1949


def test_the_schema_documents_json_bodies_and_keeps_forms_for_uploads(schema):
    create = schema["paths"]["/api/v1/consultation-topics/"]["post"]["requestBody"]["content"]
    assert list(create) == ["application/json"]
    uploads = [op["requestBody"]["content"] for item in schema["paths"].values() for op in item.values()
               if isinstance(op, dict) and "multipart/form-data" in op.get("requestBody", {}).get("content", {})]
    assert uploads, "operations that take a file still document multipart"
