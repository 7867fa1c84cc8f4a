"""Load test: a mix of the portal's users against a running server (see scripts/loadtest.sh).

    locust -f loadtest/locustfile.py --headless -u 40 -r 10 -t 60s --host http://127.0.0.1:8765

Each user class logs in once as its demo account (password demo2026, `manage.py load_demo`) and
then walks its everyday pages. The pages are candidates: at the start of the run every candidate
is probed once per role (outside the statistics), and only those answering 200 are kept, so the
same file covers the apps that have landed and picks up new ones without edits. Any non-2xx
answer during the run is a failure (the script fails on any failure).

Weights follow a weekday: public visitors most, members next, township secretaries, then county
office clerks."""

from __future__ import annotations

import os
import random
import re

import requests
from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "demo2026")

# role -> (username, candidate GET paths). "{unit}" is filled with a unit id from the user's scope.
CANDIDATES = {
    "secretary": ("secretary", [
        "/", "/consultations/", "/consultations/?page=2", "/consultations/sessions/", "/consultations/plan/",
        "/hall/manage/", "/notifications/", "/notifications/bell/", "/members/", "/org/", "/org/{unit}/",
        "/api/v1/me/", "/api/v1/consultation-topics/",
    ]),
    "member": ("member", [
        "/", "/members/me/", "/consultations/my-sessions/", "/proposals/mine/", "/notifications/",
        "/notifications/bell/", "/api/v1/me/",
    ]),
    "clerk": ("clerk", [
        "/", "/org/", "/org/users/", "/org/search/?q=街道", "/org/{unit}/", "/members/", "/members/ranking/",
        "/members/duties/review/", "/reports/", "/reports/unit/{county}/", "/proposals/review/", "/proposals/all/",
        "/proposals/opinions/", "/consultations/", "/api/v1/org-units/?page_size=25", "/api/v1/proposals/",
        "/notifications/bell/",
    ]),
    "public": (None, [
        "/hall/", "/hall/track/", "/accounts/login/", "/health/", "{bootstrap_css}",
    ]),
}

ACTIVE: dict[str, list[str]] = {}
UNITS: dict[str, list[int]] = {}
# the stylesheet under its hashed name, as the pages link it (collectstatic keeps only hashed names)
STATIC: dict[str, str] = {"bootstrap_css": "/static/vendor/bootstrap/css/bootstrap.min.css"}
DROPPED: dict[str, list[str]] = {}


def login(session, base: str, username: str):
    """Log in through the real form (CSRF token from the page); raises on failure."""
    page = session.get(f"{base}/accounts/login/")
    page.raise_for_status()
    token = session.cookies.get("csrftoken") or re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]
    answer = session.post(f"{base}/accounts/login/", data={
        "username": username, "password": PASSWORD, "csrfmiddlewaretoken": token,
    }, headers={"Referer": f"{base}/accounts/login/"}, allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"login as {username} failed: HTTP {answer.status_code}")


@events.test_start.add_listener
def probe(environment, **kwargs):
    """Keep the candidate pages that exist and answer 200 for the role (not counted in the stats)."""
    base = environment.host.rstrip("/")
    linked = re.search(r'href="([^"]*/bootstrap\.min[^"]*\.css)"', requests.get(f"{base}/accounts/login/").text)
    if linked:
        STATIC["bootstrap_css"] = linked[1]
    for role, (username, paths) in CANDIDATES.items():
        session = requests.Session()
        if username:
            login(session, base, username)
            units = session.get(f"{base}/api/v1/org-units/?page_size=100").json().get("results", [])
            UNITS[role] = [u["id"] for u in units] or [0]
            counties = [u["id"] for u in units if u.get("kind") == "county"] or UNITS[role]
            UNITS[role + ":county"] = counties
        keep, drop = [], []
        for path in paths:
            url = path.replace("{unit}", str(UNITS.get(role, [0])[0])).replace(
                "{county}", str(UNITS.get(role + ":county", [0])[0])).replace("{bootstrap_css}", STATIC["bootstrap_css"])
            status = session.get(f"{base}{url}", allow_redirects=False).status_code
            (keep if status == 200 else drop).append(path if status == 200 else f"{path} ({status})")
        ACTIVE[role] = keep
        DROPPED[role] = drop
        print(f"[probe] {role}: {len(keep)} pages kept; not (yet) available: {', '.join(drop) or 'none'}", flush=True)


class PortalUser(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 3)

    def on_start(self):
        username = CANDIDATES[self.role][0]
        if username:
            page = self.client.get("/accounts/login/", name="login page")
            token = self.client.cookies.get("csrftoken") or ""
            if not token:
                match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
                token = match[1] if match else ""
            with self.client.post("/accounts/login/", name="login", allow_redirects=False, catch_response=True,
                                  data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
                                  headers={"Referer": self.host.rstrip("/") + "/accounts/login/"}) as answer:
                if answer.status_code != 302:
                    answer.failure(f"login failed: HTTP {answer.status_code}")

    def visit(self):
        paths = ACTIVE.get(self.role) or []
        if not paths:
            return
        path = random.choice(paths)
        url = path.replace("{unit}", str(random.choice(UNITS.get(self.role, [0])))).replace(
            "{county}", str(random.choice(UNITS.get(self.role + ":county", [0])))).replace(
            "{bootstrap_css}", STATIC["bootstrap_css"])
        headers = {"HX-Request": "true"} if path.startswith("/notifications/bell") else {}
        self.client.get(url, name=path, headers=headers)


class PublicVisitor(PortalUser):
    role = "public"
    weight = 4

    @task
    def browse(self):
        self.visit()


class Member(PortalUser):
    role = "member"
    weight = 3

    @task(8)
    def browse(self):
        self.visit()

    @task(1)
    def read_all_notifications(self):
        """A write: marking the inbox read (when the notifications app is there)."""
        if "/notifications/" not in (ACTIVE.get(self.role) or []):
            return
        token = self.client.cookies.get("csrftoken") or ""
        with self.client.post("/notifications/read-all/", name="POST /notifications/read-all/", catch_response=True,
                              data={"csrfmiddlewaretoken": token}, allow_redirects=False,
                              headers={"Referer": self.host.rstrip("/") + "/notifications/"}) as answer:
            if answer.status_code in (200, 302):
                answer.success()
            else:
                answer.failure(f"HTTP {answer.status_code}")


class Secretary(PortalUser):
    role = "secretary"
    weight = 2

    @task
    def browse(self):
        self.visit()


class OfficeClerk(PortalUser):
    role = "clerk"
    weight = 1

    @task
    def browse(self):
        self.visit()
