"""Fixtures shared by the whole suite.

`tree` is a small org tree with two counties so every test can prove scoping against a sibling:

    安徽省 (province)
    └─ 淮北市 (city)
       ├─ 相山区 (county A)  ── 三堤口街道 (township A1) ── 庆相桥社区 (village A1a)
       │                    ├─ 东山街道 (township A2)
       │                    └─ 相山区城管局 (department)
       └─ 濉溪县 (county B)  ── 临涣镇 (township B1) ── 临涣村 (village B1a)
"""

import os
from types import SimpleNamespace

import pytest
from django.db import connection

from organizations.models import UnitKind

from .factories import make_unit, make_user

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.fixture(autouse=True)
def _backend_requirements(request):
    """Tests marked `postgres` need PostgreSQL. Locally they skip on SQLite; in CI
    (REQUIRE_SERVICES=1) a missing service is a failure, never a silent skip."""
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("This test needs PostgreSQL (set DATABASE_URL).")
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tree(db):
    province = make_unit("安徽省", UnitKind.PROVINCE)
    city = make_unit("淮北市", UnitKind.CITY, province)
    county_a = make_unit("相山区", UnitKind.COUNTY, city)
    township_a1 = make_unit("三堤口街道", UnitKind.TOWNSHIP, county_a, liaison_body_name="三堤口街道政协联络组")
    village_a1a = make_unit("庆相桥社区", UnitKind.VILLAGE, township_a1)
    township_a2 = make_unit("东山街道", UnitKind.TOWNSHIP, county_a)
    dept_a = make_unit("相山区城管局", UnitKind.DEPARTMENT, county_a)
    county_b = make_unit("濉溪县", UnitKind.COUNTY, city)
    township_b1 = make_unit("临涣镇", UnitKind.TOWNSHIP, county_b)
    village_b1a = make_unit("临涣村", UnitKind.VILLAGE, township_b1)
    return SimpleNamespace(
        province=province, city=city, county_a=county_a, township_a1=township_a1, village_a1a=village_a1a,
        township_a2=township_a2, dept_a=dept_a, county_b=county_b, township_b1=township_b1,
        village_b1a=village_b1a,
    )


@pytest.fixture
def users(tree):
    """One user per role, all in county A's part of the tree (the admin at the province)."""
    from organizations.models import Role

    admin = make_user(Role.ADMIN, tree.province, username="admin_u")
    return SimpleNamespace(
        admin=admin,
        city_clerk=make_user(Role.OFFICE_CLERK, tree.city, username="city_clerk_u"),
        clerk=make_user(Role.OFFICE_CLERK, tree.county_a, username="clerk_u"),
        clerk_b=make_user(Role.OFFICE_CLERK, tree.county_b, username="clerk_b_u"),
        proposal=make_user(Role.PROPOSAL_STAFF, tree.county_a, username="proposal_u"),
        secretary=make_user(Role.SECRETARY, tree.township_a1, username="secretary_u"),
        secretary_b=make_user(Role.SECRETARY, tree.township_b1, username="secretary_b_u"),
        approver=make_user(Role.APPROVER, tree.township_a1, username="approver_u"),
        member=make_user(Role.MEMBER, tree.county_a, username="member_u"),
        dept=make_user(Role.DEPARTMENT, tree.dept_a, username="dept_u"),
        leader=make_user(Role.LEADER, tree.county_a, username="leader_u"),
        nobody=make_user(None, None, username="nobody_u"),
    )
