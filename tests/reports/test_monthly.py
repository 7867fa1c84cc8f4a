"""The monthly report by e-mail: one message per county/city office, never twice."""

import datetime

import pytest
from django.core import mail

from organizations.models import Role
from reports.models import MonthlyReportDelivery
from reports.monthly import monthly_reports_send
from tests.factories import make_user

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def test_each_office_gets_last_months_report_once(tree, world, users):
    users.clerk.email = "clerk@a.invalid"
    users.clerk.save()
    users.city_clerk.email = "city@a.invalid"
    users.city_clerk.save()
    make_user(Role.OFFICE_CLERK, tree.county_a, email="clerk2@a.invalid")
    make_user(Role.SECRETARY, tree.township_a1, email="sec@a.invalid")  # not an office: nothing

    assert monthly_reports_send(today=datetime.date(YEAR, 6, 1)) == 2
    by_recipients = {tuple(m.to): m for m in mail.outbox}
    assert set(by_recipients) == {("clerk2@a.invalid", "clerk@a.invalid"), ("city@a.invalid",)}
    county_mail = by_recipients[("clerk2@a.invalid", "clerk@a.invalid")]
    assert county_mail.subject == f"相山区月报：{YEAR}年5月"
    assert "在册委员: 3 人" in county_mail.body and "履职活动（人次）: 2 人次" in county_mail.body
    assert f"/reports/unit/{tree.county_a.pk}/?period=month&year={YEAR}&month=5" in county_mail.body
    # county B has no clerk with an e-mail: nothing sent, nothing recorded

    assert monthly_reports_send(today=datetime.date(YEAR, 6, 2)) == 0
    assert len(mail.outbox) == 2
    assert MonthlyReportDelivery.objects.count() == 2


def test_january_reports_december_of_the_year_before(tree, users):
    users.clerk.email = "clerk@a.invalid"
    users.clerk.save()
    monthly_reports_send(today=datetime.date(YEAR + 1, 1, 1))
    assert mail.outbox[0].subject == f"相山区月报：{YEAR}年12月"
