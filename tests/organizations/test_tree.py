import pytest
from django.db import connection

from members.models import Member, Posting
from organizations import services
from organizations.models import OrgUnit, UnitKind
from portal.errors import DomainError, GuardFailed, StaleEdit
from portal.models import AuditEvent

from ..factories import make_member, make_unit

pytestmark = pytest.mark.django_db


def test_move_rewrites_paths_of_subtree_and_records(tree, users):
    member = make_member(tree.county_a, posted_to=tree.village_a1a)
    services.orgunit_move(actor=users.city_clerk, unit=tree.township_a1, new_parent=tree.county_b)

    township = OrgUnit.objects.get(pk=tree.township_a1.pk)
    village = OrgUnit.objects.get(pk=tree.village_a1a.pk)
    assert township.parent_id == tree.county_b.pk
    assert township.path == f"{tree.county_b.path}{township.pk}/"
    assert village.path == f"{township.path}{village.pk}/"
    assert village.depth == township.depth + 1
    assert Posting.objects.get(member=member).org_path == village.path
    assert Member.objects.get(pk=member.pk).org_path == tree.county_a.path  # member's unit did not move
    # every unit's path is its parent's path plus its own id
    for unit in OrgUnit.objects.select_related("parent"):
        expected = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
        assert unit.path == expected
    assert AuditEvent.objects.filter(action="orgunit.move", target_id=str(township.pk)).exists()


def test_unit_cannot_move_under_its_own_descendant(tree, users):
    with pytest.raises(GuardFailed):
        services.orgunit_move(actor=users.admin, unit=tree.county_a, new_parent=tree.village_a1a)
    with pytest.raises(GuardFailed):
        services.orgunit_move(actor=users.admin, unit=tree.county_a, new_parent=tree.county_a)
    tree.county_a.refresh_from_db()
    assert tree.county_a.parent_id == tree.city.pk


def test_move_refuses_a_kind_that_does_not_fit(tree, users):
    with pytest.raises(DomainError):
        services.orgunit_move(actor=users.admin, unit=tree.county_b, new_parent=tree.township_a1)


def test_move_refuses_duplicate_name_under_new_parent(tree, users):
    make_unit("临涣镇", UnitKind.TOWNSHIP, tree.county_a)
    with pytest.raises(DomainError):
        services.orgunit_move(actor=users.admin, unit=tree.township_b1, new_parent=tree.county_a)


def test_clerk_cannot_move_a_unit_into_another_county(tree, users):
    from portal.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.orgunit_move(actor=users.clerk, unit=tree.township_a2, new_parent=tree.county_b)


def test_create_rejects_duplicate_and_empty_names(tree, users):
    with pytest.raises(DomainError):
        services.orgunit_create(actor=users.clerk, parent=tree.county_a, kind=UnitKind.TOWNSHIP, name="三堤口街道", code="x1")
    with pytest.raises(DomainError):
        services.orgunit_create(actor=users.clerk, parent=tree.county_a, kind=UnitKind.TOWNSHIP, name="   ", code="x2")
    with pytest.raises(DomainError):
        services.orgunit_create(actor=users.clerk, parent=tree.county_a, kind=UnitKind.TOWNSHIP, name="长" * 101, code="x3")
    unit = services.orgunit_create(actor=users.clerk, parent=tree.county_a, kind=UnitKind.TOWNSHIP, name="南黎街道", code="x4")
    assert unit.path == f"{tree.county_a.path}{unit.pk}/"
    assert AuditEvent.objects.filter(action="orgunit.create", target_id=str(unit.pk)).exists()


def test_stale_update_is_refused_and_changes_nothing(tree, users):
    unit = tree.township_a2
    services.orgunit_update(actor=users.clerk, unit=unit, version=unit.version, name="东山街道（新）")
    with pytest.raises(StaleEdit):
        services.orgunit_update(actor=users.clerk, unit=unit, version=1, name="别人的修改")
    unit.refresh_from_db()
    assert unit.name == "东山街道（新）"
    assert unit.version == 2


def test_stale_update_via_api_answers_409(client, tree, users):
    client.force_login(users.clerk)
    url = f"/api/v1/org-units/{tree.township_a2.pk}/"
    ok = client.patch(url, {"name": "东山街道A", "version": 1}, content_type="application/json")
    assert ok.status_code == 200, ok.content
    stale = client.patch(url, {"name": "东山街道B", "version": 1}, content_type="application/json")
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale"


def test_stale_update_via_form_shows_message_and_keeps_input(client, tree, users):
    client.force_login(users.clerk)
    unit = tree.township_a2
    services.orgunit_update(actor=users.clerk, unit=unit, version=1, name="东山街道（他人）")
    response = client.post(f"/org/{unit.pk}/edit/", {"name": "我的名字", "short_name": "", "liaison_body_name": "",
                                                       "kind": "township", "version": 1})
    assert response.status_code == 200
    body = response.content.decode()
    assert "我的名字" in body
    assert "别人" in body or "Someone else" in body


def test_api_move_under_descendant_is_a_clear_error(client, tree, users):
    client.force_login(users.admin)
    response = client.post(f"/api/v1/org-units/{tree.county_a.pk}/move/", {"parent": tree.village_a1a.pk},
                           content_type="application/json")
    assert response.status_code == 409
    assert response.json()["detail"]


@pytest.mark.postgres
def test_path_columns_have_prefix_search_indexes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'organizations_orgunit' AND indexdef LIKE '%%pattern_ops%%'"
        )
        assert any("path" in row[0] for row in cursor.fetchall())
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'members_member' AND indexdef LIKE '%%pattern_ops%%'"
        )
        assert any("org_path" in row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_subtree_query_uses_the_path_index(tree):
    from django.db import connection

    for i in range(200):
        make_unit(f"社区{i}", UnitKind.VILLAGE, tree.township_b1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE organizations_orgunit")
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN SELECT id FROM organizations_orgunit WHERE path LIKE %s", [tree.county_a.path + "%"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "Index" in plan, plan
