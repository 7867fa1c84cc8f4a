"""A deadlock or serialization failure is run once more, and otherwise answers 409 — never 500."""

import pytest

from . import transient_urls

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.portal.transient_urls")]


@pytest.fixture(autouse=True)
def _reset():
    transient_urls.CALLS.update(n=0, fail=0)


@pytest.fixture
def logged_in(client, users):
    client.force_login(users.clerk)
    return client


def test_one_deadlock_is_retried_and_the_request_succeeds(logged_in):
    transient_urls.CALLS["fail"] = 1
    response = logged_in.post("/write/", {"x": "甲"})
    assert response.status_code == 200 and response.content.decode() == "saved 甲"
    assert transient_urls.CALLS["n"] == 2


def test_two_deadlocks_answer_409_with_a_chinese_message(logged_in):
    transient_urls.CALLS["fail"] = 2
    response = logged_in.post("/write/", {"x": "甲"})
    assert response.status_code == 409 and "请重试" in response.content.decode()
    assert transient_urls.CALLS["n"] == 2


def test_api_deadlock_is_retried_with_the_body_read_again(logged_in):
    transient_urls.CALLS["fail"] = 1
    response = logged_in.post("/api/v1/write/", {"x": "乙"}, content_type="application/json")
    assert response.status_code == 201 and response.json() == {"saved": "乙"}


def test_api_repeated_deadlock_is_a_json_409(logged_in):
    transient_urls.CALLS["fail"] = 5
    response = logged_in.post("/api/v1/write/", {"x": "乙"}, content_type="application/json")
    assert response.status_code == 409 and "请重试" in response.json()["detail"]
