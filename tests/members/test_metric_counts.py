"""Member counts that must count members, not rows: "有履职记录的委员" with many records per member."""

import datetime

import pytest

from members import metrics
from members.models import DutyRecord
from tests.factories import make_member

pytestmark = pytest.mark.django_db

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)


def test_members_with_duty_records_count_each_member_once_however_many_records(tree):
    """11 members with 466 records between them (the bug counted 466): 8 in county A and 3 in county B;
    a community, the others at the county) and 3 in county B; withdrawn and last year's records and
    an inactive member do not make a member count."""
    a = [make_member(tree.county_a) for _ in range(8)]
    b = [make_member(tree.county_b) for _ in range(3)]
    rows = []
    for i, m in enumerate(a + b):
        for k in range(42 if i < 7 else 43):
            rows.append(DutyRecord(member=m, kind="volunteer", title=f"志愿{k}",
                                   occurred_on=START + datetime.timedelta(days=k), org_unit=m.org_unit,
                                   org_path=m.org_unit.path, status="verified"))
    idle = make_member(tree.county_a)
    rows += [DutyRecord(member=idle, kind="volunteer", title="撤回", occurred_on=START, org_unit=tree.county_a,
                        org_path=tree.county_a.path, status="withdrawn"),
             DutyRecord(member=idle, kind="volunteer", title="去年", occurred_on=START - datetime.timedelta(days=1),
                        org_unit=tree.county_a, org_path=tree.county_a.path, status="verified")]
    gone = make_member(tree.county_a, is_active=False)
    rows.append(DutyRecord(member=gone, kind="volunteer", title="离任", occurred_on=START, org_unit=tree.county_a,
                           org_path=tree.county_a.path, status="verified"))
    DutyRecord.objects.bulk_create(rows)
    assert DutyRecord.objects.filter(status="verified", occurred_on__gte=START).exclude(member=gone).count() == 466
    units = [tree.city, tree.county_a, tree.county_b, tree.township_a1]
    assert metrics.active_members(units, START, END) == {
        tree.city.pk: 11, tree.county_a.pk: 8, tree.county_b.pk: 3, tree.township_a1.pk: 0}
