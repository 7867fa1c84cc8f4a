"""The directory's visible set read through each branch's own index (members of the scope, members
posted into it, the user's own record) is exactly the set of the single `OR` it replaced, for every
role of the tree, a province-wide reader and the directory's unit filter."""

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext

from members import selectors
from members.models import Member, Posting
from organizations import permissions
from organizations.models import Role, RoleAssignment

from ..factories import make_member

pytestmark = pytest.mark.django_db


def _reference(user):
    """The definition as it was: `scope OR EXISTS(active posting into the scope) OR own`."""
    if permissions.is_admin(user):
        return set(Member.objects.all())
    posted = Posting.objects.filter(permissions.scope_q(user), member=OuterRef("pk"), is_active=True)
    own = Q(user=user) if user.is_authenticated else Q(pk__in=[])
    return set(Member.objects.filter(permissions.scope_q(user) | Exists(posted) | own))


def _unit_reference(unit):
    posted = Posting.objects.filter(member=OuterRef("pk"), is_active=True, org_path__startswith=unit.path)
    return set(Member.objects.filter(Q(org_path__startswith=unit.path) | Exists(posted), is_active=True))


@pytest.fixture
def population(tree, users):
    in_scope = make_member(tree.county_a, name="本区委员")
    in_village = make_member(tree.village_a1a, name="社区委员")
    posted_in = make_member(tree.county_b, posted_to=tree.township_a1, name="派驻委员")
    posted_out = make_member(tree.county_a, posted_to=tree.township_b1, name="外派委员")
    withdrawn = make_member(tree.county_b, posted_to=tree.township_a2, name="撤回委员")
    Posting.objects.filter(member=withdrawn).update(is_active=False)
    own = make_member(tree.county_b, user=users.secretary, name="自己")
    outsider = make_member(tree.county_b, name="外县委员")
    inactive = make_member(tree.county_a, name="离任委员", is_active=False)
    return {"in_scope": in_scope, "in_village": in_village, "posted_in": posted_in, "posted_out": posted_out,
            "withdrawn": withdrawn, "own": own, "outsider": outsider, "inactive": inactive}


def test_visible_set_unchanged_for_every_role(users, population):
    for name, user in vars(users).items():
        assert set(selectors.members_visible_to(user=user)) == _reference(user), name


def test_the_branches(users, tree, population):
    p = population
    clerk = set(selectors.members_visible_to(user=users.clerk))
    assert {p["in_scope"], p["in_village"], p["posted_out"], p["posted_in"], p["inactive"]} <= clerk
    assert p["outsider"] not in clerk and p["own"] not in clerk and p["withdrawn"] not in clerk
    secretary = set(selectors.members_visible_to(user=users.secretary))  # 三堤口街道 and its village
    assert secretary == {p["in_village"], p["posted_in"], p["own"]}
    # a province-wide reader: the same set through the path walk
    RoleAssignment.objects.create(user=users.nobody, role=Role.LEADER, unit=tree.province)
    reader = type(users.nobody).objects.get(pk=users.nobody.pk)
    assert not selectors._province_wide([]) and selectors._province_wide(permissions.scope_paths(reader))
    wide = set(selectors.members_visible_to(user=reader))
    assert wide == _reference(reader) and p["outsider"] in wide and len(wide) == Member.objects.count()


def test_directory_unit_filter_unchanged(users, tree, population):
    for unit in (tree.province, tree.county_a, tree.township_a1, tree.township_a2, tree.village_a1a, tree.county_b):
        listed = set(selectors.member_list(user=users.admin, unit=unit))
        assert listed == _unit_reference(unit), unit.name
        for user in (users.clerk, users.secretary, users.city_clerk):
            expected = _unit_reference(unit) & {m for m in _reference(user) if m.is_active}
            assert set(selectors.member_list(user=user, unit=unit)) == expected, (unit.name, user.username)


def test_each_branch_reads_its_own_index(users, population):
    """A county's scope is not one OR over every member: the ids come from the scope's path
    range, the postings' and the user's row, then by primary key."""
    with CaptureQueriesContext(connection) as ctx:
        list(selectors.member_list(user=users.clerk).prefetch_related(None)[:31])
    sql = ctx.captured_queries[-1]["sql"]
    assert " = ANY(ARRAY(" in sql and "EXISTS" not in sql


def test_directory_rows_print_committees_postings_and_sector(client, users, tree, bodies):
    """The directory's rows read as plain rows (names as arrays) print what the model rows did:
    committees by unit, kind and name, postings in the order they were made, "—" when none."""
    from django.urls import reverse

    from organizations.models import Body, BodyKind

    second = Body.objects.create(unit=tree.county_a, kind=BodyKind.COMMITTEE, name="文史委员会")
    m = make_member(tree.county_a, name="多岗委员", sector=bodies["sector"], posted_to=tree.township_a2)
    Posting.objects.create(member=m, org_unit=tree.township_a1)
    m.committees.add(second, bodies["committee"])
    make_member(tree.county_a, name="无岗委员")
    client.force_login(users.clerk)
    html = client.get(reverse("members:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    row = next(r for r in html.split("<tr>") if "多岗委员" in r)
    assert "<td>教育界</td><td>提案委员会、文史委员会</td>" in row and "<td>东山街道、三堤口街道</td>" in row
    bare = next(r for r in html.split("<tr>") if "无岗委员" in r)
    assert bare.count("<td>—</td>") == 3
    Posting.objects.filter(member=m, org_unit=tree.township_a2).update(is_active=False)
    html = client.get(reverse("members:list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<td>三堤口街道</td>" in next(r for r in html.split("<tr>") if "多岗委员" in r)
