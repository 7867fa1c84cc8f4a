import pytest

from organizations.models import Role, RoleAssignment, UnitKind

from ..factories import make_unit, make_user
from ..helpers import assert_constant_queries

pytestmark = pytest.mark.django_db


def test_tree_children_query_count_is_constant(client, tree, users):
    client.force_login(users.clerk)
    counter = iter(range(1000))

    def add(n):
        for _ in range(n):
            parent = make_unit(f"社区{next(counter)}", UnitKind.VILLAGE, tree.township_a2)
            make_unit("小区", UnitKind.COMPOUND, parent)

    assert_constant_queries(lambda: client.get(f"/org/{tree.township_a2.pk}/children/"), add)


def test_tree_page_and_search(client, tree, users):
    client.force_login(users.clerk)
    page = client.get("/org/").content.decode()
    assert "相山区" in page and "濉溪县" not in page
    found = client.get("/org/search/?q=庆相桥", HTTP_HX_REQUEST="true").content.decode()
    assert "庆相桥社区" in found
    assert "临涣" not in client.get("/org/search/?q=临涣", HTTP_HX_REQUEST="true").content.decode().split("list-group")[1]


def test_search_with_overlong_query_is_harmless(client, tree, users):
    client.force_login(users.clerk)
    assert client.get("/org/search/?q=" + "长" * 5000).status_code == 200


def test_user_list_query_count_is_constant(client, tree, users):
    client.force_login(users.clerk)

    def add(n):
        for _ in range(n):
            make_user(Role.SECRETARY, tree.township_a2)

    assert_constant_queries(lambda: client.get("/org/users/"), add, large=20)  # all on the first 30-row page


def test_user_list_is_scoped(client, tree, users):
    client.force_login(users.clerk)
    body = client.get("/org/users/").content.decode()
    assert "secretary_u" in body and "secretary_b_u" not in body


def test_user_list_refused_to_secretary(client, tree, users):
    client.force_login(users.secretary)
    response = client.get("/org/users/")
    assert response.status_code == 403 and "您无权执行此操作" in response.content.decode()


def test_api_unit_list_query_count_is_constant(client, tree, users):
    client.force_login(users.clerk)
    counter = iter(range(1000))
    assert_constant_queries(
        lambda: client.get("/api/v1/org-units/?page_size=100"),
        lambda n: [make_unit(f"村{next(counter)}", UnitKind.VILLAGE, tree.township_a2) for _ in range(n)],
    )


def test_api_filters(client, tree, users):
    client.force_login(users.city_clerk)
    rows = client.get(f"/api/v1/org-units/?under={tree.county_b.pk}").json()["results"]
    assert {r["name"] for r in rows} == {"濉溪县", "临涣镇", "临涣村"}
    rows = client.get("/api/v1/org-units/?kind=county").json()["results"]
    assert {r["name"] for r in rows} == {"相山区", "濉溪县"}
    assert client.get("/api/v1/org-units/?kind=planet").status_code == 400
    assert client.get("/api/v1/org-units/?page=abc").status_code == 400
    counted = client.get("/api/v1/org-units/?count=true").json()
    assert counted["count"] == 9


def test_me_endpoint_shows_roles_and_scope(client, tree, users):
    client.force_login(users.secretary)
    me = client.get("/api/v1/me/").json()
    assert me["roles"][0]["role"] == Role.SECRETARY
    assert me["scope"] == [tree.township_a1.path]


def test_token_auth_works_for_api(client, tree, users):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=users.clerk)
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["username"] == "clerk_u"


def test_revoked_role_loses_scope(client, tree, users):
    from organizations import services

    assignment = RoleAssignment.objects.get(user=users.secretary)
    services.role_revoke(actor=users.clerk, assignment=assignment)
    client.force_login(users.secretary)
    assert client.get(f"/org/{tree.township_a1.pk}/").status_code == 404
