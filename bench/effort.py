"""Effort of recording one held session, measured in a real browser (issue 14).

The canonical session: 12 participants of whom 6 members (6 residents and others), 5 suggestions,
recorded from the secretary's home page after login, the way a person would: follow links and
buttons, fill the fields that are not pre-filled, submit. An *action* is a click, a field typed or
a choice made; a *page load* is a full load of the main frame (htmx swaps are not loads).

    .venv/bin/python bench/effort.py                 # both viewports, prints the two lines
    .venv/bin/python bench/effort.py --widths 375    # one viewport

Runs against a fresh SQLite database with the demo data (var/effort.sqlite3, rebuilt with
--rebuild) and a development server on a free port; Debian's chromium through Playwright.
Targets: at most 40 actions and 8 page loads. Exit status 1 when a target is missed or the
recorded session is not what was typed (the record is checked in the database afterwards).
"""

from __future__ import annotations

import argparse
import datetime
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TARGET_ACTIONS, TARGET_LOADS = 40, 8
RESIDENTS = ["居民代表王秀英", "居民代表李建国, 庆相桥社区", "业主代表张磊, 庆相桥社区", "物业经理赵敏, 幸福里物业",
             "楼栋长孙立, 庆相桥社区", "社区民警周涛, 三堤口派出所"]
SUGGESTIONS = [
    ("按楼层分摊加装费用，一楼住户免于分摊", "community", None),
    ("申请既有住宅加装电梯财政补贴", "department", "住房和城乡建设局"),
    ("规范施工占道审批，保障施工期间通行", "department", "城市管理局"),
    ("物业公司负责电梯日常维保", "property", None),
    ("社区成立加装电梯协调小组", "community", None),
]


def _env(db: Path) -> dict:
    env = dict(os.environ)
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings.dev", "DATABASE_URL": f"sqlite:///{db}",
                "DJANGO_ALLOW_ASYNC_UNSAFE": "true", "PYTHONPATH": str(ROOT)})
    return env


def _manage(env, *args):
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare_topic(label: str) -> tuple[int, str]:
    """A researched topic of the demo secretary's township, as the loop leaves it before the
    session: approved, researched by two members of the liaison group's workroom."""
    from django.contrib.auth import get_user_model

    from consultations import services
    from members.models import LeadType, Workroom
    from organizations.models import OrgUnit, Role, RoleAssignment

    unit = OrgUnit.objects.get(code="huaibei-xiangshan-sandikou")
    users = get_user_model().objects
    secretary = users.get(username="secretary")
    approver = users.get(pk=RoleAssignment.objects.filter(role=Role.APPROVER, unit_id__in=unit.ancestor_ids)
                         .order_by("-unit__path").values_list("user_id", flat=True)[0])
    room = Workroom.objects.filter(org_path__startswith=unit.path, lead_type=LeadType.LIAISON_GROUP).first()
    researchers = list(room.members.order_by("name")[:2]) if room else []
    title = f"加装电梯费用分摊（{label} {datetime.datetime.now():%H%M%S}）"
    topic = services.topic_create(actor=secretary, org_unit=unit, title=title, channel="resident",
                                  description="老旧小区加装电梯，高低楼层住户对费用分摊意见不一。")
    services.topic_submit(actor=secretary, topic=topic)
    services.topic_approve(actor=approver, topic=topic)
    services.research_add(actor=secretary, topic=topic, kind="visit", findings="走访6个楼栋，听取住户意见。",
                          done_on=datetime.date.today() - datetime.timedelta(days=5), members=researchers)
    return topic.pk, title


class Effort:
    """Counts what a person does: every click, field typed and choice made; every full load."""

    def __init__(self, page):
        self.page = page
        self.actions = 0
        self.loads = 0
        page.on("load", self._loaded)

    def _loaded(self, _page):
        self.loads += 1

    def click(self, selector, *, navigates=False):
        self.actions += 1
        if navigates:
            with self.page.expect_navigation():
                self.page.click(selector)
        else:
            self.page.click(selector)

    def fill(self, selector, value):
        self.actions += 1
        self.page.fill(selector, value)

    def select(self, selector, value=None, *, label=None):
        self.actions += 1
        if label is not None:
            self.page.select_option(selector, label=label)
        else:
            self.page.select_option(selector, value)


def record_canonical(page, base: str, title: str, width: int) -> Effort:
    """The one-page flow, from the home page after login."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", "demo2026")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    effort = Effort(page)  # counting starts on the home page
    if width < 992:  # the menu is folded on a phone
        effort.click(".navbar-toggler")
        page.wait_for_selector("#mainnav.show")
    effort.click("#mainnav a[data-nav][href='/consultations/']", navigates=True)
    effort.click(f"a:has-text('{title}')", navigates=True)
    effort.click("#act-session", navigates=True)
    # Date, venue, form, the standing and research members and the steps are pre-filled.
    effort.fill("#id_others", "\n".join(RESIDENTS))
    effort.fill("#id_residents_count", "23")
    effort.fill("#id_votes_for", "15")
    effort.fill("#id_summary", "通报加装电梯政策，住户代表、物业和部门逐一发言，围绕费用分摊互动协商。")
    effort.fill("#id_outcome_summary", "按楼层分摊费用，争取财政补贴，物业负责维保。")
    for i, (text, route, unit) in enumerate(SUGGESTIONS):
        if not page.locator(f"#id_suggestions-{i}-text").count():
            effort.click("#add-suggestion-row")
        effort.fill(f"#id_suggestions-{i}-text", text)
        if route != "community":
            effort.select(f"#id_suggestions-{i}-route", route)
        if unit:
            option = page.locator(f"#id_suggestions-{i}-handling_unit option", has_text=unit).first
            effort.select(f"#id_suggestions-{i}-handling_unit", option.get_attribute("value"))
    effort.click("#act-record-held", navigates=True)
    page.wait_for_selector("#topic-status")
    return effort


def record_steps(page, base: str, title: str, width: int) -> Effort:
    """The step-by-step flow of the portal before the one page (commit 2d8a355: a form per
    step, one participant and one suggestion per page load), for the "before" line. Run it
    against a server of that code with --flow steps --server-root DIR."""
    today = datetime.date.today()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", "demo2026")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    effort = Effort(page)
    if width < 992:
        effort.click(".navbar-toggler")
        page.wait_for_selector("#mainnav.show")
    effort.click("#mainnav a[data-nav][href='/consultations/']", navigates=True)
    effort.click(f"a:has-text('{title}')", navigates=True)
    if not page.locator("#form-session.show").count():
        effort.click("#act-session")
    effort.fill("#session_scheduled_on", today.isoformat())
    effort.fill("#session_venue", "庆相桥社区协商议事厅")
    effort.click("#form-session button[type=submit]", navigates=True)
    members = page.locator("#id_member option").all_text_contents()[1:7]
    for name in members:
        effort.select("#id_kind", "member")
        effort.select("#id_member", label=name)
        effort.click("#act-invite", navigates=True)
    for line in RESIDENTS:
        name, _, unit = line.partition(", ")
        effort.select("#id_kind", "resident")
        effort.fill("#id_name", name)
        effort.fill("#id_organisation", unit or "三堤口街道")
        effort.click("#act-invite", navigates=True)
    effort.fill("#id_residents_count", "23")
    effort.fill("#id_votes_for", "15")
    effort.fill("#id_summary", "通报加装电梯政策，住户代表、物业和部门逐一发言，围绕费用分摊互动协商。")
    effort.click("#act-hold", navigates=True)
    effort.fill("#outcome_summary", "按楼层分摊费用，争取财政补贴，物业负责维保。")
    effort.fill("#outcome_minutes", "通报加装电梯政策，住户代表、物业和部门逐一发言。按楼层分摊费用。")
    effort.click("#form-outcome button[type=submit]", navigates=True)
    deadline = (today + datetime.timedelta(days=30)).isoformat()
    for text, route, unit in SUGGESTIONS:
        if not page.locator("#form-suggestion.show").count():
            effort.click("#act-suggestion")
        effort.fill("#suggestion_text", text)
        effort.select("#suggestion_route", route)
        if unit:
            option = page.locator("#suggestion_handling_unit option", has_text=unit).first
            effort.select("#suggestion_handling_unit", option.get_attribute("value"))
        effort.fill("#suggestion_deadline", deadline)
        effort.click("#form-suggestion button[type=submit]", navigates=True)
    return effort


def _check_record(topic_id: int) -> list[str]:
    from django.db import connection

    from consultations.models import Attendance, Topic

    connection.close()
    topic = Topic.objects.get(pk=topic_id)
    session = topic.sessions.get()
    problems = []
    participants = list(session.participants.all())
    if len(participants) != 12 or sum(1 for p in participants if p.member_id) != 6:
        problems.append(f"{len(participants)} participants, {sum(1 for p in participants if p.member_id)} members")
    if any(p.attendance != Attendance.ATTENDED for p in participants):
        problems.append("not everyone marked present")
    if topic.suggestions.count() != 5:
        problems.append(f"{topic.suggestions.count()} suggestions")
    if topic.status != "handling" or not topic.outcome.minutes:
        problems.append(f"topic is {topic.status}, minutes {'present' if topic.outcome.minutes else 'missing'}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--widths", default="1280,375")
    parser.add_argument("--db", default=str(ROOT / "var" / "effort.sqlite3"))
    parser.add_argument("--rebuild", action="store_true", help="start from a fresh demo database")
    parser.add_argument("--flow", choices=["one-page", "steps"], default="one-page",
                        help="steps: the step-by-step pages of the code before the one page")
    parser.add_argument("--server-root", default=str(ROOT), help="checkout whose code the server runs")
    args = parser.parse_args(argv)
    db = Path(args.db)
    db.parent.mkdir(parents=True, exist_ok=True)
    env = _env(db)
    if args.rebuild and db.exists():
        db.unlink()
    if not db.exists():
        print("effort: building the demo database (migrate, load_demo) …", file=sys.stderr)
        _manage(env, "migrate", "-v0")
        _manage(env, "load_demo")
    os.environ.update(env)
    import django

    django.setup()
    port = _free_port()
    server_root = Path(args.server_root)
    server_log = open(os.environ.get("EFFORT_SERVER_LOG", os.devnull), "w")  # noqa: SIM115 - lives as long as the server
    server = subprocess.Popen([sys.executable, str(server_root / "manage.py"), "runserver", f"127.0.0.1:{port}",
                               "--noreload", "--nothreading"], env={**env, "PYTHONPATH": str(server_root)},
                              cwd=server_root,
                              stdout=subprocess.DEVNULL, stderr=server_log)
    base = f"http://127.0.0.1:{port}"
    failed = False
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            for width in [int(w) for w in args.widths.split(",") if w.strip()]:
                topic_id, title = _prepare_topic(f"{width}px")
                context = browser.new_context(viewport={"width": width, "height": 900 if width > 500 else 760},
                                              locale="zh-CN")
                page = context.new_page()
                page.set_default_timeout(30000)
                flow = record_steps if args.flow == "steps" else record_canonical
                try:
                    effort = flow(page, base, title, width)
                except Exception:
                    shot = Path(os.environ.get("TMPDIR", "/tmp")) / f"effort-failed-{width}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    print(f"effort {width} px: the flow stopped; the page is in {shot}", file=sys.stderr)
                    raise
                context.close()
                problems = _check_record(topic_id)
                met = effort.actions <= TARGET_ACTIONS and effort.loads <= TARGET_LOADS and not problems
                failed |= not met
                print(f"effort {width} px{' (step pages)' if args.flow == 'steps' else ''}: {effort.actions} actions, {effort.loads} page loads"
                      f" (targets ≤ {TARGET_ACTIONS} actions, ≤ {TARGET_LOADS} page loads: "
                      f"{'met' if met else 'MISSED'}){' — ' + '; '.join(problems) if problems else ''}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
        server_log.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
