import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django import forms
from django.utils import translation

from portal.forms import ChineseDateField

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text", ["2026-11-25", "2026/11/25", "2026年11月25日", "2026年11月5日", "2026-1-5"])
def test_dates_accepted_in_all_three_styles(text):
    class F(forms.Form):
        day = ChineseDateField()

    form = F({"day": text})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"].year == 2026


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_plain_django_date_fields_accept_chinese_style_too(lang):
    class F(forms.Form):
        day = forms.DateField()

    with translation.override(lang):
        for text in ["2026-11-25", "2026/11/25", "2026年11月25日"]:
            form = F({"day": text})
            assert form.is_valid(), (text, form.errors)
            assert form.cleaned_data["day"] == datetime.date(2026, 11, 25)


def test_bad_date_gets_a_translated_message():
    class F(forms.Form):
        day = ChineseDateField()

    with translation.override("zh-hans"):
        form = F({"day": "2026-13-45"})
        assert not form.is_valid()
        assert "2026年11月25日" in form.errors["day"][0]


def test_dates_display_in_chinese():
    from django.utils.formats import date_format

    with translation.override("zh-hans"):
        assert date_format(datetime.date(2026, 11, 25)) == "2026年11月25日"


@pytest.mark.django_db
def test_interface_is_chinese_by_default_and_english_on_request(client, users):
    client.force_login(users.secretary)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert "组织架构" in page  # zh-hans despite an English browser
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    users.secretary.refresh_from_db()
    assert users.secretary.language == "en"
    assert "Organisation tree" in client.get("/").content.decode()


@pytest.mark.django_db
def test_set_language_ignores_foreign_redirects(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_home_shows_scope_and_role_navigation(client, tree, users):
    client.force_login(users.secretary)
    body = client.get("/").content.decode()
    assert "三堤口街道政协联络组" in body
    client.force_login(users.nobody)
    assert "请联系" in client.get("/").content.decode() or "Ask your office" in client.get("/").content.decode()


@pytest.mark.django_db
def test_lockout_after_repeated_failures(client, users):
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "clerk_u", "password": "wrong"})
    assert response.status_code in {403, 429}
    response = client.post("/accounts/login/", {"username": "clerk_u", "password": "pw-12345"})
    assert response.status_code in {403, 429}
    assert "locked-out" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_wrong_password_gets_a_clear_translated_error(client, users):
    response = client.post("/accounts/login/", {"username": "clerk_u", "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


@pytest.mark.django_db
def test_login_logout_and_password_change(client, users):
    assert client.post("/accounts/login/", {"username": "clerk_u", "password": "pw-12345"}).status_code == 302
    response = client.post("/accounts/password/", {"old_password": "pw-12345", "new_password1": "Xq9!long-enough-pw",
                                                   "new_password2": "Xq9!long-enough-pw"})
    assert response.status_code == 302
    client.post("/accounts/logout/")
    assert client.post("/accounts/login/", {"username": "clerk_u", "password": "Xq9!long-enough-pw"}).status_code == 302


@pytest.mark.django_db
def test_health_reports_database_broker_and_worker(client):
    data = client.get("/health/").json()
    assert data["database"]["ok"] is True
    assert set(data) >= {"ok", "database", "broker", "worker"}


@pytest.mark.django_db
def test_health_sees_a_recent_worker_heartbeat(client):
    from portal.tasks import heartbeat

    heartbeat()  # what the worker runs every 30 s
    assert client.get("/health/").json()["worker"]["ok"] is True


@pytest.mark.django_db
def test_oversized_request_is_refused_clearly(client, users, settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 1024
    client.force_login(users.clerk)
    response = client.post("/org/search/", data=b"x" * (3 * 1024 * 1024), content_type="application/octet-stream")
    assert response.status_code == 413


@pytest.mark.django_db
def test_non_utf8_query_string_is_a_400_not_a_500(client, users):
    client.force_login(users.clerk)
    response = client.get("/org/search/", QUERY_STRING="q=%ff%fe")
    assert response.status_code in {200, 400}
    response = client.generic("GET", "/org/search/?q=\udcff".encode("utf-8", "surrogateescape").decode("latin-1"))
    assert response.status_code in {200, 400, 404}


@pytest.mark.django_db
def test_unknown_page_is_a_friendly_404(client, users):
    client.force_login(users.clerk)
    response = client.get("/no/such/page/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_openapi_schema_and_docs(client, users):
    client.force_login(users.clerk)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/org-units/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def _prod_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DEBUG"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings.prod",
        "SECRET_KEY": "k" * 60 + "-production-secret-value",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "portal.example.gov.cn",
    })
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _import_prod(env):
    return subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def test_production_settings_start_with_their_secrets():
    assert _import_prod(_prod_env()).returncode == 0


@pytest.mark.parametrize("override", [
    {"SECRET_KEY": None}, {"SECRET_KEY": "short"}, {"DATABASE_URL": None},
    {"DATABASE_URL": "sqlite:///x.db"}, {"REDIS_URL": None}, {"ALLOWED_HOSTS": ""}, {"DEBUG": "1"},
])
def test_production_settings_refuse_unsafe_configuration(override):
    result = _import_prod(_prod_env(**override))
    assert result.returncode != 0
    assert "Unsafe production configuration" in result.stderr


def test_docker_compose_is_valid_and_complete():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"web", "worker", "beat", "db", "redis"} <= set(services)
    assert "gunicorn" in " ".join(services["web"]["command"]) if isinstance(services["web"]["command"], list) else "gunicorn" in services["web"]["command"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert "DATABASE_URL" in env and "REDIS_URL" in env
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "requirements.lock" in dockerfile and "npm ci" in dockerfile
