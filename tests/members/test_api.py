"""API: scoped lists with constant queries, posting and duty-entry writes, review, ranking."""

import datetime

import pytest
from django.utils import timezone

from members.models import DutyRecord, DutyStatus, Workroom

from ..factories import make_member
from ..helpers import assert_constant_queries
from .conftest import png

pytestmark = pytest.mark.django_db


def test_member_list_scoped_and_filtered(client, users, tree, me, other_b, bodies):
    client.force_login(users.clerk)
    names = [m["name"] for m in client.get("/api/v1/members/").json()["results"]]
    assert "刘芳" in names and "濉溪委员" not in names
    assert client.get(f"/api/v1/members/{other_b.pk}/").status_code == 404
    assert client.get(f"/api/v1/members/?posted_under={tree.township_a2.pk}").json()["results"] == []
    assert client.get("/api/v1/members/?sector=-3").status_code == 400
    client.force_login(users.member)
    assert [m["name"] for m in client.get("/api/v1/members/").json()["results"]] == ["刘芳"]


def test_member_list_constant_queries(client, users, tree, bodies):
    client.force_login(users.clerk)

    def add_rows(n):
        for _ in range(n):
            make_member(tree.county_a, posted_to=tree.township_a1).committees.add(bodies["committee"])

    assert_constant_queries(lambda: client.get("/api/v1/members/"), add_rows, large=20)


def test_posting_via_api(client, users, tree, me):
    client.force_login(users.clerk)
    response = client.post(f"/api/v1/members/{me.pk}/postings/", {"unit": tree.village_a1a.pk}, format="json")
    assert response.status_code == 201
    response = client.post(f"/api/v1/members/{me.pk}/postings/", {"unit": tree.township_b1.pk})
    assert response.status_code == 400
    response = client.post(f"/api/v1/members/{me.pk}/postings/", {"unit": tree.village_a1a.pk})
    assert response.status_code == 409
    posting_id = response.status_code and me.postings.get(org_unit=tree.village_a1a).pk
    assert client.post(f"/api/v1/postings/{posting_id}/end/").status_code == 200
    client.force_login(users.member)
    assert client.post(f"/api/v1/members/{me.pk}/postings/", {"unit": tree.township_a2.pk}).status_code in {400, 403}


def test_duty_entry_with_evidence_and_review(client, users, me):
    client.force_login(users.member)
    today = datetime.date.today().isoformat()
    response = client.post("/api/v1/duty-records/", {"kind": "volunteer", "occurred_on": today, "title": "义诊",
                                                     "evidence": png()})
    assert response.status_code == 201, response.json()
    record_id = response.json()["id"]
    assert response.json()["status"] == DutyStatus.PENDING
    bad = client.post("/api/v1/duty-records/", {"kind": "volunteer", "occurred_on": today, "title": "义诊",
                                                "evidence": png("x.pdf")})
    assert bad.status_code == 400 and "evidence" in bad.json()
    bad = client.post("/api/v1/duty-records/", {"kind": "volunteer", "occurred_on": "2026-13-45", "title": "x"})
    assert bad.status_code == 400 and "occurred_on" in bad.json()
    assert client.post(f"/api/v1/duty-records/{record_id}/review/", {"approve": True}).status_code == 403
    client.force_login(users.clerk_b)
    assert client.post(f"/api/v1/duty-records/{record_id}/review/", {"approve": True}).status_code == 404
    client.force_login(users.clerk)
    assert client.post(f"/api/v1/duty-records/{record_id}/review/", {"approve": "maybe"}).status_code == 400
    response = client.post(f"/api/v1/duty-records/{record_id}/review/", {"approve": True})
    assert response.status_code == 200 and response.json()["status"] == DutyStatus.VERIFIED
    assert client.post(f"/api/v1/duty-records/{record_id}/review/", {"approve": True}).status_code == 409


def test_duty_list_constant_queries_and_scope(client, users, tree, me, other_b):
    client.force_login(users.clerk)

    def add_rows(n):
        for _ in range(n):
            DutyRecord.objects.create(member=make_member(tree.county_a), kind="volunteer", title="x",
                                      occurred_on=datetime.date(2026, 1, 1), org_unit=tree.county_a,
                                      org_path=tree.county_a.path)

    assert_constant_queries(lambda: client.get("/api/v1/duty-records/"), add_rows, large=20)
    DutyRecord.objects.create(member=other_b, kind="volunteer", title="B", occurred_on=datetime.date(2026, 1, 1),
                              org_unit=tree.county_b, org_path=tree.county_b.path)
    assert all(r["title"] != "B" for r in client.get("/api/v1/duty-records/?page_size=200").json()["results"])


def test_workrooms_api(client, users, tree):
    # Idle days count from the approval (a room approved today is not idle): both approved long ago.
    long_ago = timezone.localdate() - datetime.timedelta(days=365)
    Workroom.objects.create(org_unit=tree.township_a1, name="A室", status="plaqued", approved_on=long_ago)
    Workroom.objects.create(org_unit=tree.township_b1, name="B室", status="plaqued", approved_on=long_ago)
    Workroom.objects.create(org_unit=tree.township_a1, name="A新室", status="plaqued",
                            approved_on=timezone.localdate())
    client.force_login(users.secretary)
    data = client.get("/api/v1/workrooms/?idle=true").json()["results"]
    assert [w["name"] for w in data] == ["A室"]
    assert client.get("/api/v1/workrooms/?status=nonsense").status_code == 400


def test_ranking_api(client, users, tree, me):
    DutyRecord.objects.create(member=me, kind="volunteer", title="x", occurred_on=datetime.date(2026, 2, 1),
                              org_unit=tree.county_a, org_path=tree.county_a.path, status="verified")
    client.force_login(users.leader)
    data = client.get(f"/api/v1/members-ranking/?unit={tree.county_a.pk}&year=2026").json()
    assert data[0]["name"] == "刘芳" and data[0]["points"] == 2
    assert client.get("/api/v1/members-ranking/?unit=abc").status_code == 400
    assert client.get(f"/api/v1/members-ranking/?unit={tree.county_b.pk}").status_code == 404
    client.force_login(users.member)
    assert client.get(f"/api/v1/members-ranking/?unit={tree.county_a.pk}").status_code == 403


def test_bad_filter_values_are_not_echoed(client, users):
    client.force_login(users.clerk)
    for url in ("/api/v1/duty-records/", "/api/v1/workrooms/", "/api/v1/members/"):
        response = client.get(url, {"status": "<script>x</script>", "level": "<script>x</script>"})
        assert response.status_code == 400 and "<script>" not in response.content.decode()


def test_member_opens_own_postings_only_through_the_list(client, users, me):
    client.force_login(users.member)
    postings = client.get("/api/v1/postings/").json()["results"]
    assert len(postings) == 1
    assert client.get(f"/api/v1/postings/{postings[0]['id']}/").status_code == 404
