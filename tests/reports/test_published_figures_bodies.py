"""Proof by the reports themselves, body by body: the further figures of
data/report_cases.json → published_figures whose kind the portal records (see docs/reports.md,
"Which published figures are proven"). For each, the raw facts are entered AFTER the fact (in
2026) through the services, as the body's office would enter its paper — the member register
imported from a spreadsheet, consultations back-entered from the ledger, past proposals from the
paper file, 社情民意 items, workrooms, online consultations, evaluation rounds — dated in the period
the report names. The figure is then read from the dashboard API for the body and the units above
it: equal to the published number at the body, and raising the county's, city's and province's
figure by exactly that number (they hold the fixture's other units too)."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from consultations.backentry import BackEntry, BackSuggestion, consultation_back_enter
from consultations.models import Route
from hall import services as hall_services
from members import importer
from members import services as member_services
from members.models import Member
from organizations.models import OrgUnit, RoleAssignment, UnitKind
from organizations.services import orgunit_create
from proposals import services as proposal_services
from proposals.backentry import BackAssignment, BackProposal, proposal_back_enter
from proposals.models import AdoptionLevel, OpinionItem, ReplyClass, Satisfaction
from reports.periods import year_period
from reports.services import facts_refresh

from ..factories import make_unit, make_user
from .test_published_figures import board, dashboard, published

D = datetime.date
pytestmark = pytest.mark.django_db


# ── periods ─────────────────────────────────────────────────────────────────────────────────


def period_query(period: str) -> tuple[str, D, D]:
    """The report's period as the dashboard's query and its first and last day: "2020",
    "2019..2020", "2018-04..2020", "2019-09..2020-09"."""
    def bound(text, last):
        parts = [int(p) for p in text.split("-")]
        if len(parts) == 1:
            return D(parts[0], 12, 31) if last else D(parts[0], 1, 1)
        if not last:
            return D(parts[0], parts[1], 1)
        nxt = D(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return nxt - datetime.timedelta(days=1)

    first, _, last = period.partition("..")
    start, end = bound(first, False), bound(last or first, True)
    if period.isdigit():
        return f"period=year&year={period}", start, end
    return f"period=custom&start={start:%Y-%m-%d}&end={end:%Y-%m-%d}", start, end


def spread(start: D, end: D, n: int, margin: int = 40) -> list[D]:
    """n days spread over the period, far enough from its ends for the steps before and after."""
    lo, hi = start + datetime.timedelta(days=margin), end - datetime.timedelta(days=margin)
    step = (hi - lo).days / max(n, 1)
    return [lo + datetime.timedelta(days=int(i * step)) for i in range(n)]


def test_period_query_reads_the_report_periods():
    assert period_query("2020") == ("period=year&year=2020", D(2020, 1, 1), D(2020, 12, 31))
    assert period_query("2019-09..2020-09")[1:] == (D(2019, 9, 1), D(2020, 9, 30))
    assert period_query("2018-04..2020")[0] == "period=custom&start=2018-04-01&end=2020-12-31"
    assert period_query("2020-01..2020-07")[1:] == (D(2020, 1, 1), D(2020, 7, 31))
    assert period_query("2019-12..2020")[1] == D(2019, 12, 1)


# ── the office and its units ─────────────────────────────────────────────────────────────────


def office(unit, *roles):
    """The unit's office staff (clerk and proposal staff), who enter the paper."""
    user = make_user(None, None)
    for role in roles or ("office_clerk", "proposal_staff"):
        RoleAssignment.objects.create(user=user, role=role, unit=unit)
    return user


def place(tree, county: str, city: str, *, township: str | None = None, body_name: str = ""):
    """The body's unit under the fixture's province: (city, county, township or None)."""
    city_unit = OrgUnit.objects.filter(name=city).first() or make_unit(city, UnitKind.CITY, tree.province)
    county_unit = (OrgUnit.objects.filter(name=county, parent=city_unit).first()
                   or make_unit(county, UnitKind.COUNTY, city_unit))
    town = make_unit(township, UnitKind.TOWNSHIP, county_unit, liaison_body_name=body_name) if township else None
    return city_unit, county_unit, town


class Reading:
    """The figure at the body, and what the entry added above it (value after − value before),
    read from the dashboard API for the metrics `keys` only. With `summary=True` (a year) the
    readings go through the summary table: the period is built for those metrics before the
    entry, and the refresh afterwards recomputes what the entry's writes marked."""

    def __init__(self, client, reader, units, query, keys, *, summary=False):
        self.client, self.reader, self.units, self.query = client, reader, units, query
        self.keys, self.summary = sorted(keys), summary
        if summary:
            year = int(query.removeprefix("period=year&year="))
            facts_refresh(periods=[year_period(year)], keys=self.keys)
        self.before = {u.pk: self.read(u) for u in units}

    def read(self, unit) -> dict[str, float]:
        data = board(self.client, self.reader, unit, self.query, self.keys)
        assert data["from_snapshot"] == self.summary, unit.name
        return {m["key"]: m["value"] for m in data["metrics"]}

    def check(self, expected: dict[str, float]):
        """{metric key: published number}, read once after the entry."""
        assert set(expected) <= set(self.keys)
        if self.summary:  # the period and metrics built above: only the marked cells are recomputed
            facts_refresh(periods=[year_period(int(self.query.removeprefix("period=year&year=")))], keys=self.keys)
        after = {u.pk: self.read(u) for u in self.units}
        body = self.units[0]
        assert {k: after[body.pk][k] for k in expected} == expected, body.name
        for unit in self.units[1:]:
            assert {k: after[unit.pk][k] - self.before[unit.pk][k] for k in expected} == expected, unit.name


def ancestors_of(unit) -> list:
    return list(OrgUnit.objects.filter(pk__in=unit.ancestor_ids).order_by("-depth"))


# ── entering the paper through the services ──────────────────────────────────────────────────

_ids = iter(range(10**6))


JOINED = D(2016, 12, 1)  # on the register long before the reports


def import_register(actor, county, n, *, posted_to=None, joined_on=JOINED) -> list[Member]:
    """The member register (花名册) imported from a spreadsheet, each row posted to the body if given."""
    lines = ["姓名,身份证号,任职日期,下沉"]
    for i in range(n):
        lines.append(f"委员{county.name}{i},ID{county.pk:04d}{next(_ids):07d},{joined_on:%Y-%m-%d},"
                     f"{posted_to.name if posted_to else ''}")
    upload = SimpleUploadedFile("花名册.csv", io.BytesIO("\n".join(lines).encode("utf-8")).getvalue(),
                                content_type="text/csv")
    result = importer.import_file(actor=actor, unit=county, upload=upload)
    assert result.ok and result.created == n, result.errors
    return list(Member.objects.filter(org_unit=county).order_by("-pk")[:n])


def back_enter_sessions(actor, unit, days, *, residents=None, suggestions=None, solved=None, attended=None,
                        absent=None, title="协商"):
    """One finished consultation per day, from the ledger (补录): topic, approval, research, the
    session, the outcome and its suggestions with their endings."""
    for i, held in enumerate(days):
        lines = []
        for k in range(suggestions[i] if suggestions else 0):
            done = solved is not None and k < solved[i]
            lines.append(BackSuggestion(text=f"建议{k + 1}", route=Route.COMMUNITY, routed_on=held + datetime.timedelta(days=2),
                                        ending="solved" if done else "", feedback="已解决" if done else "",
                                        closed_on=held + datetime.timedelta(days=20) if done else None))
        consultation_back_enter(actor=actor, entry=BackEntry(
            org_unit=unit, title=f"{title}{i + 1}", raised_on=held - datetime.timedelta(days=20),
            approved_on=held - datetime.timedelta(days=15), research_done_on=held - datetime.timedelta(days=7),
            research_findings="走访", held_on=held, venue="议事室", outcome_summary="达成共识",
            residents_count=residents[i] if residents else 10,
            members_attended=attended[i] if attended else [], members_absent=absent[i] if absent else [],
            suggestions=lines))


def submit_opinions(actor, unit, days) -> list[OpinionItem]:
    return [proposal_services.opinion_submit(actor=actor, title=f"社情民意{i}", content="反映", unit=unit,
                                             submitted_on=day) for i, day in enumerate(days)]


def report_upward(actor, unit, items, published_on):
    proposal_services.bulletin_compile(actor=actor, unit=unit, items=items, published_on=published_on)
    return [proposal_services.opinion_report(actor=actor, item=item, reported_to="上级政协", version=item.version)
            for item in OpinionItem.objects.filter(pk__in=[i.pk for i in items]).order_by("pk")]


def open_workrooms(actor, unit, n, approved_on, active_on):
    for i in range(n):
        room = member_services.workroom_create(actor=actor, unit=unit, name=f"委员工作室{i + 1}", place="社区")
        room = member_services.workroom_transition(actor=actor, workroom=room, action="review")
        room = member_services.workroom_transition(actor=actor, workroom=room, action="approve", today=approved_on)
        member_services.workroom_activity_add(actor=actor, workroom=room, occurred_on=active_on, title="接待群众")


# ── township liaison bodies: posted members, sessions, suggestions solved ──────────────────


def test_santikou_members_posted_and_participation_rate_2019_2020(client, tree, users):
    """三堤口街道政协联络组, 2019-09..2020-09: 14 members (posted to the street), 委员参与率 75 % —
    the 14 invited to each of the 8 sessions (112 places), 84 places attended; 三堤口街道 (2020):
    14 district members assigned, 10 communities."""
    group = published("三堤口街道政协联络组")
    street = published("三堤口街道")["figures"]
    figures = group["figures"]
    query, start, end = period_query(group["period"])
    clerk = office(tree.county_a)
    reading = Reading(client, users.admin, [tree.township_a1, tree.county_a, tree.city], query,
                      ["members.posted", "consultations.member_places", "consultations.member_attendances"])
    members = import_register(clerk, tree.county_a, figures["members"], posted_to=tree.township_a1)
    sessions = figures["sessions"]
    places = figures["members"] * sessions
    came = round(figures["member_participation_rate"] * places)  # 84 of 112
    per_session = [came // sessions + (1 if i < came % sessions else 0) for i in range(sessions)]
    back_enter_sessions(users.secretary, tree.township_a1, spread(start, end, sessions),
                        attended=[members[:k] for k in per_session], absent=[members[k:] for k in per_session])
    reading.check({"members.posted": figures["members"], "consultations.member_places": places,
                   "consultations.member_attendances": came})
    rate = ["consultations.member_participation_rate"]
    values = dashboard(client, users.admin, tree.township_a1, query, rate)
    assert values["consultations.member_participation_rate"] == 100 * figures["member_participation_rate"]
    assert dashboard(client, users.admin, tree.county_a, query, rate)["consultations.member_participation_rate"] == 75.0
    assert street["district_members_assigned"] == figures["members"]

    # the street's 10 communities: 庆相桥社区 of the fixture and 9 more added to the tree
    have = OrgUnit.objects.filter(parent=tree.township_a1, kind=UnitKind.VILLAGE).count()
    for i in range(street["communities"] - have):
        orgunit_create(actor=users.admin, parent=tree.township_a1, kind=UnitKind.VILLAGE, name=f"社区{i + 1}",
                       code=f"stk-c{i}")
    year = "period=year&year=2020"
    assert dashboard(client, users.admin, tree.township_a1, year, ["org.communities"])["org.communities"] == street["communities"]
    # 相山区 has no other community; 淮北市 also has 濉溪县's 临涣村
    assert dashboard(client, users.admin, tree.county_a, year, ["org.communities"])["org.communities"] == street["communities"]
    assert dashboard(client, users.admin, tree.city, year, ["org.communities"])["org.communities"] == street["communities"] + 1


@pytest.mark.parametrize(("body", "county", "city", "figure"), [
    ("定远县西卅店镇政协联络组", "定远县", "滁州市", "county_members"),
    ("芜湖市镜湖区天门山街道政协联络组", "镜湖区", "芜湖市", "members"),
    ("青阳县蓉城镇政协联络组", "青阳县", "池州市", "members"),
    ("黄山区乌石镇政协工作联络组", "黄山区", "黄山市", "members"),
    ("霍邱县长集镇政协工委", "霍邱县", "六安市", "members"),
    ("谯城区薛阁街道政协工作联络委", "谯城区", "亳州市", "members"),
    ("安庆市大观区十里铺乡政协工作联络组", "大观区", "安庆市", "district_members"),
    ("合肥市蜀山区笔架山街道", "蜀山区", "合肥市", "district_members_posted"),
    ("蚌埠市淮上区小蚌埠镇", "淮上区", "蚌埠市", "members"),
])
def test_township_bodies_members_are_the_members_posted_there(client, tree, users, body, county, city, figure):
    """A liaison group's members are the county's members posted (下沉) to its township: the
    register imported with the 下沉 column, read as `members.posted` at the township and above."""
    case = published(body)
    city_unit, county_unit, town = place(tree, county, city, township=body[:10], body_name=body)
    clerk = office(county_unit)
    reading = Reading(client, users.admin, [town, county_unit, city_unit, tree.province], "period=year&year=2020",
                      ["members.posted"], summary=True)
    import_register(clerk, county_unit, case["figures"][figure], posted_to=town)
    reading.check({"members.posted": case["figures"][figure]})
    # the register counts them at the county, never at the township
    assert dashboard(client, users.admin, town, "period=year&year=2020", ["members.active"])["members.active"] == 0


def test_xisadian_issues_collected_and_solved_2020(client, tree, users):
    """定远县西卅店镇政协联络组, 2020: 132 issues collected, 126 solved — suggestions of the group's
    consultations entered from its ledger, closed as solved in 2020."""
    case = published("定远县西卅店镇政协联络组")
    collected, solved = case["figures"]["issues_collected"], case["figures"]["issues_solved"]
    query, start, end = period_query(case["period"])
    city_unit, county_unit, town = place(tree, "定远县", "滁州市", township="西卅店镇")
    secretary = office(town, "secretary")
    reading = Reading(client, users.admin, [town, county_unit, city_unit, tree.province], query,
                      ["consultations.suggestions", "consultations.suggestions_solved"])
    rounds = 12
    per = [collected // rounds + (1 if i < collected % rounds else 0) for i in range(rounds)]
    unsolved = collected - solved
    done = [n - (1 if i < unsolved else 0) for i, n in enumerate(per)]
    back_enter_sessions(secretary, town, spread(start, end, rounds, margin=45), suggestions=per, solved=done)
    reading.check({"consultations.suggestions": collected, "consultations.suggestions_solved": solved})


# ── county and city bodies: sessions, the register, workrooms ───────────────────────────────


@pytest.mark.parametrize(("body", "county", "city", "level", "figure", "key"), [
    ("淮北市相山区政协", "相山区", "淮北市", "county", "consultations", "consultations.sessions_held"),
    ("亳州市政协（基层民主恳谈试点）", "谯城区", "亳州市", "city", "forums", "consultations.sessions_held"),
    ("灵璧县政协", "灵璧县", "宿州市", "county", "topics_2020", "consultations.topics"),
    ("灵璧县政协游集镇工作委员会", "灵璧县", "宿州市", "township", "forum_consultations", "consultations.sessions_held"),
])
def test_sessions_and_topics_entered_from_the_ledger(client, tree, users, body, county, city, level, figure, key):
    """Sessions held (协商议事会, 恳谈会) and topics raised, back-entered from the ledger of the
    period in the body's townships: counted by the day they were held / raised, at the body
    (a township, a county or a city 政协) and above."""
    case = published(body)
    n = case["figures"][figure]
    period = "2020" if case["period"].startswith("每个") else case["period"]
    query, start, end = period_query(period)
    if body == "淮北市相山区政协":
        city_unit, county_unit, town = tree.city, tree.county_a, tree.township_a2
    else:
        city_unit, county_unit, town = place(tree, county, city, township="游集镇" if level == "township" else "城关镇")
    body_unit = {"township": town, "county": county_unit, "city": city_unit}[level]
    reading = Reading(client, users.admin, [body_unit, *ancestors_of(body_unit)], query, [key])
    back_enter_sessions(office(town, "secretary"), town, spread(start, end, n, margin=30))
    reading.check({key: n})


def test_xuancheng_monthly_topics_and_consultations_2020(client, tree, users):
    """宣城市政协, 2020: 8 monthly topics (月度协商议题), 5 of them held — 5 consultations back-entered
    from the ledger and 3 topics raised but not held, all dated in 2020."""
    from consultations import services as consultation_services

    case = published("宣城市政协")
    topics, held = case["figures"]["monthly_topics"], case["figures"]["monthly_consultations_held"]
    query, start, end = period_query(case["period"])
    city_unit, _county, town = place(tree, "宣州区", "宣城市", township="西林街道")
    reading = Reading(client, users.admin, [city_unit, tree.province], query,
                      ["consultations.topics", "consultations.sessions_held"])
    secretary = office(town, "secretary")
    back_enter_sessions(secretary, town, spread(start, end, held))
    for i, day in enumerate(spread(start, end, topics - held)):
        consultation_services.topic_create(actor=secretary, org_unit=town, title=f"月度议题{i + 1}", description="议题",
                                           channel="resident", raised_on=day, back_entered=True)
    reading.check({"consultations.topics": topics, "consultations.sessions_held": held})


@pytest.mark.parametrize(("body", "county", "city"), [
    ("肥西县政协（十届）", "肥西县", "合肥市"),
    ("当涂县政协", "当涂县", "马鞍山市"),
    ("南陵县政协", "南陵县", "芜湖市"),
    ("铜陵市义安区政协", "义安区", "铜陵市"),
    ("安庆市迎江区政协", "迎江区", "安庆市"),
    ("滁州市琅琊区政协", "琅琊区", "滁州市"),
    # the register of today: "截至2020", "2019-03..2020", "近3年" name no count by date
    ("亳州市谯城区政协", "谯城区", "亳州市"),
    ("宿州市埇桥区政协（十届）", "埇桥区", "宿州市"),
    ("六安市裕安区政协", "裕安区", "六安市"),
    ("石台县政协", "石台县", "池州市"),
    ("淮南市政协", None, "淮南市"),
])
def test_members_are_the_register_imported_from_the_spreadsheet(client, tree, users, body, county, city):
    """在册委员 of a county or city 政协: the member register imported from the office's
    spreadsheet, read as `members.active` at the body and above (the register keeps no history,
    so the figure is today's whatever the period)."""
    case = published(body)
    city_unit, county_unit, _town = place(tree, county or f"{city}辖区", city)
    unit = city_unit if county is None else county_unit
    reading = Reading(client, users.admin, [unit, *ancestors_of(unit)], "period=year&year=2020", ["members.active"])
    import_register(office(unit), unit, case["figures"]["members"])
    reading.check({"members.active": case["figures"]["members"]})


@pytest.mark.parametrize(("body", "county", "city", "figure", "kind", "key"), [
    ("当涂县政协", "当涂县", "马鞍山市", "townships", UnitKind.TOWNSHIP, "org.townships"),
    ("明光市政协", "明光市", "滁州市", "townships", UnitKind.TOWNSHIP, "org.townships"),
    ("六安市裕安区政协", "裕安区", "六安市", "liaison_committees", UnitKind.TOWNSHIP, "org.townships"),
    ("灵璧县政协", "灵璧县", "宿州市", "township_work_committees", UnitKind.TOWNSHIP, "org.townships"),
    ("霍邱县长集镇政协工委", "霍邱县", "六安市", "villages", UnitKind.VILLAGE, "org.communities"),
])
def test_units_of_the_tree_added_by_the_administrator(client, tree, users, body, county, city, figure, kind, key):
    """Townships with a liaison body (联络组 / 工委 / 联络委) and villages: units of the tree, added
    through the tree's service and counted below the body (a unit does not count itself)."""
    case = published(body)
    n = case["figures"][figure]
    city_unit, county_unit, town = place(tree, county, city, township="长集镇" if kind == UnitKind.VILLAGE else None)
    parent = town or county_unit
    reading = Reading(client, users.admin, [parent, *ancestors_of(parent)], "period=year&year=2020", [key])
    for i in range(n):
        orgunit_create(actor=users.admin, parent=parent, kind=kind, name=f"{parent.name}{i + 1}", code=f"{parent.pk}-{i}",
                       liaison_body_name=f"{parent.name}{i + 1}政协联络组" if kind == UnitKind.TOWNSHIP else "")
    reading.check({key: n})


@pytest.mark.parametrize(("body", "county", "city", "figure", "kind", "key"), [
    ("宣城市政协", None, "宣城市", "committees", "committee", "org.committees"),
    ("淮南市政协", None, "淮南市", "committees", "committee", "org.committees"),
    ("宿州市埇桥区政协（十届）", "埇桥区", "宿州市", "committees", "committee", "org.committees"),
    ("安庆市迎江区政协", "迎江区", "安庆市", "sectors", "sector", "org.sectors"),
    ("铜陵市义安区政协", "义安区", "铜陵市", "sector_groups", "sector_group", "org.sectors"),
    ("黄山市黄山区政协", "黄山区", "黄山市", "sector_groups", "sector_group", "org.sectors"),
])
def test_committees_and_sectors_added_in_the_admin(client, tree, users, body, county, city, figure, kind, key):
    """专门委员会, 界别 and 界别活动组 of a 政协: bodies the system administrator keeps in the admin
    (中文 admin pages, no other service writes them), counted for the body and above."""
    from organizations.models import Body

    case = published(body)
    n = case["figures"][figure]
    city_unit, county_unit, _ = place(tree, county or f"{city}辖区", city)
    unit = city_unit if county is None else county_unit
    reading = Reading(client, users.admin, [unit, *ancestors_of(unit)], "period=year&year=2020", [key])
    root = make_user(None, None, is_staff=True, is_superuser=True)
    client.force_login(root)
    for i in range(n):
        response = client.post("/admin/organizations/body/add/", {
            "unit": unit.pk, "kind": kind, "name": f"{figure}{i + 1}", "is_active": "on", "source_lines": "",
            "officers-TOTAL_FORMS": "0", "officers-INITIAL_FORMS": "0", "officers-MIN_NUM_FORMS": "0",
            "officers-MAX_NUM_FORMS": "1000"})
        assert response.status_code == 302, response.content.decode()[:2000]
    assert Body.objects.filter(unit=unit, kind=kind).count() == n
    reading.check({key: n})


@pytest.mark.parametrize(("body", "county", "city", "figure", "period"), [
    ("滁州市琅琊区政协", "琅琊区", "滁州市", "workrooms", None),
    ("安庆市迎江区政协", "迎江区", "安庆市", "workrooms", None),
    ("芜湖市政协", None, "芜湖市", "online_workrooms", None),
    ("淮南市田家庵区政协（委员工作室）", "田家庵区", "淮南市", "workrooms", None),
    ("灵璧县政协游集镇工作委员会", "灵璧县", "宿州市", "workrooms", None),
])
def test_workrooms_approved_and_active_in_the_period(client, tree, users, body, county, city, figure, period):
    """Member workrooms (委员工作室) of the body: approved on their paper date and with an
    activity in the period, read as `members.workrooms_active`."""
    case = published(body)
    query, start, end = period_query(period or case["period"])
    if county is None:
        city_unit, _county, _town = place(tree, f"{city}辖区", city)
        units, where = [city_unit, tree.province], city_unit
    else:
        city_unit, county_unit, town = place(tree, county, city,
                                             township="游集镇" if "游集镇" in body else None)
        where = town or county_unit
        units = [where, *ancestors_of(where)]
    reading = Reading(client, users.admin, units, query, ["members.workrooms_active"])
    n = case["figures"][figure]
    open_workrooms(office(where, "office_clerk"), where, n, approved_on=start + datetime.timedelta(days=10),
                   active_on=end - datetime.timedelta(days=10))
    reading.check({"members.workrooms_active": n})


# ── 社情民意 ─────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("body", "county", "city", "figure", "period"), [
    ("怀远县政协", "怀远县", "蚌埠市", "public_opinion_items_2020", "2020"),
    ("滁州市琅琊区政协", "琅琊区", "滁州市", "public_opinion_items", None),
    ("休宁县政协", "休宁县", "黄山市", "info_items_since_2019", None),
    ("灵璧县政协游集镇工作委员会", "灵璧县", "宿州市", "items_jan_jul_2020", "2020-01..2020-07"),
])
def test_public_opinion_items_submitted_in_the_period(client, tree, users, body, county, city, figure, period):
    """社情民意 items (条/篇) counted by the day submitted, at the office that screens them (the
    county 政协: a township's items go to it) and above."""
    case = published(body)
    query, start, end = period_query(period or case["period"])
    city_unit, county_unit, town = place(tree, county, city, township="游集镇" if "游集镇" in body else None)
    n = case["figures"][figure]
    reading = Reading(client, users.admin, [county_unit, city_unit, tree.province], query, ["opinions.submitted"])
    where = town or county_unit
    submit_opinions(office(where, "secretary" if town else "proposal_staff"), where, spread(start, end, n, margin=5))
    reading.check({"opinions.submitted": n})


def test_adoptions_by_level_xiuning_and_huangshan_2020(client, tree, users):
    """休宁县政协: 6 items adopted by the city in 2020; 黄山市政协: 3 adopted nationally in 2020, and
    31 items with leaders' instructions over 2018..2020 (one instruction each, so 31 either way)."""
    city_unit, county_unit, _ = place(tree, "休宁县", "黄山市")
    xiuning = published("休宁县政协")["figures"]
    huangshan = published("黄山市政协")
    year = Reading(client, users.admin, [county_unit, city_unit, tree.province], "period=year&year=2020",
                   ["opinions.adopted_city"])
    staff = office(county_unit, "proposal_staff")
    items = report_upward(staff, county_unit, submit_opinions(staff, county_unit, [D(2020, 3, 2)] * 6),
                          D(2020, 3, 20))
    for item in items:
        proposal_services.opinion_adopt(actor=staff, item=item, level=AdoptionLevel.CITY, adopted_on=D(2020, 5, 6))
    year.check({"opinions.adopted_city": xiuning["items_adopted_by_city_2020"]})

    city_staff = office(city_unit, "proposal_staff")
    national = Reading(client, users.admin, [city_unit, tree.province], "period=year&year=2020",
                       ["opinions.adopted_national"])
    items = report_upward(city_staff, city_unit, submit_opinions(city_staff, city_unit, [D(2020, 2, 1)] * 3),
                          D(2020, 2, 10))
    for item in items:
        proposal_services.opinion_adopt(actor=city_staff, item=item, level=AdoptionLevel.NATIONAL,
                                        adopted_on=D(2020, 9, 1))
    national.check({"opinions.adopted_national": huangshan["figures"]["items_adopted_national_2020"]})

    query, start, end = period_query(huangshan["period"])
    n = huangshan["figures"]["leader_instructions"]
    instructions = Reading(client, users.admin, [city_unit, tree.province], query,
                           ["opinions.instructed_items", "opinions.instructions"])
    days = spread(start, end, n)
    items = []
    for day in sorted(set(days)):
        batch = submit_opinions(city_staff, city_unit, [day] * days.count(day))
        items += report_upward(city_staff, city_unit, batch, day + datetime.timedelta(days=5))
    for item in items:
        proposal_services.instruction_add(actor=city_staff, item=item, leader="市委书记", text="请研究",
                                          given_on=item.submitted_on + datetime.timedelta(days=10))
    instructions.check({"opinions.instructed_items": n, "opinions.instructions": n})


# ── proposals ────────────────────────────────────────────────────────────────────────────────


def test_jiujiang_proposals_closed_and_key_proposals_2020(client, tree, users):
    """芜湖市鸠江区政协, 2020: 75 proposals, 42 closed, 12 key proposals with 45 suggestions of which
    40 were acted on (class A replies) — back-entered in 2026 from the paper file of the 2020
    session: submitted at the plenary, registered, formally assigned with 2020 deadlines (long
    past), replied and closed in 2020."""
    case = published("芜湖市鸠江区政协")
    f = case["figures"]
    city_unit, county_unit, _ = place(tree, "鸠江区", "芜湖市")
    dept = make_unit("鸠江区住建局", UnitKind.DEPARTMENT, county_unit)
    staff = office(county_unit, "proposal_staff")
    proposer = import_register(office(county_unit, "office_clerk"), county_unit, 1)[0]
    reading = Reading(client, users.admin, [county_unit, city_unit, tree.province], "period=year&year=2020",
                      ["proposals.received", "proposals.closed", "proposals.key", "proposals.key_suggestions",
                       "proposals.key_suggestions_done"], summary=True)
    plenary = D(2020, 1, 8)
    # 12 key proposals: 9 with 4 suggestions and 3 with 3 (45); 40 acted on (5 of the 3-suggestion
    # ones' last suggestions … spread: the first 5 key proposals leave their last suggestion open)
    key_sizes = [4] * 9 + [3] * 3
    assert sum(key_sizes) == f["key_suggestions"]
    open_lines = sum(key_sizes) - f["key_actions_done"]
    for n in range(f["proposals"]):
        is_key = n < f["key_proposals"]
        size = key_sizes[n] if is_key else 2
        closed = n < f["proposals_closed"]
        actions = [f"已落实{k + 1}" for k in range(size)]
        if is_key and n < open_lines:
            actions[-1] = ""
        proposal_back_enter(actor=staff, entry=BackProposal(
            member=proposer, submitted_on=plenary, title=f"关于民生的提案{n + 1}", case="案由",
            suggestions=[f"建议{k + 1}" for k in range(size)], registered_on=D(2020, 2, 20), term="十七届",
            session="四次会议", is_key=is_key, key_leader_name="区政协主席" if is_key else "",
            assigned_on=D(2020, 3, 2),
            assignments=[BackAssignment(unit=dept, due_on=D(2020, 6, 2),
                                        replied_on=D(2020, 5, 20) if closed else None,
                                        reply_class=ReplyClass.A, reply_text="已办理", actions=actions,
                                        document_number=f"鸠住建〔2020〕{n + 1}号")],
            closed_on=D(2020, 6, 30) if closed else None,
            attitude=Satisfaction.SATISFIED if closed else "", result=Satisfaction.SATISFIED if closed else ""))
    reading.check({"proposals.received": f["proposals"], "proposals.closed": f["proposals_closed"],
                   "proposals.key": f["key_proposals"], "proposals.key_suggestions": f["key_suggestions"],
                   "proposals.key_suggestions_done": f["key_actions_done"]})
    # nothing lands in the year the paper was typed in
    assert dashboard(client, users.admin, county_unit, f"period=year&year={datetime.date.today().year}",
                     ["proposals.received"])["proposals.received"] == 0


def test_nanling_proposals_received_2020(client, tree, users):
    """南陵县政协, 2020: 185 proposals — entered for the members from the paper (代录) with the
    plenary's date, counted in 2020."""
    case = published("南陵县政协")
    city_unit, county_unit, _ = place(tree, "南陵县", "芜湖市")
    staff = office(county_unit, "proposal_staff")
    members = import_register(office(county_unit, "office_clerk"), county_unit, 5)
    reading = Reading(client, users.admin, [county_unit, city_unit, tree.province], "period=year&year=2020",
                      ["proposals.received"], summary=True)
    for n in range(case["figures"]["proposals"]):
        proposal_services.proposal_enter_on_behalf(actor=staff, member=members[n % 5], submitted_on=D(2020, 1, 10),
                                                   title=f"提案{n}", case="案由", suggestions=["建议"])
    reading.check({"proposals.received": case["figures"]["proposals"]})


def test_yingzhou_units_evaluated_2019_2020(client, tree, users):
    """阜阳市颍州区政协, 2019..2020: 39 handling units evaluated (评议) — scored by the committee
    and ranked in the rounds of 2019 and 2020."""
    case = published("阜阳市颍州区政协")
    query, _start, _end = period_query(case["period"])
    city_unit, county_unit, _ = place(tree, "颍州区", "阜阳市")
    staff = office(county_unit, "proposal_staff")
    depts = [make_unit(f"颍州区承办单位{i}", UnitKind.DEPARTMENT, county_unit) for i in range(case["figures"]["units_evaluated"])]
    reading = Reading(client, users.admin, [county_unit, city_unit, tree.province], query,
                      ["proposals.units_evaluated"])
    halves = {2019: depts[:20], 2020: depts[20:]}
    for year, units in halves.items():
        rnd = proposal_services.evaluation_round_create(actor=staff, unit=county_unit, year=year, title=f"{year}年评议")
        for i, dept in enumerate(units):
            proposal_services.unit_score_add(actor=staff, round=rnd, unit=dept, attention=10 - i % 5,
                                             communication=8, adoption=9, results=7)
        proposal_services.evaluation_close(actor=staff, round=rnd)
    reading.check({"proposals.units_evaluated": case["figures"]["units_evaluated"]})


# ── online hall ──────────────────────────────────────────────────────────────────────────────


def test_huangshan_district_network_consultations_2019_2020(client, tree, users):
    """黄山市黄山区政协, 2019..2020: 2 network consultations (网络协商) — opened in those years,
    entered by the office afterwards with their dates; and its 145 members on the register."""
    case = published("黄山市黄山区政协")
    query, start, end = period_query(case["period"])
    city_unit, county_unit, _ = place(tree, "黄山区", "黄山市")
    clerk = office(county_unit, "office_clerk")
    reading = Reading(client, users.admin, [county_unit, city_unit, tree.province], query,
                      ["hall.consultations", "members.active"])
    for i, opens in enumerate(spread(start, end, case["figures"]["network_consultations"])):
        opens_at = datetime.datetime.combine(opens, datetime.time(9), tzinfo=datetime.UTC)
        consultation = hall_services.consultation_create(
            actor=clerk, unit=county_unit, title=f"网络协商{i + 1}", background="背景", opens_at=opens_at,
            closes_at=opens_at + datetime.timedelta(days=14))
        hall_services.consultation_publish(actor=clerk, consultation=consultation)
    reading.check({"hall.consultations": case["figures"]["network_consultations"]})
    import_register(clerk, county_unit, case["figures"]["members"])
    reading.check({"members.active": case["figures"]["members"]})
