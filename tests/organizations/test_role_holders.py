"""One selector for "who holds role R at or above unit U", with one is_active policy."""

import pytest

from organizations.models import Role, RoleAssignment
from organizations.selectors import RoleHolders, under
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_holders_at_or_above_nearest_at_and_below(tree, users):
    holders = RoleHolders([Role.OFFICE_CLERK, Role.SECRETARY, Role.DEPARTMENT])
    village = tree.village_a1a.path
    assert holders.at_or_above(village, Role.OFFICE_CLERK) == sorted([users.city_clerk.pk, users.clerk.pk])
    assert holders.nearest(village, Role.OFFICE_CLERK) == [users.clerk.pk]  # the county office, not the city
    assert holders.at_or_above(village, Role.SECRETARY) == [users.secretary.pk]
    assert holders.at(tree.dept_a.path, Role.DEPARTMENT) == [users.dept.pk]
    assert holders.at_or_below(tree.county_a.path, Role.DEPARTMENT) == [users.dept.pk]
    assert holders.at_or_above(tree.township_b1.path, Role.SECRETARY) == [users.secretary_b.pk]


def test_inactive_assignments_units_and_users_hold_nothing_and_admins_are_not_holders(tree, users):
    gone = make_user(Role.SECRETARY, tree.township_a1, username="gone_u")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    ended = make_user(Role.SECRETARY, tree.township_a1, username="ended_u")
    RoleAssignment.objects.filter(user=ended).update(is_active=False)
    closed_unit_user = make_user(Role.SECRETARY, tree.township_a2, username="closed_u")
    tree.township_a2.is_active = False
    tree.township_a2.save(update_fields=["is_active"])
    holders = RoleHolders([Role.ADMIN, Role.SECRETARY])
    assert holders.at_or_above(tree.village_a1a.path) == [users.secretary.pk]
    assert holders.at_or_above(tree.township_a2.path) == []
    assert users.admin.pk not in {uid for uid, _p in holders.assignments()}
    assert closed_unit_user.pk not in {uid for uid, _p in holders.assignments()}


def test_under_filters_by_subtree_and_unknown_unit_matches_nothing(tree):
    from organizations.models import OrgUnit

    qs = OrgUnit.objects.all()
    assert set(under(qs, tree.county_a.pk, "path")) == set(qs.filter(path__startswith=tree.county_a.path))
    assert not under(qs, 987654, "path").exists()
