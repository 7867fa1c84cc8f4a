"""The office cockpit (驾驶舱): who may open it and for which unit, what its JSON holds (counted by
hand), the figure switch, bad parameters, the map outlines, the month-by-month trend read from the
summary tables only, the overdue list, and a query count that does not grow."""

import datetime
import itertools
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations.models import Ending, FollowUp, Session, SessionStatus, Suggestion, SuggestionStatus, Topic
from organizations.models import Role, UnitKind
from organizations.services import config_set
from proposals.models import Assignment, AssignmentStatus, Proposal, ProposalStatus
from reports import cockpit
from reports.periods import month_period, year_period
from reports.services import facts_refresh
from tests.factories import make_member, make_unit, make_user
from tests.helpers import assert_constant_queries

pytestmark = pytest.mark.django_db
_names = itertools.count(1)


def today():
    return timezone.localdate()


def _topic(unit):
    return Topic.objects.create(org_unit=unit, title=f"议题{next(_names)}", channel="residents")


def _held(unit, n=1, day=None):
    for _ in range(n):
        Session.objects.create(org_unit=unit, topic=_topic(unit), scheduled_on=day or today(),
                               status=SessionStatus.HELD, venue="议事厅")


def _suggestion(unit, *, solved=False, overdue_days=None):
    return Suggestion.objects.create(
        topic=_topic(unit), text=f"建议{next(_names)}", route="department",
        status=SuggestionStatus.DONE if solved else SuggestionStatus.PENDING,
        ending=Ending.SOLVED if solved else "", closed_on=today() if solved else None,
        deadline=today() - datetime.timedelta(days=overdue_days) if overdue_days else None)


def _proposal(unit, user, *, closed=True, title="提案"):
    return Proposal.objects.create(
        org_unit=unit, proposer=make_member(unit), submitted_by=user, title=title, case="案由",
        status=ProposalStatus.CLOSED if closed else ProposalStatus.HANDLING,
        submitted_on=today(), closed_on=today() if closed else None)


@pytest.fixture
def work(tree, users):
    """This year: 相山区 (county A) held 2 sessions (one in its township), solved 1 suggestion,
    closed 2 proposals and has 1 suggestion 10 days overdue and 1 reply 40 days overdue; 濉溪县
    (county B) held 1 session and has a follow-up review 3 days overdue."""
    _held(tree.county_a)
    _held(tree.township_a1)
    _held(tree.county_b)
    _suggestion(tree.township_a1, solved=True)
    late = _suggestion(tree.township_a1, overdue_days=10)
    _proposal(tree.county_a, users.proposal)
    open_one = _proposal(tree.county_a, users.proposal, closed=False, title="关于老旧小区加装电梯的提案")
    _proposal(tree.county_a, users.proposal)
    Assignment.objects.create(proposal=open_one, unit=tree.dept_a, status=AssignmentStatus.ASSIGNED,
                              due_on=today() - datetime.timedelta(days=40))
    FollowUp.objects.create(topic=_topic(tree.county_b), due_on=today() - datetime.timedelta(days=3))
    return {"late": late, "open": open_one}


def _data(client, unit, figure=None):
    url = reverse("reports:cockpit_data", args=[unit.pk]) + (f"?figure={figure}" if figure else "")
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


# ── who may open it ────────────────────────────────────────────────────────────────────────


def test_city_clerk_sees_the_city_with_its_counties_on_the_map(client, tree, users, work):
    client.force_login(users.city_clerk)
    response = client.get(reverse("reports:cockpit", args=[tree.city.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "淮北市 · 驾驶舱" in page and 'id="cockpit-map"' in page
    data = response.context["data"]
    assert data["map"]["file"] == "anhui-huaibei.json" and data["map"]["level"] == "city"
    assert {r["name"]: r["region"] for r in data["regions"]} == {"相山区": "相山区", "濉溪县": "濉溪县"}


def test_county_clerk_sees_their_county_and_not_the_city_or_the_other_county(client, tree, users, work):
    client.force_login(users.clerk)
    data = _data(client, tree.county_a)
    assert data["unit"]["name"] == "相山区"
    # the county's own outline, cut from its city's map; its townships are ranked below
    assert data["map"] == {"file": "anhui-huaibei.json", "url": data["map"]["url"], "level": "county",
                           "only": "相山区", "name": "anhui-huaibei:相山区"}
    # handling departments are not areas: not ranked
    assert {r["name"] for r in data["regions"]} == {"三堤口街道", "东山街道"}
    for unit in (tree.city, tree.county_b, tree.township_b1):
        assert client.get(reverse("reports:cockpit", args=[unit.pk])).status_code == 404
        assert client.get(reverse("reports:cockpit_data", args=[unit.pk])).status_code == 404


def test_index_goes_to_the_cockpit_of_the_top_unit(client, tree, users):
    client.force_login(users.city_clerk)
    response = client.get(reverse("reports:cockpit_index"))
    assert response.status_code == 302 and response["Location"] == reverse("reports:cockpit", args=[tree.city.pk])


@pytest.mark.parametrize("who", ["leader", "proposal", "admin"])
def test_leader_proposal_staff_and_admin_may_open_it(client, tree, users, who):
    client.force_login(getattr(users, who))
    assert client.get(reverse("reports:cockpit", args=[tree.county_a.pk])).status_code == 200


@pytest.mark.parametrize("who", ["secretary", "approver", "member", "dept", "resident", "nobody"])
def test_other_roles_are_refused(client, tree, users, who):
    user = make_user(Role.RESIDENT, tree.village_a1a) if who == "resident" else getattr(users, who)
    client.force_login(user)
    for name in ("reports:cockpit", "reports:cockpit_data"):
        assert client.get(reverse(name, args=[tree.county_a.pk])).status_code == 403
    assert client.get(reverse("reports:cockpit_index")).status_code == 403


def test_anonymous_is_sent_to_log_in(client, tree):
    response = client.get(reverse("reports:cockpit_data", args=[tree.city.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ── the numbers ────────────────────────────────────────────────────────────────────────────


def test_json_shape_and_numbers_for_the_city(client, tree, users, work):
    client.force_login(users.city_clerk)
    data = _data(client, tree.city)
    assert set(data) == {"unit", "period", "as_of", "as_of_display", "from_snapshot", "refresh_seconds", "figures",
                         "figure", "map", "regions", "counters", "trend", "overdue"}
    assert data["refresh_seconds"] == 60
    assert [f["key"] for f in data["figures"]] == ["sessions_quota", "suggestions_solved", "proposals_closed",
                                                   "members_below_minimum"]
    # default figure: sessions held against the yearly quota (a county's default quota is 4)
    assert data["figure"]["key"] == "sessions_quota" and data["figure"]["unit"] == "%"
    by_name = {r["name"]: r for r in data["regions"]}
    assert by_name["相山区"]["value"] == 50.0 and by_name["相山区"]["display"] == "50%"
    assert by_name["濉溪县"]["value"] == 25.0
    assert "2" in by_name["相山区"]["detail"] and "4" in by_name["相山区"]["detail"]
    assert by_name["相山区"]["url"] == reverse("reports:cockpit", args=[tree.county_a.pk]) + "?figure=sessions_quota"
    counters = {c["key"]: c["value"] for c in data["counters"]}
    assert counters["consultations.sessions_held"] == 3
    assert counters["consultations.suggestions_solved"] == 1
    assert counters["proposals.closed"] == 2
    assert counters["overdue"] == 3


def test_the_figure_switch_changes_the_values_and_the_legend(client, tree, users, work):
    client.force_login(users.city_clerk)
    data = _data(client, tree.city, "proposals_closed")
    assert data["figure"]["key"] == "proposals_closed" and data["figure"]["higher_is_better"]
    assert {r["name"]: r["value"] for r in data["regions"]} == {"相山区": 2, "濉溪县": 0}
    assert data["figure"]["max"] == 2
    below = _data(client, tree.city, "members_below_minimum")
    assert below["figure"]["higher_is_better"] is False


def test_a_quota_set_for_the_county_is_used(client, tree, users, work):
    config_set(actor=users.admin, unit=tree.county_a, key="consultations.sessions_per_year", value=8)
    client.force_login(users.city_clerk)
    data = _data(client, tree.city, "sessions_quota")
    assert {r["name"]: r["value"] for r in data["regions"]}["相山区"] == 25.0


def test_a_unit_without_a_quota_is_not_coloured(client, tree, users, work):
    """Cities have no default quota: on the province's map they show "—", not 0 %."""
    client.force_login(users.admin)
    data = _data(client, tree.province, "sessions_quota")
    assert data["map"]["file"] == "anhui.json"
    city = data["regions"][0]
    assert city["region"] == "淮北市" and city["value"] is None and city["display"] == "—"


def test_the_cockpit_reads_the_summary_table_when_it_covers_the_year(client, tree, users, work):
    facts_refresh(periods=[year_period(today().year)])
    client.force_login(users.city_clerk)
    data = _data(client, tree.city, "proposals_closed")
    assert data["from_snapshot"] is True
    assert {r["name"]: r["value"] for r in data["regions"]} == {"相山区": 2, "濉溪县": 0}


def test_the_trend_reads_the_month_rows_of_the_summary_only(client, tree, users, work):
    client.force_login(users.city_clerk)
    this_month = today().month
    before = _data(client, tree.city)["trend"]
    assert len(before["months"]) == this_month
    assert all(v is None for s in before["series"] for v in s["values"])  # nothing built: gaps, not computed
    assert before["missing"] == list(range(1, this_month + 1))
    facts_refresh(periods=[month_period(today().year, this_month)], keys=cockpit.TREND)
    after = _data(client, tree.city)["trend"]
    sessions = next(s for s in after["series"] if s["key"] == "consultations.sessions_held")
    assert sessions["values"][-1] == 3
    assert all(v is None for v in sessions["values"][:-1])
    assert after["missing"] == list(range(1, this_month))


def test_the_trend_never_takes_a_quarter_or_the_year_for_a_month(client, tree, users, work):
    """The year and the first quarter start on 1 January too: January shows January's own row."""
    year = today().year
    facts_refresh(periods=[year_period(year), month_period(year, 1)], keys=cockpit.TREND)
    client.force_login(users.city_clerk)
    trend = _data(client, tree.city)["trend"]
    sessions = next(s for s in trend["series"] if s["key"] == "consultations.sessions_held")
    assert sessions["values"][0] == (3 if today().month == 1 else 0)


# ── overdue ────────────────────────────────────────────────────────────────────────────────


def test_overdue_list_of_a_county_holds_only_its_own_items_most_overdue_first(client, tree, users, work):
    client.force_login(users.clerk)
    overdue = _data(client, tree.county_a)["overdue"]
    assert overdue["total"] == 2
    items = overdue["items"]
    assert [i["days"] for i in items] == [40, 10]
    assert items[0]["title"] == "关于老旧小区加装电梯的提案" and items[0]["unit"] == "相山区城管局"
    assert items[0]["level"] == "severe" and items[1]["level"] == "overdue"
    assert items[0]["url"] == reverse("proposals:detail", args=[work["open"].pk])
    page = client.get(reverse("reports:cockpit", args=[tree.county_a.pk])).content.decode()
    assert "逾期 40 天" in page and "逾期 10 天" in page
    client.force_login(users.city_clerk)
    assert _data(client, tree.city)["overdue"]["total"] == 3


def test_items_not_yet_due_or_done_are_not_overdue(client, tree, users, work):
    work["late"].status = SuggestionStatus.DONE
    work["late"].ending = Ending.SOLVED
    work["late"].closed_on = today()
    work["late"].save()
    Assignment.objects.update(due_on=today())
    client.force_login(users.clerk)
    assert _data(client, tree.county_a)["overdue"]["total"] == 0


# ── bad parameters ─────────────────────────────────────────────────────────────────────────


def test_an_unknown_figure_is_a_clear_400_not_a_500(client, tree, users):
    client.force_login(users.city_clerk)
    response = client.get(reverse("reports:cockpit_data", args=[tree.city.pk]) + "?figure=nope")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "figure" and "nope" in body["error"] and "办结提案数" in body["error"]
    page = client.get(reverse("reports:cockpit", args=[tree.city.pk]) + "?figure=%3Cscript%3E")
    assert page.status_code == 400
    assert "&lt;script&gt;" in page.content.decode() and 'id="cockpit-error"' in page.content.decode()


@pytest.mark.parametrize("pk", [999999, 0])
def test_a_missing_unit_is_404(client, users, pk):
    client.force_login(users.city_clerk)
    assert client.get(f"/reports/cockpit/{pk}/data/").status_code == 404


def test_a_non_numeric_unit_is_404(client, users):
    client.force_login(users.city_clerk)
    assert client.get("/reports/cockpit/abc/").status_code == 404


def test_post_is_refused(client, tree, users):
    client.force_login(users.city_clerk)
    assert client.post(reverse("reports:cockpit_data", args=[tree.city.pk])).status_code == 405


# ── maps ───────────────────────────────────────────────────────────────────────────────────


def test_every_city_of_anhui_has_its_outline_and_the_province_lists_them_all():
    names = cockpit.region_names()
    assert sorted(names["anhui.json"]) == sorted(cockpit.CITY_MAPS)
    for file in (f"anhui-{slug}.json" for slug in cockpit.CITY_MAPS.values()):
        geo = json.loads((cockpit.MAP_DIR / file).read_text(encoding="utf-8"))
        assert [f["properties"]["name"] for f in geo["features"]] == names[file]
        assert all(f["geometry"]["type"] in {"Polygon", "MultiPolygon"} for f in geo["features"])


def test_the_province_outline_is_plain_geojson_in_anhui():
    geo = json.loads((cockpit.MAP_DIR / "anhui.json").read_text(encoding="utf-8"))
    assert "UTF8Encoding" not in geo
    hefei = next(f for f in geo["features"] if f["properties"]["name"] == "合肥市")
    ring = hefei["geometry"]["coordinates"][0]
    lon = sum(p[0] for p in ring) / len(ring)
    lat = sum(p[1] for p in ring) / len(ring)
    assert 116.5 < lon < 118 and 31 < lat < 32.5  # 合肥 is at about 117.3 E, 31.8 N


def test_every_demo_county_matches_a_region_of_its_city():
    data = json.loads((cockpit.MAP_DIR.parents[3] / "data" / "anhui_units.json").read_text(encoding="utf-8"))
    units = {u["key"]: u for u in data["units"]}
    for unit in units.values():
        if unit["level"] != "county":
            continue
        city = units[unit["parent"]]["name"]
        file = f"anhui-{cockpit.CITY_MAPS[city]}.json"
        fake = type("U", (), {"pk": 1, "name": unit["name"]})
        assert cockpit.match_regions(cockpit.region_names()[file], [fake]), (city, unit["name"])


def test_regions_match_by_name_then_by_name_without_suffix():
    units = [type("U", (), {"pk": i, "name": n}) for i, n in enumerate(["广德市", "宣州区", "新区"])]
    assert cockpit.match_regions(["广德县", "宣州区", "泾县"], units) == {0: "广德县", 1: "宣州区"}


def test_a_unit_below_the_county_has_no_outline(tree):
    assert cockpit.map_for(tree.township_a1) is None
    other = make_unit("某市", UnitKind.CITY)
    assert cockpit.map_for(other) is None


# ── links and queries ──────────────────────────────────────────────────────────────────────


def test_the_nav_and_the_dashboard_link_to_it(client, tree, users):
    client.force_login(users.clerk)
    home = client.get("/").content.decode()
    assert reverse("reports:cockpit_index") in home
    board = client.get(reverse("reports:unit", args=[tree.county_a.pk])).content.decode()
    assert reverse("reports:cockpit", args=[tree.county_a.pk]) in board
    client.force_login(users.secretary)
    assert reverse("reports:cockpit_index") not in client.get("/").content.decode()


@pytest.mark.parametrize("snapshot", [False, True])
def test_queries_do_not_grow_with_counties_records_or_overdue_items(client, tree, users, snapshot):
    client.force_login(users.city_clerk)
    url = reverse("reports:cockpit_data", args=[tree.city.pk])

    def add(n):
        for _ in range(n):
            county = make_unit(f"新县{next(_names)}", UnitKind.COUNTY, tree.city)
            _held(county, 2)
            _suggestion(county, overdue_days=5)
            _proposal(county, users.proposal)
        if snapshot:
            facts_refresh(periods=[year_period(today().year)])

    def fetch():
        response = client.get(url)
        assert response.json()["from_snapshot"] is snapshot
        return response

    assert_constant_queries(fetch, add, rows=lambda r: len(r.json()["regions"]))
