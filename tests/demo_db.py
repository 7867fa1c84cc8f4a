"""The demo data (`manage.py load_demo`), loaded once per test run instead of once per test.

Loading the demo takes tens of seconds of CPU; a dozen tests need it (the demo's own checks, the
cross-scope probe, the printed documents, the admin audit). With PostgreSQL and the run's migrated
template database (tests/conftest.py), the first xdist worker that needs the demo loads it into a
copy of that template, in a subprocess with the test settings, under an advisory lock the other
workers wait on; the result becomes a second template. Each worker copies it once
(`CREATE DATABASE … TEMPLATE`), and a test module that asks for `demo` runs on that copy: every
test in a transaction rolled back after it, so the copy stays as loaded. Every table gets its own id range before the load, so
an id names one record of one table (the cross-scope probe relies on it).

Without PostgreSQL (a local run on SQLite) `demo` simply loads the demo in the test."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCK = 61_270_412  # pg_advisory_lock key: one demo build per run


def separate_id_ranges(connection):
    """Give every table its own id range, so an id names exactly one record of one table."""
    from django.apps import apps

    with connection.cursor() as cursor:
        for i, model in enumerate(sorted(apps.get_models(), key=lambda m: m._meta.db_table), start=1):
            pk = model._meta.pk
            if pk.get_internal_type() not in {"AutoField", "BigAutoField"}:
                continue
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, pk.column])
            seq = cursor.fetchone()[0]
            if seq:
                cursor.execute(f"SELECT setval('{seq}', %s, false)", [i * 10_000_000])


def _database_url(name: str) -> str:
    """The run's DATABASE_URL (PostgreSQL is configured only through it) naming another database."""
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + name))


def _demo_template(connection, template: str) -> str:
    """The name of the run's demo template, built on first use (by whichever worker asks first)."""
    name = f"{template}_demo"
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK])
        try:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                build = f"{name}_build"
                cursor.execute(f'DROP DATABASE IF EXISTS "{build}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{build}" TEMPLATE "{template}"')
                env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test",
                       "DATABASE_URL": _database_url(build),
                       "PYTEST_XDIST_WORKER": "demo-build", "PYTHONPATH": str(ROOT)}
                result = subprocess.run([sys.executable, "-m", "tests.demo_db"], cwd=ROOT, env=env,
                                        capture_output=True, text=True, timeout=900)
                if result.returncode:
                    raise RuntimeError("loading the demo into its template failed:\n"
                                       + result.stdout[-2000:] + result.stderr[-6000:])
                cursor.execute(f'ALTER DATABASE "{build}" RENAME TO "{name}"')
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK])
    return name


@pytest.fixture(scope="session")
def demo_copy(request, django_db_setup, django_db_blocker):
    """This worker's copy of the run's demo template (made on first use, dropped at the end of the
    session), or None where there is none (SQLite, or a run without the template: pytest without
    xdist, --reuse-db). Tests never commit to it: each runs in a transaction rolled back after it."""
    from django.db import connections

    from .conftest import TEMPLATE_ENV, _copy_database, _postgres_default

    template = os.environ.get(TEMPLATE_ENV)
    if not (template and _postgres_default() and hasattr(request.config, "workerinput")):
        yield None
        return
    connection = connections["default"]
    copy = f"{connection.settings_dict['NAME']}_demo"
    with django_db_blocker.unblock():
        _copy_database(_demo_template(connection, template), copy)
    yield copy
    from .conftest import drop_databases_later

    drop_databases_later(copy)


def _forget_cached_rows():
    """The two databases' rows share ids but not content: forget what this process cached from the
    one it leaves (content types — the worker's own are written again by each flush, so their ids
    differ from the template's — and this worker's cache keys)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    ContentType.objects.clear_cache()
    cache.clear()


@pytest.fixture(scope="module")
def demo_database(demo_copy, django_db_blocker):
    """Point the default connection at the worker's demo copy for the module's tests (so a module
    that uses `demo` should hold only tests that use it), then back at the worker's database."""
    from django.db import connections

    if demo_copy is None:
        yield None
        return
    connection = connections["default"]
    original = connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        connection.close()
        connection.close_pool()
        connection.settings_dict["NAME"] = demo_copy
        _forget_cached_rows()
    try:
        yield demo_copy
    finally:
        with django_db_blocker.unblock():
            connection.close()
            connection.close_pool()
            connection.settings_dict["NAME"] = original
            _forget_cached_rows()


@pytest.fixture
def demo(demo_database, db):
    """The demo data, in the test's transaction (rolled back after it)."""
    from django.core.management import call_command
    from django.db import connection

    if demo_database is None:
        if connection.vendor == "postgresql":
            separate_id_ranges(connection)
        call_command("load_demo", stdout=io.StringIO())


if __name__ == "__main__":  # the build: python -m tests.demo_db, with DATABASE_URL set to the copy
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    separate_id_ranges(connection)
    call_command("load_demo", stdout=io.StringIO())
