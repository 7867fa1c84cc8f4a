"""Scope leaks and bad input on the pages and the API."""

import pytest
from django.urls import reverse

from organizations.models import Role
from tests.factories import make_user

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def dash(unit, query=""):
    return reverse("reports:unit", args=[unit.pk]) + query


@pytest.mark.parametrize("who", ["clerk", "proposal", "leader"])
def test_county_roles_see_their_county_and_below(client, tree, world, users, who):
    client.force_login(getattr(users, who))
    assert client.get(dash(tree.county_a)).status_code == 200
    assert client.get(dash(tree.village_a1a)).status_code == 200
    assert client.get(reverse("reports:index"))["Location"] == dash(tree.county_a)


@pytest.mark.parametrize("who", ["clerk", "proposal", "leader"])
def test_county_roles_never_reach_another_county_or_the_city(client, tree, users, who):
    client.force_login(getattr(users, who))
    for unit in (tree.county_b, tree.village_b1a, tree.city, tree.province):
        assert client.get(dash(unit)).status_code == 404
        assert client.get(reverse("reports:records", args=[unit.pk, "members.active"])).status_code == 404
        assert client.get(f"/api/v1/reports/units/{unit.pk}/").status_code == 404
        assert client.post(reverse("reports:export_create", args=[unit.pk]), {"kind": "dashboard"}).status_code == 404


@pytest.mark.parametrize("who", ["secretary", "approver", "member", "dept", "nobody"])
def test_roles_without_reports_are_refused(client, tree, users, who):
    client.force_login(getattr(users, who))
    assert client.get(reverse("reports:index")).status_code == 403
    assert client.get(dash(tree.township_a1)).status_code == 403
    assert client.get(f"/api/v1/reports/units/{tree.township_a1.pk}/").status_code == 403


def test_county_numbers_never_include_another_countys_records(client, tree, world, users):
    client.force_login(users.clerk)
    data = client.get(f"/api/v1/reports/units/{tree.county_a.pk}/?year={YEAR}").json()
    values = {m["key"]: m["value"] for m in data["metrics"]}
    assert values["members.active"] == 3 and values["members.duty_records"] == 3
    assert {c["name"] for c in data["children"]} == {"三堤口街道", "东山街道", "相山区城管局"}


def test_breadcrumb_stops_at_the_top_of_the_users_scope(client, tree, users):
    client.force_login(users.clerk)
    html = client.get(dash(tree.village_a1a)).content.decode()
    assert "相山区" in html and "三堤口街道" in html
    assert "淮北市" not in html and "安徽省" not in html


def test_the_city_clerk_drills_into_both_counties(client, tree, world, users):
    client.force_login(users.city_clerk)
    html = client.get(dash(tree.city, f"?year={YEAR}")).content.decode()
    assert dash(tree.county_a, f"?period=year&amp;year={YEAR}") in html
    assert dash(tree.county_b, f"?period=year&amp;year={YEAR}") in html


def test_record_list_count_equals_the_number_on_the_dashboard(client, tree, world, users):
    client.force_login(users.clerk)
    data = client.get(f"/api/v1/reports/units/{tree.county_a.pk}/?year={YEAR}").json()
    for m in data["metrics"]:
        if not m["link"]:
            continue
        page = client.get(m["link"])
        assert page.status_code == 200
        assert page.context["page"].paginator.count == m["value"], m["key"]
    # and the list shows the records themselves
    page = client.get(reverse("reports:records", args=[tree.county_a.pk, "members.duty_records"]) + f"?year={YEAR}")
    assert "调研一" in page.content.decode() and "县B" not in page.content.decode()


@pytest.mark.parametrize("query,field,message", [
    ("?period=custom&start=2025-05-01&end=2025-04-01", "end", "The end of the period is before its start."),
    ("?period=custom&start=1990-01-01&end=2025-01-01", "end", "A report covers at most ten years"),
    ("?period=custom&start=2025-05-01", "end", "A custom range needs both"),
    ("?period=year&year=1800", "year", "Choose a year between"),
    ("?period=year&year=abc", "year", ""),
    ("?period=month&month=13", "month", ""),
    ("?period=custom&start=2025-02-30&end=2025-03-01", "start", ""),
    ("?period=decade", "period", ""),
])
def test_bad_periods_give_clear_errors_never_a_500(client, tree, users, query, field, message):
    client.force_login(users.clerk)
    client.cookies["django_language"] = "en"
    page = client.get(dash(tree.county_a, query), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400
    assert field in page.context["form"].errors
    assert message in page.content.decode()
    api = client.get(f"/api/v1/reports/units/{tree.county_a.pk}/{query}")
    assert api.status_code == 400 and field in api.json()


def test_period_errors_are_translated(client, tree, users):
    client.force_login(users.clerk)
    page = client.get(dash(tree.county_a, "?period=custom&start=2025-05-01&end=2025-04-01"),
                      HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "结束日期早于开始日期" in page.content.decode()


def test_chinese_and_slashed_dates_are_accepted(client, tree, users):
    client.force_login(users.clerk)
    for start, end in [("2025年1月1日", "2025年3月31日"), ("2025/01/01", "2025/03/31")]:
        page = client.get(dash(tree.county_a), {"period": "custom", "start": start, "end": end})
        assert page.status_code == 200, page.context["form"].errors
        assert page.context["period"].end.isoformat() == "2025-03-31"


def test_leader_reads_but_cannot_change_the_report_template(client, tree, users):
    client.force_login(users.leader)
    assert client.get(dash(tree.county_a)).status_code == 200
    assert client.get(reverse("reports:template", args=[tree.county_a.pk])).status_code == 403


def test_someone_elses_export_job_is_not_found(client, tree, users, eager_celery, django_capture_on_commit_callbacks):
    from reports.services import export_request

    job, _ = export_request(actor=users.clerk, unit=tree.county_a, kind="dashboard",
                            params={"period": {"kind": "year", "start": "2025-01-01", "end": "2025-12-31"}})
    other = make_user(Role.OFFICE_CLERK, tree.county_a)
    client.force_login(other)
    assert client.get(reverse("reports:export", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:export_download", args=[job.pk])).status_code == 404


def test_home_page_shows_the_clerks_county_numbers_and_nothing_for_a_secretary(client, tree, world, users):
    client.force_login(users.clerk)
    html = client.get("/").content.decode()
    assert 'id="reports-panel"' in html and dash(tree.county_a) in html
    client.force_login(users.secretary)
    assert 'id="reports-panel"' not in client.get("/").content.decode()


def test_unit_page_of_the_org_tree_links_to_its_dashboard(client, tree, users):
    client.force_login(users.clerk)
    html = client.get(reverse("organizations:unit", args=[tree.township_a1.pk])).content.decode()
    assert dash(tree.township_a1) in html
