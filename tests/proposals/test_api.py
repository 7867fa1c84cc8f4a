import pytest
from rest_framework.test import APIClient

from proposals.models import ProposalStatus
from tests.helpers import assert_constant_queries

from .conftest import future, make_proposal, to_state

pytestmark = pytest.mark.django_db


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_member_creates_and_submits_via_api(world):
    client = api(world.users.member)
    r = client.post("/api/v1/proposals/", {"title": "关于加强社区养老服务的建议", "case": "养老服务不足",
                                           "suggestions": ["建设日间照料中心"], "category": "society"}, format="json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = client.post(f"/api/v1/proposals/{pk}/submit/", {"version": 1}, format="json")
    assert r.status_code == 200 and r.json()["status"] == ProposalStatus.SUBMITTED
    assert client.post(f"/api/v1/proposals/{pk}/submit/", {}, format="json").status_code == 409
    assert client.post("/api/v1/proposals/", {"title": "", "suggestions": []}, format="json").status_code == 400


def test_scoping_of_the_api(world):
    p = to_state(world, "handling")
    assert api(world.users.dept).get(f"/api/v1/proposals/{p.pk}/").status_code == 200
    assert api(world.dept_b_user).get(f"/api/v1/proposals/{p.pk}/").status_code == 404
    assert api(world.users.clerk_b).get(f"/api/v1/proposals/{p.pk}/").status_code == 404
    assert api(world.users.clerk_b).get("/api/v1/proposals/?count=true").json()["count"] == 0
    assert api(world.users.dept).get("/api/v1/proposal-assignments/?count=true").json()["count"] == 1
    assert api(world.users.proposal).get("/api/v1/proposal-assignments/?count=true").json()["count"] == 0


def test_staff_register_assign_and_department_replies_via_api(world):
    p = to_state(world, "submitted")
    staff = api(world.users.proposal)
    assert staff.post(f"/api/v1/proposals/{p.pk}/register/", {"version": 99}, format="json").status_code == 409
    r = staff.post(f"/api/v1/proposals/{p.pk}/register/", {}, format="json")
    assert r.status_code == 200 and r.json()["number"] == 1
    r = staff.post(f"/api/v1/proposals/{p.pk}/preassign/", {"main_unit": world.dept_b.pk}, format="json")
    assert r.status_code == 400
    r = staff.post(f"/api/v1/proposals/{p.pk}/preassign/", {"main_unit": world.tree.dept_a.pk,
                                                            "due_on": "2020-01-01"}, format="json")
    assert r.status_code == 400
    r = staff.post(f"/api/v1/proposals/{p.pk}/preassign/", {"main_unit": world.tree.dept_a.pk,
                                                            "due_on": future(30).isoformat()}, format="json")
    assert r.status_code == 200
    assert staff.post(f"/api/v1/proposals/{p.pk}/assign/", {}, format="json").status_code == 200
    dept = api(world.users.dept)
    a = dept.get("/api/v1/proposal-assignments/").json()["results"][0]["id"]
    assert dept.post(f"/api/v1/proposal-assignments/{a}/reply/", {"reply_class": "A", "text": "x"},
                     format="json").status_code == 409
    assert dept.post(f"/api/v1/proposal-assignments/{a}/contact/", {"method": "phone",
                                                                    "contacted_on": future(0).isoformat()},
                     format="json").status_code == 200
    r = dept.post(f"/api/v1/proposal-assignments/{a}/reply/", {"reply_class": "A", "text": "已办理",
                                                               "lines": ["一", "二"]}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "replied"
    assert api(world.dept_b_user).post(f"/api/v1/proposal-assignments/{a}/reply/", {"reply_class": "A", "text": "x"},
                                       format="json").status_code == 404
    r = api(world.users.member).post(f"/api/v1/proposals/{p.pk}/rate/", {"attitude": "satisfied",
                                                                          "result": "bad"}, format="json")
    assert r.status_code == 400
    r = api(world.users.member).post(f"/api/v1/proposals/{p.pk}/rate/", {"attitude": "satisfied",
                                                                          "result": "satisfied"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == ProposalStatus.CLOSED


def test_list_apis_have_constant_query_counts(world):
    client = api(world.users.proposal)
    n = {"i": 0}

    def add(k):
        for _ in range(k):
            n["i"] += 1
            to_state(world, "replied", title=f"提案{n['i']}")

    assert_constant_queries(lambda: client.get("/api/v1/proposals/"), add, small=1, large=4)
    dept = api(world.users.dept)
    assert_constant_queries(lambda: dept.get("/api/v1/proposal-assignments/"), add, small=1, large=3)


def test_opinion_api(world):
    client = api(world.users.member)
    r = client.post("/api/v1/opinion-items/", {"title": "t", "content": "c"}, format="json")
    assert r.status_code == 201
    assert api(world.users.clerk).get("/api/v1/opinion-items/?count=true").json()["count"] == 1
    assert api(world.users.clerk_b).get("/api/v1/opinion-items/?count=true").json()["count"] == 0
    make_proposal(world)
