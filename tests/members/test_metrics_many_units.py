"""The member metrics over many units at once (the summary's full build passes every active unit,
~18,000 at province scale): the same values as unit by unit, work in proportion to rows × depth
rather than rows × units, and no query of the province beyond the units' subtrees.

At scale 1.0 the full build used to test every member's path against every unit (50,000 ×
18,000 for the scores) and every (path, sector) row of the province's duty file against every
unit, and sent one LIKE per unit to PostgreSQL for the members it scores."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations import metrics as consultation_metrics
from consultations.models import Topic
from members import metrics
from members.models import DutyRecord
from organizations.models import Body, BodyKind, OrgUnit, UnitKind

from ..factories import make_member, make_units

pytestmark = pytest.mark.django_db

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)


@pytest.fixture
def busy(tree):
    """Members with sectors and committees at several depths of the tree, each with duty records;
    and a second province whose records no computation over the first may read."""
    other = make_units({"province": ("外省", UnitKind.PROVINCE, None),
                        "county": ("外县", UnitKind.COUNTY, "province")})
    sector_a = Body.objects.create(unit=tree.county_a, kind=BodyKind.SECTOR, name="经济界")
    sector_b = Body.objects.create(unit=tree.county_b, kind=BodyKind.SECTOR, name="教育界")
    committee = Body.objects.create(unit=tree.county_a, kind=BodyKind.COMMITTEE, name="提案委")
    far = Body.objects.create(unit=other["county"], kind=BodyKind.SECTOR, name="外省界")
    placed = [(tree.village_a1a, sector_a, 3), (tree.township_a1, sector_a, 2), (tree.county_a, sector_b, 1),
              (tree.village_b1a, sector_b, 4), (tree.township_b1, None, 2), (tree.county_b, sector_b, 0),
              (other["county"], far, 5)]
    for unit, sector, n in placed:
        member = make_member(unit, sector=sector)
        if unit.kind in (UnitKind.VILLAGE, UnitKind.COUNTY) and unit.name != "外县":
            member.committees.add(committee)
        for k in range(n):
            # one by one: a save keeps the members' score table current (bulk_create would not)
            DutyRecord.objects.create(member=member, kind="volunteer", title=f"志愿{k}", status="verified",
                                      occurred_on=START + datetime.timedelta(days=7 * k), org_unit=unit,
                                      org_path=unit.path)
    return other


def _tree_units(tree):
    units = list(OrgUnit.objects.filter(path__startswith=tree.province.path).order_by("path"))
    assert len(units) > metrics.FEW_UNITS  # the many-units branch of each metric
    return units


@pytest.mark.parametrize("func", [metrics.sector_activity, metrics.committee_activity, metrics.participants,
                                  metrics.duty_points, metrics.below_minimum, metrics.active_members])
def test_many_units_at_once_equal_each_unit_alone(tree, busy, func):
    units = _tree_units(tree)
    together = func(units, START, END)
    alone = {u.pk: func([u], START, END)[u.pk] for u in units}
    assert together == alone
    assert together[tree.province.pk] > 0


def test_scored_members_are_selected_by_subtree_root_not_one_like_per_unit(tree, busy):
    units = _tree_units(tree)
    with CaptureQueriesContext(connection) as ctx:
        metrics.duty_points(units, START, END)
    scoped = [q["sql"] for q in ctx.captured_queries if 'FROM "members_member"' in q["sql"] and " LIKE " in q["sql"]]
    assert scoped
    assert all(q.count(" LIKE ") == 1 for q in scoped), scoped  # the province's root only, not 10 units


def test_activity_by_body_reads_the_units_subtrees_only(tree, busy):
    units = _tree_units(tree)
    with CaptureQueriesContext(connection) as ctx:
        found = metrics.activity_by_body(units, START, END, kind="sector")
    (sql,) = [q["sql"] for q in ctx.captured_queries]
    assert " LIKE " in sql  # not the whole duty file of every province
    assert found[tree.province.pk] == {"经济界": 5, "教育界": 5}
    assert found[tree.county_b.pk] == {"教育界": 4}
    assert "外省界" not in str(found)


def test_topics_by_category_reads_the_units_subtrees_only(tree, busy):
    Topic.objects.create(org_unit=tree.village_a1a, title="加装电梯", category="城建", raised_on=START)
    Topic.objects.create(org_unit=tree.township_b1, title="道路", category="", raised_on=START)
    Topic.objects.create(org_unit=busy["county"], title="外省议题", category="外省", raised_on=START)
    units = [tree.city, tree.county_a, tree.county_b, tree.township_a1]
    with CaptureQueriesContext(connection) as ctx:
        found = consultation_metrics.topics_by_category(units, START, END)
    assert " LIKE " in ctx.captured_queries[0]["sql"]
    assert found == {tree.city.pk: {"城建": 1, "—": 1}, tree.county_a.pk: {"城建": 1}, tree.county_b.pk: {"—": 1},
                     tree.township_a1.pk: {"城建": 1}}


@pytest.mark.parametrize("kind", ["sector", "committee"])
def test_body_counts_start_from_the_members_with_a_body(tree, busy, kind):
    """Sectors / committees active: the records of members with a body (an inner join), not the
    records minus those of members without one — that anti-join read the province's whole duty file
    of the period even when no member had a committee (0.55 s for 2026 at 1,000,000 topics)."""
    units = [tree.province, tree.city, tree.county_a, tree.township_a1, tree.village_a1a]  # one path, few units
    with CaptureQueriesContext(connection) as ctx:
        found = metrics._bodies_active(units, START, END, kind)
    (sql,) = [q["sql"] for q in ctx.captured_queries]
    assert " NOT (" not in sql and "LEFT OUTER JOIN" not in sql
    assert found == {u.pk: metrics._bodies_active([u], START, END, kind)[u.pk] for u in units}
    assert found[tree.province.pk] == (2 if kind == "sector" else 1)
