"""Proof by the reports themselves: for the published figures whose kind the portal records, the
raw facts are entered AFTER the fact through the services (back-entry with event dates, as a
county office enters a paper ledger), in the period the report names, and the figure is read
from the dashboard API for the body and for the units above it.

The figures come from data/report_cases.json → published_figures (a copy of the shared data).
Figures the portal cannot produce are listed with why in docs/reports.md."""

import datetime
import json
from pathlib import Path

from django.conf import settings

from consultations.backentry import BackEntry, BackSuggestion, consultation_back_enter
from consultations.models import Route
from organizations.models import Role, UnitKind
from proposals import services as proposal_services
from proposals.models import OpinionItem

from ..factories import make_unit, make_user

D = datetime.date
CASES = json.loads((Path(settings.BASE_DIR) / "data" / "report_cases.json").read_text(encoding="utf-8"))


def published(body: str) -> dict:
    return next(case for case in CASES["published_figures"] if case["body"] == body)


def board(client, user, unit, query, keys=None) -> dict:
    """The unit's dashboard from the API; with `keys`, only those metrics (computing all ~60 for
    every reading made these tests take minutes). Logs the user in unless the client's session is
    already theirs (a login per reading cost more than the reading)."""
    from django.contrib.auth import SESSION_KEY

    if client.session.get(SESSION_KEY) != str(user.pk):
        client.force_login(user)
    only = f"&metrics={','.join(sorted(keys))}" if keys else ""
    response = client.get(f"/api/v1/reports/units/{unit.pk}/?{query}{only}")
    assert response.status_code == 200, response.content
    return response.json()


def dashboard(client, user, unit, query, keys=None) -> dict[str, float]:
    values = {m["key"]: m["value"] for m in board(client, user, unit, query, keys)["metrics"]}
    assert keys is None or set(keys) <= set(values), keys
    return values


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def test_santikou_liaison_group_2019_2020_figures(client, users, tree):
    """三堤口街道政协联络组, 2019-09..2020-09 (report line 148): 8 sessions, 1246 residents'
    person-times, 6 issues, 6 solved — entered in 2026 from the ledger, counted in the period."""
    case = published("三堤口街道政协联络组")
    figures = case["figures"]
    assert case["period"] == "2019-09..2020-09"
    sessions, residents = figures["sessions"], figures["resident_person_times"]
    issues, solved = figures["issues"], figures["issues_solved"]
    counts = _split(residents, sessions)
    for i in range(sessions):
        held = D(2019, 9 + i, 10) if i < 4 else D(2020, i - 3, 12)
        lines = []
        if i < issues:
            lines.append(BackSuggestion(
                text=f"问题{i + 1}", route=Route.COMMUNITY, routed_on=held + datetime.timedelta(days=2),
                ending="solved" if i < solved else "", feedback="已解决" if i < solved else "",
                closed_on=held + datetime.timedelta(days=30) if i < solved else None))
        consultation_back_enter(actor=users.secretary, entry=BackEntry(
            org_unit=tree.township_a1, title=f"协商议题{i + 1}", raised_on=held - datetime.timedelta(days=20),
            approved_on=held - datetime.timedelta(days=15), research_done_on=held - datetime.timedelta(days=7),
            research_findings="走访", held_on=held, venue="社区议事厅", residents_count=counts[i],
            outcome_summary="达成共识", suggestions=lines))
    query = "period=custom&start=2019-09-01&end=2020-09-30"
    keys = ["consultations.sessions_held", "consultations.resident_person_times", "consultations.suggestions",
            "consultations.suggestions_solved"]
    for unit in (tree.township_a1, tree.county_a, tree.city):
        values = dashboard(client, users.city_clerk, unit, query, keys)
        assert values["consultations.sessions_held"] == sessions
        assert values["consultations.resident_person_times"] == residents
        assert values["consultations.suggestions"] == issues
        assert values["consultations.suggestions_solved"] == solved
    # entered in 2026, nothing lands in the year of entry
    values = dashboard(client, users.city_clerk, tree.city, f"period=year&year={datetime.date.today().year}",
                       ["consultations.sessions_held"])
    assert values["consultations.sessions_held"] == 0


def test_chizhou_leaders_instructions_on_public_opinion_2020(client, users, tree):
    """池州市政协, 2020 (report): leaders' instructions "31件42次" — 31 items with instructions,
    42 instructions — entered after the fact with the dates of 2020."""
    figures = published("池州市政协")["figures"]
    items_with, times = (int(x) for x in figures["leader_instructions"].replace("次", "").split("件"))
    chizhou = make_unit("池州市", UnitKind.CITY, tree.province)
    clerk = make_user(Role.PROPOSAL_STAFF, chizhou, username="chizhou_staff")
    items = [proposal_services.opinion_submit(actor=clerk, title=f"社情民意{i}", content="内容", unit=chizhou,
                                              submitted_on=D(2020, 2, 1)) for i in range(items_with)]
    proposal_services.bulletin_compile(actor=clerk, unit=chizhou, items=items, published_on=D(2020, 3, 1))
    for n, item in enumerate(OpinionItem.objects.filter(pk__in=[i.pk for i in items]).order_by("pk")):
        item = proposal_services.opinion_report(actor=clerk, item=item, reported_to="市委", version=item.version)
        for k in range(2 if n < times - items_with else 1):
            proposal_services.instruction_add(actor=clerk, item=item, leader="市委书记", text="阅示",
                                              given_on=D(2020, 4, 1 + k))
    for unit in (chizhou, tree.province):
        values = dashboard(client, users.admin, unit, "period=year&year=2020",
                           ["opinions.instructed_items", "opinions.instructions", "opinions.submitted"])
        assert values["opinions.instructed_items"] == items_with
        assert values["opinions.instructions"] == times
        assert values["opinions.submitted"] == items_with
