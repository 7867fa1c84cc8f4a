"""The embedded default (SQLite, `make run`) never answers "database is locked": several processes
save records read-then-write while another one refreshes the summary tables, on one SQLite file
with the project's settings (WAL, IMMEDIATE transactions, a busy timeout). Before those settings,
1 edit in ~90 failed with two writers alone.

And if a database error does reach a user, the page is translated and stand-alone (never the
debug page): "系统繁忙，请稍后重试" (503) for a lock, the error page (500) for anything else."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError, OperationalError, connection
from django.test import Client, override_settings
from django.urls import path

from organizations.models import Role
from tests.factories import make_unit, make_user

ROOT = Path(__file__).resolve().parents[2]


def _run(db: Path, *args, wait=True):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "portal.settings.test",
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "tests.faults.sqlite_workload", *map(str, args)], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if wait:
        out, _ = proc.communicate(timeout=300)
        assert proc.returncode == 0, out
    return proc


def _empty_database(db: Path):
    """An empty SQLite file with the portal's tables: a copy of the test database when it is SQLite,
    else the tables created from the models (sqlite_workload.schema)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(db) as target:
            connection.connection.backup(target)
        return
    _run(db, "schema")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_a_refresh_never_see_a_locked_database(tmp_path):
    db = tmp_path / "portal.sqlite3"
    _empty_database(db)
    _run(db, "setup")
    procs = [_run(db, "writer", n, 60, wait=False) for n in range(3)]
    procs.append(_run(db, "refresh", 8, wait=False))
    outputs = [(p, p.communicate(timeout=600)[0]) for p in procs]
    errors = [out for p, out in outputs if p.returncode != 0]
    assert errors == [], "\n".join(errors)
    with sqlite3.connect(db) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert check.execute("SELECT COUNT(*) FROM portal_auditevent WHERE action = 'orgunit.update'").fetchone()[0] == 180


def _locked(request):
    raise OperationalError("database is locked")


def _broken(request):
    raise DatabaseError("no such table: secret_internal_name")


urlpatterns = [path("locked/", _locked), path("broken/", _broken), path("api/v1/locked/", _locked)]


@pytest.fixture
def signed_in(db):
    county = make_unit("相山区", "county")
    client = Client(raise_request_exception=False)
    client.force_login(make_user(Role.OFFICE_CLERK, county))
    return client


@override_settings(ROOT_URLCONF=__name__, DEBUG=True)
def test_locked_database_is_a_chinese_busy_page_not_the_debug_page(signed_in):
    answer = signed_in.get("/locked/")
    assert answer.status_code == 503
    assert answer["Retry-After"]
    body = answer.content.decode()
    assert "系统繁忙，请稍后重试" in body
    assert "Traceback" not in body and "OperationalError" not in body


@override_settings(ROOT_URLCONF=__name__, DEBUG=True)
def test_other_database_errors_get_the_error_page_without_details(signed_in):
    answer = signed_in.get("/broken/")
    assert answer.status_code == 500
    body = answer.content.decode()
    assert 'id="error-message"' in body and "secret_internal_name" not in body and "Traceback" not in body


@override_settings(ROOT_URLCONF=__name__)
def test_locked_database_under_the_api_is_json(signed_in):
    answer = signed_in.get("/api/v1/locked/")
    assert answer.status_code == 503
    assert answer.json()["detail"] == "系统繁忙，请稍后重试"
