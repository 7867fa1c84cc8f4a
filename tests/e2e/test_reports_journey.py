"""A county clerk drills from the county dashboard to a township, a community and the records
behind a number, on a desktop and on a phone; exports run with a progress bar."""

import datetime
import os

from members.models import DutyRecord
from organizations.models import Role, UnitKind

from ..factories import make_member, make_unit, make_user
from .conftest import login, scroll_width

SHOTS = "/tmp/shots-reports"


def _world():
    city = make_unit("淮北市", UnitKind.CITY)
    county = make_unit("相山区", UnitKind.COUNTY, city)
    township = make_unit("三堤口街道", UnitKind.TOWNSHIP, county, liaison_body_name="三堤口街道政协联络组")
    make_unit("东山街道", UnitKind.TOWNSHIP, county)
    community = make_unit("庆相桥社区", UnitKind.VILLAGE, township)
    make_unit("西街社区", UnitKind.VILLAGE, township)
    other = make_unit("濉溪县", UnitKind.COUNTY, city)
    today = datetime.date.today()
    for i, name in enumerate(["张一", "王二", "李三"]):
        member = make_member(community, name=name)
        DutyRecord.objects.create(member=member, org_unit=community, kind="research", occurred_on=today,
                                  title=f"社区议事{i}")
    make_member(other, name="外县委员")
    make_user(Role.OFFICE_CLERK, county, username="clerk")
    return county, township, community


def _shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _drill(page, live_server, prefix):
    county, township, community = _world()
    login(page, live_server, "clerk")
    page.goto(f"{live_server.url}/reports/")
    page.wait_for_selector("#dashboard-title:has-text('相山区')")
    assert page.locator("[data-metric='members.active']").inner_text().startswith("3")
    # headline figures come first; only the first section is open, its chart drawn or noted as empty
    assert page.locator("#report-headline [data-headline]").count() >= 1
    page.wait_for_selector("[data-section-body='0'] .report-chart[data-series]")
    # the members' headline card opens its folded section, whose chart is drawn then (no CSP error)
    members = page.locator("section.report-section", has=page.locator("[data-metric='members.active']"))
    index = members.get_attribute("data-section")
    assert not members.locator(".report-chart").is_visible()
    page.click(f"[data-open-section='{index}']")
    members.locator(".report-chart svg").wait_for()
    # every drawn chart keeps to at most 8 series
    for count in page.locator(".report-chart[data-series]").evaluate_all("els => els.map(e => +e.dataset.series)"):
        assert 0 <= count <= 8
    _shot(page, f"{prefix}-county")
    page.locator(f"a[data-drill='{township.pk}']").first.click()
    page.wait_for_selector("#dashboard-title:has-text('三堤口街道')")
    page.locator(f"a[data-drill='{community.pk}']").first.click()
    page.wait_for_selector("#dashboard-title:has-text('庆相桥社区')")
    _shot(page, f"{prefix}-community")
    # the community's sections fold too: open the one holding the duty records by its header
    duty = page.locator("[data-metric='members.duty_records']")
    section = page.locator("section.report-section", has=duty)
    if not duty.is_visible():
        section.locator(".report-section-toggle").click()
    duty.locator("a").wait_for()
    assert section.locator(".report-section-toggle").get_attribute("aria-expanded") == "true"
    page.click("[data-metric='members.duty_records'] a")
    page.wait_for_selector("#record-count")
    assert page.locator("#record-count").inner_text().startswith("共 3 条")
    assert page.locator("#record-table tbody tr").count() == 3
    assert "外县委员" not in page.content()
    _shot(page, f"{prefix}-records")
    # back up through the breadcrumb to the county
    page.click("#report-breadcrumb a:has-text('相山区')")
    page.wait_for_selector("#dashboard-title:has-text('相山区')")
    return county


def test_clerk_drills_from_the_county_to_a_community_and_its_records(live_server, page):
    _drill(page, live_server, "1280")
    # export: the progress card appears in place (htmx) and keeps polling while queued
    page.click("button[data-export='dashboard']")
    page.wait_for_selector("#export-status .export-job")
    assert page.locator("#export-status .export-job").get_attribute("data-status") in {"queued", "running", "done"}
    _shot(page, "1280-export")
    # sorting the children table by a number column
    page.click("#children-table-0 thead th:nth-child(2)")
    assert page.locator("#children-table-0 thead th:nth-child(2)").get_attribute("aria-sort") == "descending"


def test_clerk_drills_on_a_phone(live_server, phone):
    _drill(phone, live_server, "375")
    assert scroll_width(phone) <= 375


def test_bad_period_shows_a_clear_message(live_server, page):
    county, _, _ = _world()
    login(page, live_server, "clerk")
    page.goto(f"{live_server.url}/reports/unit/{county.pk}/?period=custom&start=2025-05-01&end=2025-04-01")
    page.wait_for_selector("text=结束日期早于开始日期。")
