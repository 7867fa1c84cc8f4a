"""The refusal policy of `get_for_role`: 404 outside the scope (missing and malformed ids too),
403 inside the scope without the role, the record with it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from organizations.models import OrgUnit
from organizations.permissions import MANAGE_ROLES, get_for_role

pytestmark = pytest.mark.django_db


def test_outside_scope_is_404_inside_without_role_403_with_role_the_record(tree, users):
    units = OrgUnit.objects.all()
    # outside the county clerk's scope, missing, malformed: the same 404
    for pk in (tree.county_b.pk, 987654321, "abc"):
        with pytest.raises(Http404):
            get_for_role(units, users.clerk, MANAGE_ROLES, field="path", pk=pk)
    # the leader sees county A's units but may not manage them
    with pytest.raises(PermissionDenied):
        get_for_role(units, users.leader, MANAGE_ROLES, field="path", pk=tree.township_a1.pk)
    assert get_for_role(units, users.clerk, MANAGE_ROLES, field="path", pk=tree.township_a1.pk) == tree.township_a1
    assert get_for_role(units, users.secretary, MANAGE_ROLES, field="path", pk=tree.village_a1a.pk) == tree.village_a1a
    with pytest.raises(Http404):  # the secretary's scope is their township, not the county
        get_for_role(units, users.secretary, MANAGE_ROLES, field="path", pk=tree.township_a2.pk)
