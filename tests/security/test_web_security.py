"""Web security checks beyond the permission matrix: CSRF on every route, XSS escaping (stored and
reflected, over every list route), security headers, oversized and garbage requests, the login
lockout, and `check --deploy` with the production settings. Routes come from the URL conf, so new
routes are covered automatically."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from organizations.models import Role
from tests.factories import make_member, make_unit, make_user

from .test_url_matrix import ROUTES, _fill

ROOT = Path(__file__).resolve().parents[2]
SAFE_METHODS_ONLY: set[str] = set()  # routes that are csrf_exempt on purpose: none
PAYLOAD = '<script>alert("xss")</script>'
RAW = re.compile(r"<script>alert\(", re.I)
ALL_ROUTES = [(p, dict(c)) for p, c in ROUTES if not p.startswith("/admin/") and not p.startswith("/static/")]
# /health/ answers 503 by design when no worker runs (as in the tests).
LIST_ROUTES = [p for p, c in ALL_ROUTES if not c and p != "/health/"]


@pytest.fixture
def admin(tree):
    return make_user(Role.ADMIN, tree.province, username="sec_admin", is_staff=True, is_superuser=True)


# --- CSRF -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_every_state_changing_request_without_csrf_token_is_refused(admin):
    """Signed in (the administrator passes every role check), POST/PUT/PATCH/DELETE without the
    token must be refused by the CSRF check on every route — before any view logic runs."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(admin)
    client.get("/")  # receive a CSRF cookie, as a browser would, but send no token
    lenient = Client(raise_request_exception=False)
    lenient.force_login(admin)
    problems = []
    for path, params in ALL_ROUTES:
        if path in SAFE_METHODS_ONLY:
            continue
        url = _fill(path, params, 987654321)
        for method in ("post", "put", "patch", "delete"):
            if method != "post" and not path.startswith("/api/"):
                continue
            response = getattr(client, method)(url, {"name": "x"} if method == "post" else None)
            body = response.content.decode(errors="replace")
            refused = response.status_code == 403 and ("CSRF" in body or "表单" in body or "form expired" in body)
            if response.status_code == 403 and not refused:
                # A bare 403 (e.g. DRF's HTML renderers): it is the CSRF check if the same request
                # without CSRF enforcement is not refused.
                refused = getattr(lenient, method)(url, {"name": "x"} if method == "post" else None).status_code != 403
            if not refused:
                problems.append(f"{method.upper()} {url} → {response.status_code}")
    assert not problems, "accepted without a CSRF token:\n" + "\n".join(problems)


@pytest.mark.django_db
def test_login_form_needs_the_csrf_token(users):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "clerk_u", "password": "pw-12345"})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


# --- XSS --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_stored_markup_is_escaped_on_every_list_page(tree, admin):
    """Names typed by users come back escaped wherever lists show them."""
    unit = make_unit(PAYLOAD, "township", tree.county_a, short_name=PAYLOAD, liaison_body_name=PAYLOAD)
    make_member(tree.county_a, posted_to=unit, name=PAYLOAD)
    admin.display_name = PAYLOAD
    admin.save()
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    problems = []
    for path in [*LIST_ROUTES, f"/org/{unit.pk}/", f"/org/{tree.county_a.pk}/", f"/org/{tree.county_a.pk}/children/"]:
        response = client.get(path)
        if response.status_code >= 500:
            problems.append(f"GET {path} → {response.status_code}")
        elif response.get("Content-Type", "").startswith("text/html") and RAW.search(response.content.decode()):
            problems.append(f"GET {path} shows the markup unescaped")
    assert not problems, "\n".join(problems)
    page = client.get(f"/org/{unit.pk}/").content.decode()
    assert "&lt;script&gt;alert(" in page  # shown, escaped


@pytest.mark.django_db
def test_query_parameters_are_never_reflected_unescaped(admin):
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    problems = []
    for path in LIST_ROUTES:
        for query in ({"q": PAYLOAD}, {"page": PAYLOAD}, {"next": PAYLOAD}, {"status": PAYLOAD, "unit": PAYLOAD}):
            response = client.get(path, query)
            if response.status_code >= 500:
                problems.append(f"GET {path} {query} → {response.status_code}")
            elif response.get("Content-Type", "").startswith("text/html") and RAW.search(
                    response.content.decode(errors="replace")):
                # JSON answers (nosniff) are not rendered by browsers; HTML must escape.
                problems.append(f"GET {path} {query} reflects the markup")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_security_headers_on_pages(admin):
    client = Client()
    client.force_login(admin)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp)[1]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.cookies.get("sessionid") is None or response.cookies["sessionid"]["httponly"]


# --- Uploads and garbage requests ---------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("path,json_answer", [("/org/", False), ("/api/v1/org-units/", True)])
def test_oversized_request_is_refused_with_a_clear_message(admin, settings, path, json_answer):
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    too_big = settings.PORTAL_MAX_UPLOAD_BYTES + 2 * 1024 * 1024
    response = client.generic("POST", path, b"x" * 16, content_type="application/octet-stream",
                              CONTENT_LENGTH=str(too_big))
    assert response.status_code == 413
    if json_answer:
        assert response.json()["detail"]
    else:
        assert "MB" in response.content.decode()


@pytest.mark.django_db
def test_multipart_garbage_never_gives_500(admin):
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    garbage = b"--xx\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\n\x00\xff\xfe"
    problems = []
    for path, params in ALL_ROUTES:
        url = _fill(path, params, 987654321)
        response = client.generic("POST", url, garbage, content_type="multipart/form-data; boundary=xx")
        if response.status_code >= 500 and path != "/health/":
            problems.append(f"POST {url} → {response.status_code}")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_invalid_utf8_in_the_address_is_a_400(admin):
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    response = client.get("/org/search/", QUERY_STRING="q=%FF%FE")
    assert response.status_code in {200, 400}
    response = client.generic("GET", "/org/search/", QUERY_STRING="q=\udcff".encode("utf-8", "surrogateescape")
                              .decode("latin-1"))
    assert response.status_code in {200, 400}


# --- Login lockout (django-axes) ----------------------------------------------------------------

@pytest.mark.django_db
def test_lockout_blocks_the_right_password_too_and_only_that_account(users, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "clerk_u", "password": "wrong-guess"})
    response = client.post("/accounts/login/", {"username": "clerk_u", "password": "pw-12345"})
    assert response.status_code in {403, 429}
    assert "locked-out" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not locked (lockout is per user name + address).
    other = Client()
    response = other.post("/accounts/login/", {"username": "secretary_u", "password": "pw-12345"})
    assert response.status_code == 302
    # The API token endpoint, if any, is not a way around the lockout: session login is the only form.
    assert Client().post("/api/v1/me/").status_code in {401, 403}


@pytest.mark.django_db
def test_failures_below_the_limit_do_not_lock(users, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post("/accounts/login/", {"username": "clerk_u", "password": "wrong-guess"})
    response = client.post("/accounts/login/", {"username": "clerk_u", "password": "pw-12345"})
    assert response.status_code == 302


# --- Deployment checklist ----------------------------------------------------------------------

def test_check_deploy_is_clean_with_the_production_settings(tmp_path):
    # As in production: not the test runner's async escape hatch (scripts/test.sh sets it for Playwright).
    base = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**base, "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
           "SECRET_KEY": secrets.token_urlsafe(64), "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
           "REDIS_URL": "redis://127.0.0.1:6379/0", "ALLOWED_HOSTS": "portal.example.cn", "DEBUG": "0",
           "PORTAL_VAR_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_an_unsafe_configuration(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.prod", "SECRET_KEY": "short",
           "DATABASE_URL": "sqlite:///x.sqlite3", "REDIS_URL": "", "ALLOWED_HOSTS": "", "DEBUG": "1",
           "PORTAL_VAR_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0
    assert "Unsafe production configuration" in result.stderr
