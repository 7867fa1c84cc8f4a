"""The permission matrix over EVERY route, generated from the URL conf, so new routes are covered
automatically:

1. anonymous visitors get the login page (or 401/403/404/405) on every non-public route;
2. every role, on every route and method, with ids that do not exist, gets a clean 4xx — never 500;
3. cross-scope probing over the demo data: tests/security/test_scope_probe.py.

Public routes are listed in PUBLIC_PREFIXES: they are proven separately to show only published
data."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from organizations.models import Role
from tests.proposals.conftest import world  # noqa: F401 — fixture for the evaluation page check

PUBLIC_PREFIXES = (
    "/accounts/login/", "/accounts/logout/", "/health/", "/i18n/", "/hall/", "/public/",
    "/api/schema/", "/api/docs/", "/api/redoc/", "/api/v1/public/", "/static/", "/media/",
)
# Under the public hall, the staff screens and a resident's own page need a login.
PRIVATE_UNDER_PUBLIC = ("/hall/manage/", "/hall/account/", "/hall/letters/", "/hall/codes/")
SKIP_PREFIXES = ("/admin/",)  # Django admin: staff only, covered by Django's own checks
NONEXISTENT = 987654321


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _routes():
    """(template, converters) for every route, e.g. ('/org/<int:pk>/', {'pk': 'int'})."""
    routes = []
    for raw, _entry in _walk(get_resolver()):
        if "^" in raw or "(?P" in raw or raw.endswith("$"):
            # regex routes (DRF routers, format suffixes, admin) — also under a path() prefix such as
            # api/v1/^org-units/$: named groups become <str:name> (<int:…> for DRF's ids), anchors go
            raw = re.sub(r"\(\?P<(\w+)>[^)]*\)",
                         lambda m: f"<int:{m[1]}>" if m[1] == "pk" or m[1].endswith("_pk") else f"<str:{m[1]}>", raw).replace("^", "").replace("$", "").replace("\\", "")
            if "(" in raw or "[" in raw or "?" in raw:
                continue
        path = "/" + raw
        params = {name: conv or "str" for conv, name in re.findall(r"<(?:(\w+):)?(\w+)>", path)}
        routes.append((path, params))
    return sorted({(p, tuple(sorted(c.items()))) for p, c in routes})


def _fill(path, params, value):
    def repl(match):
        conv = match.group(1) or "str"
        if conv == "int":
            return str(value)
        if conv == "uuid":
            return "00000000-0000-0000-0000-000000000000"
        return "x" if conv in {"str", "slug"} else "x"

    return re.sub(r"<(?:(\w+):)?(\w+)>", repl, path)


def _is_public(path):
    if path == "/hall/account/signup/":
        return True
    return path.startswith(PUBLIC_PREFIXES) and not path.startswith(PRIVATE_UNDER_PUBLIC)


ROUTES = _routes()
PRIVATE = [(p, dict(c)) for p, c in ROUTES if not _is_public(p) and not p.startswith(SKIP_PREFIXES)]
SINGLE_ID = [(p, c) for p, c in PRIVATE if list(c.values()) == ["int"]]


def test_the_route_list_is_not_empty():
    assert len(PRIVATE) > 10 and len(SINGLE_ID) > 3


@pytest.mark.django_db
@pytest.mark.parametrize("path,params", PRIVATE, ids=[p for p, _ in PRIVATE])
def test_anonymous_cannot_reach_private_routes(client, path, params):
    url = _fill(path, params, 1)
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code in {302, 401, 403, 404, 405}, (method, url, response.status_code)
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"], (method, url, response["Location"])


ROLES = [Role.ADMIN, Role.OFFICE_CLERK, Role.PROPOSAL_STAFF, Role.SECRETARY, Role.APPROVER, Role.MEMBER,
         Role.DEPARTMENT, Role.LEADER, Role.RESIDENT]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_500_to_any_role_for_missing_ids(client, tree, role):
    from ..factories import make_member, make_user

    unit = {Role.DEPARTMENT: tree.dept_a, Role.SECRETARY: tree.township_a1, Role.APPROVER: tree.township_a1,
            Role.RESIDENT: tree.village_a1a}.get(role, tree.county_a)
    user = make_user(role, unit)
    if role == Role.MEMBER:
        make_member(tree.county_a, posted_to=tree.township_a1, user=user)
    client.force_login(user)
    client.raise_request_exception = False
    problems = []
    for path, params in PRIVATE:
        url = _fill(path, params, NONEXISTENT)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code >= 500:
                problems.append(f"{method.upper()} {url} → {response.status_code}")
    assert not problems, "\n".join(problems)


# Pages that gather records of many units — reviewed by hand, since the id probe above only
# covers single-record routes.

@pytest.mark.django_db
def test_failed_deliveries_page_shows_only_the_callers_county(client, users, tree):
    from notifications.models import Delivery, Notification

    from ..factories import make_user

    def failed(unit, key):
        n = Notification.objects.create(recipient=make_user(), kind="tests.k", key=key, subject=key,
                                        state="dispatched", org_path=unit.path)
        return Delivery.objects.create(notification=n, channel="email", status="failed", attempts=5, last_error=key)

    ours, theirs = failed(tree.village_a1a, "ours-failed"), failed(tree.village_b1a, "theirs-failed")
    client.force_login(users.clerk)
    html = client.get("/notifications/failures/").content.decode()
    assert "ours-failed" in html and "theirs-failed" not in html
    assert client.post(f"/notifications/failures/deliveries/{theirs.pk}/retry/").status_code == 404
    for role in ("secretary", "member", "dept", "leader", "nobody"):
        client.force_login(getattr(users, role))
        assert client.get("/notifications/failures/").status_code == 403, role
    assert ours.pk


@pytest.mark.django_db
def test_evaluation_pages_read_only_rounds_in_scope(client, world):  # noqa: F811
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    from proposals.models import EvaluationRound

    from ..proposals.conftest import to_state

    users, tree = world.users, world.tree
    to_state(world, "replied")  # the department has a replied proposal to score
    own = EvaluationRound.objects.create(org_unit=tree.county_a, org_path=tree.county_a.path, year=2026,
                                         title="相山区2026年度办理评议", status="open")

    foreign = EvaluationRound.objects.create(org_unit=tree.county_b, org_path=tree.county_b.path, year=2026,
                                             title="濉溪县2026年度办理评议", status="open")
    client.force_login(users.dept)
    with CaptureQueriesContext(conn) as ctx:
        html = client.get("/proposals/evaluations/").content.decode()
    assert "濉溪县2026年度办理评议" not in html and own.title in html
    round_queries = [q["sql"] for q in ctx.captured_queries if 'FROM "proposals_evaluationround"' in q["sql"]]
    # Every read of rounds is limited by path: none loads all open rounds to filter in Python.
    assert all("org_path" in sql for sql in round_queries), round_queries
    assert client.get(f"/proposals/evaluations/{foreign.pk}/").status_code == 404
