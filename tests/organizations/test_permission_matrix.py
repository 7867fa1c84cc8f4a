"""Every role × own subtree / sibling subtree / ancestor, over pages, the API and id guessing.

Outside-scope ids answer 404 — the same as ids that do not exist — so nobody can probe for
another county's records."""

import pytest

pytestmark = pytest.mark.django_db

# role -> (unit the role is assigned at, units it must see, units it must not see)
MATRIX = {
    "admin": ("province", ["province", "county_a", "county_b", "village_b1a"], []),
    "city_clerk": ("city", ["city", "county_a", "county_b", "village_a1a"], ["province"]),
    "clerk": ("county_a", ["county_a", "township_a1", "village_a1a", "dept_a"], ["city", "county_b", "township_b1"]),
    "proposal": ("county_a", ["county_a", "dept_a"], ["city", "county_b"]),
    "secretary": ("township_a1", ["township_a1", "village_a1a"], ["county_a", "township_a2", "township_b1"]),
    "approver": ("township_a1", ["township_a1", "village_a1a"], ["county_a", "township_b1"]),
    "leader": ("county_a", ["county_a", "village_a1a"], ["city", "county_b"]),
    # Members and departments see records routed to them, not the tree around them.
    "member": ("county_a", [], ["county_a", "county_b", "township_a1"]),
    "dept": ("dept_a", [], ["county_a", "dept_a", "county_b"]),
    "nobody": (None, [], ["province", "county_a"]),
}


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_unit_page_visible_only_within_scope(client, tree, users, role):
    _, visible, hidden = MATRIX[role]
    client.force_login(getattr(users, role))
    for name in visible:
        assert client.get(f"/org/{getattr(tree, name).pk}/").status_code == 200, name
    for name in hidden:
        assert client.get(f"/org/{getattr(tree, name).pk}/").status_code == 404, name


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_unit_api_visible_only_within_scope(client, tree, users, role):
    _, visible, hidden = MATRIX[role]
    client.force_login(getattr(users, role))
    for name in visible:
        assert client.get(f"/api/v1/org-units/{getattr(tree, name).pk}/").status_code == 200, name
    for name in hidden:
        assert client.get(f"/api/v1/org-units/{getattr(tree, name).pk}/").status_code == 404, name
    listed = {row["id"] for row in client.get("/api/v1/org-units/?page_size=200").json()["results"]}
    for name in hidden:
        assert getattr(tree, name).pk not in listed, name
    for name in visible:
        assert getattr(tree, name).pk in listed, name


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_guessed_and_malformed_ids_answer_404(client, tree, users, role):
    client.force_login(getattr(users, role))
    for path in ["/org/999999/", "/api/v1/org-units/999999/", "/api/v1/org-units/abc/",
                 "/api/v1/org-units/1%00/", "/org/999999/children/"]:
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("role", sorted(MATRIX))
def test_only_clerks_and_admins_edit_or_move_units(client, tree, users, role):
    user = getattr(users, role)
    client.force_login(user)
    target = tree.village_a1a
    response = client.post(f"/org/{target.pk}/edit/", {
        "name": "改名社区", "short_name": "", "liaison_body_name": "", "kind": "village", "version": target.version,
    })
    target.refresh_from_db()
    if role in {"admin", "city_clerk", "clerk"}:
        assert response.status_code == 302
        assert target.name == "改名社区"
    else:  # outside the scope: 404; a unit the role sees but may not manage: 403
        assert response.status_code in {403, 404}
        assert target.name == "庆相桥社区"


def test_anonymous_is_sent_to_login_and_api_refuses(client, tree):
    assert client.get(f"/org/{tree.county_a.pk}/")["Location"].startswith("/accounts/login/")
    assert client.get("/api/v1/org-units/").status_code in {401, 403}


def test_clerk_of_other_county_cannot_patch_unit_via_api(client, tree, users):
    client.force_login(users.clerk_b)
    response = client.patch(f"/api/v1/org-units/{tree.township_a1.pk}/", {"name": "x", "version": 1},
                            content_type="application/json")
    assert response.status_code == 404
    tree.township_a1.refresh_from_db()
    assert tree.township_a1.name == "三堤口街道"


def test_explicit_guardian_grant_extends_read_scope(client, tree, users):
    from guardian.shortcuts import assign_perm

    assign_perm("organizations.view_orgunit", users.secretary, tree.township_b1)
    client.force_login(users.secretary)
    assert client.get(f"/org/{tree.township_b1.pk}/").status_code == 200
    assert client.get(f"/org/{tree.county_b.pk}/").status_code == 404
