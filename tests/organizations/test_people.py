import pytest

from organizations.models import Role, RoleAssignment
from portal.models import AuditEvent, User

pytestmark = pytest.mark.django_db


def test_clerk_adds_a_secretary_to_a_township(client, tree, users):
    client.force_login(users.clerk)
    response = client.post(f"/org/{tree.township_a2.pk}/people/", {
        "username": "newsec", "display_name": "新秘书", "role": Role.SECRETARY, "password": "Xy7!quite-long-pw"})
    assert response.status_code == 302
    user = User.objects.get(username="newsec")
    assert RoleAssignment.objects.filter(user=user, role=Role.SECRETARY, unit=tree.township_a2).exists()
    assert AuditEvent.objects.filter(action="role.assign").exists()


def test_clerk_cannot_grant_admin_or_add_outside_scope(client, tree, users):
    client.force_login(users.clerk)
    response = client.post(f"/org/{tree.township_a2.pk}/people/", {
        "username": "boss", "display_name": "x", "role": Role.ADMIN, "password": "Xy7!quite-long-pw"})
    assert response.status_code == 200 and not User.objects.filter(username="boss").exists()
    response = client.post(f"/org/{tree.township_b1.pk}/people/", {
        "username": "spy", "display_name": "x", "role": Role.SECRETARY, "password": "Xy7!quite-long-pw"})
    assert response.status_code == 404 and not User.objects.filter(username="spy").exists()


def test_weak_password_and_duplicate_name_are_clear_errors(client, tree, users):
    client.force_login(users.clerk)
    weak = client.post(f"/org/{tree.township_a2.pk}/people/", {
        "username": "weak", "display_name": "x", "role": Role.SECRETARY, "password": "123"})
    assert weak.status_code == 200 and not User.objects.filter(username="weak").exists()
    dup = client.post(f"/org/{tree.township_a2.pk}/people/", {
        "username": "SECRETARY_U", "display_name": "x", "role": Role.SECRETARY, "password": "Xy7!quite-long-pw"})
    assert dup.status_code == 200
    assert "已被使用" in dup.content.decode()


def test_secretary_cannot_add_people(client, tree, users):
    client.force_login(users.secretary)
    response = client.post(f"/org/{tree.township_a1.pk}/people/", {
        "username": "x1", "display_name": "x", "role": Role.MEMBER, "password": "Xy7!quite-long-pw"})
    assert not User.objects.filter(username="x1").exists()
    assert response.status_code == 403  # the unit is in their scope; adding people is the office's


def test_clerk_removes_a_role_and_other_county_cannot(client, tree, users):
    assignment = RoleAssignment.objects.get(user=users.secretary)
    client.force_login(users.clerk_b)
    assert client.post(f"/org/{tree.township_a1.pk}/roles/{assignment.pk}/revoke/").status_code == 404
    client.force_login(users.clerk)
    assert client.post(f"/org/{tree.township_a1.pk}/roles/{assignment.pk}/revoke/").status_code == 302
    assignment.refresh_from_db()
    assert assignment.is_active is False
