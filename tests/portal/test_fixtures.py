"""The bulk factories behind the shared `tree` and `users` fixtures write the same rows as the
one-by-one factories (insert_unit, UserFactory + RoleAssignment) — so the fast fixtures test the
same thing."""

import pytest

from organizations.models import OrgUnit, RoleAssignment, UnitKind
from reports.models import FactMark

from ..factories import make_unit, make_units, make_user, make_users

pytestmark = pytest.mark.django_db

UNIT_FIELDS = ["kind", "name", "short_name", "liaison_body_name", "depth", "is_active", "sort_order", "source_lines",
               "version"]


def _shape(unit):
    """A unit's row without its ids: the names on its path stand in for the ids."""
    names = dict(OrgUnit.objects.values_list("pk", "name"))
    return ({f: getattr(unit, f) for f in UNIT_FIELDS}, [names[pk] for pk in unit.ancestor_ids],
            unit.parent.name if unit.parent else None)


def test_make_units_writes_the_rows_make_unit_writes():
    one = make_unit("甲省", UnitKind.PROVINCE)
    one_county = make_unit("甲县", UnitKind.COUNTY, one, liaison_body_name="联络组", sort_order=3)
    one_village = make_unit("甲村", UnitKind.VILLAGE, one_county)
    bulk = make_units({
        "province": ("乙省", UnitKind.PROVINCE, None),
        "county": ("乙县", UnitKind.COUNTY, "province", {"liaison_body_name": "联络组", "sort_order": 3}),
        "village": ("乙村", UnitKind.VILLAGE, "county"),
    })
    for single, many in [(one, bulk["province"]), (one_county, bulk["county"]), (one_village, bulk["village"])]:
        single, many = OrgUnit.objects.get(pk=single.pk), OrgUnit.objects.get(pk=many.pk)
        (fields_a, path_a, parent_a), (fields_b, path_b, parent_b) = _shape(single), _shape(many)
        assert fields_a | {"name": fields_a["name"].replace("甲", "乙")} == fields_b
        assert [n.replace("甲", "乙") for n in path_a] == path_b
        assert (parent_a or "").replace("甲", "乙") == (parent_b or "")
        # the summary tables were told about the unit at its real path, as the save signal does
        assert FactMark.objects.filter(path=many.path).exists() and FactMark.objects.filter(path=single.path).exists()


def test_make_users_writes_the_rows_make_user_writes(tree):
    single = make_user("office_clerk", tree.county_a, username="one_by_one")
    bulk = make_users({"clerk": ("office_clerk", tree.county_a, {"username": "in_bulk"}),
                       "nobody": (None, None, {"username": "no_role"})})
    assert bulk["clerk"].check_password("pw-12345") and single.check_password("pw-12345")
    fields = ["is_active", "is_staff", "is_superuser", "language", "email"]
    from django.contrib.auth import get_user_model

    User = get_user_model()
    a, b = User.objects.get(pk=single.pk), User.objects.get(pk=bulk["clerk"].pk)
    assert {f: getattr(a, f) for f in fields if hasattr(a, f)} == {f: getattr(b, f) for f in fields if hasattr(b, f)}
    assert b.display_name and b.display_name != a.display_name
    assert (list(RoleAssignment.objects.filter(user=a).values_list("role", "unit", "is_active"))
            == list(RoleAssignment.objects.filter(user=b).values_list("role", "unit", "is_active")))
    assert not RoleAssignment.objects.filter(user=bulk["nobody"]).exists()
