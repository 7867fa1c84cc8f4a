"""The city office opens its cockpit (驾驶舱) from the dashboard: the map of 淮北市 is drawn with its
four counties coloured by the chosen figure; switching the figure recolours the map and changes
the legend; the page refreshes itself (the overdue list follows a new overdue item); at 375 px it
stays usable. Screenshots in /tmp/shots-cockpit."""

import datetime
import os

from django.utils import timezone

from consultations.models import Session, SessionStatus, Suggestion, SuggestionStatus, Topic
from organizations.models import OrgUnit, Role, UnitKind
from proposals.models import Proposal, ProposalStatus
from reports.cockpit import TREND
from reports.periods import month_period
from reports.services import facts_refresh

from ..factories import make_member, make_unit, make_user
from .conftest import login, scroll_width

SHOTS = "/tmp/shots-cockpit"
# sessions held and proposals closed this year, per county: the two figures colour differently
COUNTIES = {"相山区": (4, 0), "杜集区": (3, 1), "烈山区": (1, 3), "濉溪县": (0, 5)}


def _world():
    today = timezone.localdate()
    city = make_unit("淮北市", UnitKind.CITY)
    for name, (sessions, closed) in COUNTIES.items():
        county = make_unit(name, UnitKind.COUNTY, city)
        make_unit(f"{name}街道", UnitKind.TOWNSHIP, county)
        proposer = make_member(county)
        for i in range(sessions):
            topic = Topic.objects.create(org_unit=county, title=f"{name}议题{i}", channel="residents")
            Session.objects.create(org_unit=county, topic=topic, scheduled_on=today, status=SessionStatus.HELD,
                                   venue="议事厅")
        for i in range(closed):
            Proposal.objects.create(org_unit=county, proposer=proposer, submitted_by=make_user(), title=f"提案{i}",
                                    case="案由", status=ProposalStatus.CLOSED, submitted_on=today, closed_on=today)
    make_user(Role.OFFICE_CLERK, city, username="city_clerk")
    return city


def _overdue(city, days):
    county = OrgUnit.objects.get(parent=city, name="相山区")
    topic = Topic.objects.create(org_unit=county, title="积水点整治", channel="residents")
    Suggestion.objects.create(topic=topic, text=f"排水管网改造（{days}天）", route="department",
                              status=SuggestionStatus.PENDING,
                              deadline=timezone.localdate() - datetime.timedelta(days=days))


def _shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _fills(page):
    return page.eval_on_selector_all("#cockpit-map svg path", "ps => ps.map(p => p.getAttribute('fill'))")


def _open(page, live_server, city):
    login(page, live_server, "city_clerk")
    page.goto(f"{live_server.url}/reports/unit/{city.pk}/")
    page.click("#cockpit-link")
    page.wait_for_selector("#cockpit-title:has-text('淮北市')")
    page.wait_for_selector("#cockpit-map[data-figure='sessions_quota'] svg path")


def test_city_cockpit_coloured_by_a_figure_and_switched(live_server, page):
    city = _world()
    _overdue(city, 12)
    today = timezone.localdate()
    facts_refresh(periods=[month_period(today.year, today.month)], keys=TREND)  # this month's trend point
    page.clock.install()
    _open(page, live_server, city)
    mapbox = page.locator("#cockpit-map")
    assert mapbox.get_attribute("data-regions") == "4"
    assert mapbox.get_attribute("data-coloured") == "4"
    for name in COUNTIES:  # every county is labelled on the map
        assert page.locator("#cockpit-map svg text", has_text=name).count() == 1
    legend = page.locator("#cockpit-legend")
    assert "协商会完成率" in legend.inner_text() and "100%" in legend.inner_text()
    # sessions against the yearly quota (4 for a county): 相山区 is full, 濉溪县 has none
    ranking = page.locator("#cockpit-ranking li")
    assert ranking.first.inner_text().replace("\n", " ").startswith("相山区")
    assert "100%" in ranking.first.inner_text()
    before = _fills(page)
    assert len(set(before)) >= 3  # four different values, at least three colours
    assert page.locator("#cockpit-counters [data-counter='consultations.sessions_held'] [data-value]").inner_text() == "8"
    assert "逾期 12 天" in page.locator("#cockpit-overdue").inner_text()
    assert page.locator("#cockpit-trend svg").count() == 1
    assert page.locator("#cockpit-trend-note").is_visible() == (today.month > 1)  # earlier months: not built
    page.wait_for_timeout(1200)  # the map's colour transition
    _shot(page, "1280-sessions")

    page.select_option("#cockpit-figure", "proposals_closed")
    page.wait_for_selector("#cockpit-legend[data-figure='proposals_closed']")
    page.wait_for_selector("#cockpit-map[data-figure='proposals_closed']")
    assert "办结提案数" in legend.inner_text() and "协商会完成率" not in legend.inner_text()
    assert page.locator("#cockpit-figure-label").inner_text() == "办结提案数"
    page.wait_for_function("before => { const f = Array.from(document.querySelectorAll('#cockpit-map svg path'))"
                           ".map(p => p.getAttribute('fill')); return JSON.stringify(f) !== JSON.stringify(before); }",
                           arg=before)
    assert ranking.first.inner_text().replace("\n", " ").startswith("濉溪县")
    assert page.url.endswith("?figure=proposals_closed")
    page.wait_for_timeout(1200)
    _shot(page, "1280-proposals")

    # it refreshes itself: a new overdue item appears after a minute, without a reload
    _overdue(city, 45)
    page.clock.fast_forward(61_000)
    page.wait_for_selector("#cockpit-overdue:has-text('逾期 45 天')")
    assert page.locator("#cockpit-overdue-total").inner_text() == "2"
    assert page.locator("#cockpit-figure").input_value() == "proposals_closed"  # the figure is kept

    # a click on a county opens its cockpit, with the same figure
    page.locator("#cockpit-ranking a", has_text="杜集区").click()
    page.wait_for_selector("#cockpit-title:has-text('杜集区')")
    page.wait_for_selector("#cockpit-map[data-figure='proposals_closed'] svg path")
    assert page.locator("#cockpit-map").get_attribute("data-regions") == "1"


def test_city_cockpit_on_a_phone_and_a_wall_screen(live_server, phone, _browser):
    city = _world()
    _overdue(city, 3)
    _open(phone, live_server, city)
    assert phone.locator("#cockpit-map").get_attribute("data-regions") == "4"
    assert scroll_width(phone) <= 375
    assert phone.locator("#cockpit-figure").is_visible()
    phone.wait_for_timeout(1200)
    _shot(phone, "375")
    wall = _browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN").new_page()
    try:
        _open(wall, live_server, city)
        # the wall screen holds everything on one screen
        assert wall.evaluate("document.documentElement.scrollHeight") <= 1080 + 2
        wall.wait_for_timeout(1200)
        _shot(wall, "1920")
    finally:
        wall.context.close()
