"""Fixtures shared by the whole suite.

`tree` is a small org tree with two counties so every test can prove scoping against a sibling:

    安徽省 (province)
    └─ 淮北市 (city)
       ├─ 相山区 (county A)  ── 三堤口街道 (township A1) ── 庆相桥社区 (village A1a)
       │                    ├─ 东山街道 (township A2)
       │                    └─ 相山区城管局 (department)
       └─ 濉溪县 (county B)  ── 临涣镇 (township B1) ── 临涣村 (village B1a)
"""

import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection

from organizations.models import UnitKind

from . import emptying
from .demo_db import (  # noqa: F401 — fixtures: the demo data, loaded once per run
    demo,
    demo_copy,
    demo_database,
)
from .factories import make_units, make_users

emptying.install()  # transactional tests end by emptying only the tables they filled

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
TEMPLATE_ENV = "PORTAL_TEST_DB_TEMPLATE"


# --- One migrated database per run, copied for every xdist worker -------------------------------
# Migrating takes ~20 s of CPU; with PostgreSQL the controller migrates once into a template and
# each worker starts from `CREATE DATABASE … TEMPLATE` (a file copy) instead of migrating again.
# The controller migrates in a thread while the workers start and collect the tests (~10 s of the
# same 20 s); a worker waits for the template only when its first test needs a database.

READY_ENV = "PORTAL_TEST_DB_TEMPLATE_READY"


def _postgres_default():
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _build_template(config, template: str, ready: Path) -> None:
    """Migrate the run's template database; then write `ok` (or the error) to `ready`."""
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    try:
        with config.stash[blocking_manager_key].unblock():
            connection = connections["default"]  # this thread's own connection
            original = connection.settings_dict["NAME"]
            connection.settings_dict.setdefault("TEST", {})["NAME"] = template
            connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            connection.close()
            connection.close_pool()  # CREATE DATABASE … TEMPLATE needs it unused
            connection.settings_dict["NAME"] = original
        outcome = "ok"
    except BaseException as exc:  # noqa: BLE001 - every worker must see why, not wait forever
        import traceback

        outcome = "".join(traceback.format_exception(exc))
    tmp = ready.with_suffix(".tmp")
    tmp.write_text(outcome)
    tmp.replace(ready)  # atomic: a worker reads all of it or nothing


def _wait_for_template() -> None:
    ready = Path(os.environ[READY_ENV])
    deadline = time.monotonic() + 900
    while not ready.exists():
        if time.monotonic() > deadline:
            raise RuntimeError("the run's template database was not built within 15 minutes")
        time.sleep(0.1)
    outcome = ready.read_text()
    if outcome != "ok":
        raise RuntimeError("migrating the run's template database failed:\n" + outcome)


def pytest_configure(config):
    # pytest's check for unraisable exceptions collects garbage five times as each process ends:
    # on an xdist worker's heap at the end of a run ~0.7 s of CPU each. One collection finds the
    # finalizers that run in this suite; pytest's own test harness (pytester) sets it to none.
    from _pytest.unraisableexception import gc_collect_iterations_key

    config.stash[gc_collect_iterations_key] = 1


@pytest.hookimpl(tryfirst=True)  # before xdist starts the workers, so they inherit the variables
def pytest_sessionstart(session):
    config = session.config
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        return
    from . import rewrite_cache

    writers = rewrite_cache.write_copies(config)  # forked before any thread starts here
    try:
        _start_template_build(config)
    finally:
        rewrite_cache.wait(writers)  # the workers start after this hook, and find the copies


def _start_template_build(config):
    if not _postgres_default() or config.getoption("reuse_db", False):
        return
    import tempfile
    import threading

    from django.db import connections

    original = connections["default"].settings_dict["NAME"]
    template = f"test_{original}_template"
    ready = Path(tempfile.mkdtemp(prefix="portal-template-")) / "ready"
    os.environ[TEMPLATE_ENV] = template
    os.environ[READY_ENV] = str(ready)
    config._portal_template = template
    config._portal_template_ready = ready
    config._portal_template_build = threading.Thread(
        target=_build_template, args=(config, template, ready), name="template-build", daemon=True)
    config._portal_template_build.start()


@pytest.hookimpl(trylast=True)  # after xdist stopped the workers
def pytest_sessionfinish(session):
    template = getattr(session.config, "_portal_template", None)
    if template:
        session.config._portal_template_build.join()
        import shutil

        shutil.rmtree(session.config._portal_template_ready.parent, ignore_errors=True)
        drop_databases_later(f"{template}_demo_build", f"{template}_demo", template)


def drop_databases_later(*names: str) -> None:
    """DROP DATABASE … WITH (FORCE) for each name, in a detached process, so the run ends without
    waiting for it: each drop waits for a checkpoint (seconds with a busy server). Runs in the
    order given (a template after its copies)."""
    import json
    import subprocess
    import sys

    from django.db import connections

    settings = connections["default"].settings_dict
    params = {"host": settings["HOST"], "port": settings["PORT"], "user": settings["USER"],
              "password": settings["PASSWORD"], "dbname": "postgres"}  # the empty ones are left out below
    script = ("import psycopg, sys, json\n"
              "params, names = json.loads(sys.argv[1]), json.loads(sys.argv[2])\n"
              "with psycopg.connect(autocommit=True, **{k: v for k, v in params.items() if v}) as conn:\n"
              "    for name in names:\n"
              "        conn.execute('DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)' % name)\n")
    subprocess.Popen([sys.executable, "-c", script, json.dumps(params), json.dumps(list(names))],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)


def _copy_database(template: str, name: str) -> None:
    from django.db import OperationalError, connections

    connection = connections["default"]
    for attempt in range(20):
        try:
            with connection._nodb_cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
            return
        except OperationalError:  # another worker is copying the template this very moment
            if attempt == 19:
                raise
            time.sleep(0.25)


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_use_migrations,
                    django_db_keepdb, django_db_createdb, django_db_modify_db_settings):
    """pytest-django's own, except that an xdist worker copies the run's migrated template."""
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    template = os.environ.get(TEMPLATE_ENV)
    if template and _postgres_default() and hasattr(request.config, "workerinput"):
        # every PostgreSQL alias (the default and the stand-in read replica) starts as a copy
        aliases = [alias for alias in connections
                   if connections[alias].settings_dict["ENGINE"] == "django.db.backends.postgresql"]
        names = {}
        _wait_for_template()
        with django_db_blocker.unblock():
            for alias in aliases:
                connection = connections[alias]
                test_name = connection.settings_dict.get("TEST", {}).get("NAME") or f"test_{connection.settings_dict['NAME']}"
                names[alias] = (test_name, connection.settings_dict["NAME"])
                connection.close()
                connection.close_pool()
                _copy_database(template, test_name)
                connection.settings_dict["NAME"] = test_name
        yield
        for alias in aliases:
            connection = connections[alias]
            connection.close()
            connection.close_pool()
            connection.settings_dict["NAME"] = names[alias][1]
        # WITH (FORCE): a browser's live-server thread or a real worker's process may still hold a
        # connection for a moment after the last test; the session is over anyway
        drop_databases_later(*(test_name for test_name, _original in names.values()))
        return

    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    kwargs = {}
    if not django_db_use_migrations:
        _disable_migrations()
    if django_db_keepdb and not django_db_createdb:
        kwargs["keepdb"] = True
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    with django_db_blocker.unblock():
        db_cfg = setup_databases(verbosity=request.config.option.verbose, interactive=False, aliases=aliases,
                                 serialized_aliases=serialized_aliases, **kwargs)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(db_cfg, verbosity=request.config.option.verbose)


# Tests go to whichever worker is free, in this order: first one serial chain of the tests that
# only wait (`WAITING_CHAIN`), then the longest (`LONG_FIRST`, by --durations on 2 shared cores,
# issue 16), so no worker is left alone with one of them at the end of the run; the groups among
# those that mostly wait for chromium or a subprocess (`SPREAD`) are spread one by one over the
# rest instead of starting together. When they ran back to back, all three workers often waited
# at once and a core stood idle for a minute and more (/proc/stat, 8 Dec 2026).
WAITING_CHAIN = (  # ~3 minutes of a real Celery worker, kill -9, a slow mail server, SMS retries:
    "tests/faults/test_email_kills.py",  # ~1 % of a core in the test process, a few % in
    "tests/notifications/test_worker.py",  # the workers it starts; one after the other on one
    "tests/faults/test_worker_and_redis.py",  # xdist worker (one xdist group) while the two
    "tests/notifications/test_sms.py",  # others keep both cores busy
    "tests/notifications/test_sms_tencent.py",
)
LONG_FIRST = (
    "tests/portal/test_production_steps.py",
    "tests/faults/test_email_kills.py",
    "tests/security/test_scope_probe.py",
    "tests/documents/",
    "tests/e2e/test_screenshot_tour.py",
    "tests/security/test_api_schemathesis.py",
    "tests/e2e/",
    "tests/notifications/test_worker.py",
    "tests/faults/",
    "tests/portal/test_demo_data.py",  # loads the demo a second time
    "tests/portal/test_admin_audit_every_model.py",
    "tests/security/test_web_security.py::test_query_parameters_are_never_reflected_unescaped",
    "tests/security/test_url_matrix.py::test_no_route_answers_500",
    "tests/perf/",
    "tests/reports/test_worker.py",
)
SPREAD = ("tests/e2e/", "tests/notifications/test_worker.py", "tests/faults/", "tests/reports/test_worker.py")
SPREAD_OVER = 0.85  # of the tests that are not long


def _link(item):
    return next((i for i, prefix in enumerate(WAITING_CHAIN) if item.nodeid.startswith(prefix)), None)


@pytest.hookimpl(tryfirst=True, specname="pytest_collection_modifyitems")
def pytest_collection_modifyitems_waiting_chain(items):
    """The chain's xdist group, marked before xdist reads the marks (its hook runs before the
    ordering below, which must run after pytest-django's own ordering)."""
    for item in items:
        if _link(item) is not None:
            item.add_marker(pytest.mark.xdist_group("waiting-chain"))


def pytest_collection_modifyitems(config, items):
    def rank(item):
        return next((i for i, prefix in enumerate(LONG_FIRST) if item.nodeid.startswith(prefix)), len(LONG_FIRST))

    chain = sorted((item for item in items if _link(item) is not None), key=_link)
    items[:] = sorted((item for item in items if _link(item) is None), key=rank)  # stable
    spread_ranks = {LONG_FIRST.index(prefix) for prefix in SPREAD}
    front = [item for item in items if rank(item) < len(LONG_FIRST) and rank(item) not in spread_ranks]
    spread = [item for item in items if rank(item) in spread_ranks]
    rest = items[len(front) + len(spread):]
    window = max(int(len(rest) * SPREAD_OVER), 1)
    mixed, k = [], 0
    for i, item in enumerate(rest):  # the k-th waiting test near the (k·window/n)-th other one,
        # one at a time, between two modules (or every 20 tests of a long one), never two together
        place = i == 0 or item.path != rest[i - 1].path or i % 20 == 0
        if place and k < len(spread) and k * window // len(spread) <= i:
            mixed.append(spread[k])
            k += 1
        mixed.append(item)
    items[:] = chain + front + mixed + spread[k:]


@pytest.fixture(autouse=True)
def _backend_requirements(request):
    """Tests marked `postgres` need PostgreSQL. Locally they skip on SQLite; in CI
    (REQUIRE_SERVICES=1) a missing service is a failure, never a silent skip."""
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("This test needs PostgreSQL (set DATABASE_URL).")
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def tree(db):
    # the rows make_unit would insert one by one, in a few queries: nearly every test builds this
    units = make_units({
        "province": ("安徽省", UnitKind.PROVINCE, None),
        "city": ("淮北市", UnitKind.CITY, "province"),
        "county_a": ("相山区", UnitKind.COUNTY, "city"),
        "township_a1": ("三堤口街道", UnitKind.TOWNSHIP, "county_a", {"liaison_body_name": "三堤口街道政协联络组"}),
        "village_a1a": ("庆相桥社区", UnitKind.VILLAGE, "township_a1"),
        "township_a2": ("东山街道", UnitKind.TOWNSHIP, "county_a"),
        "dept_a": ("相山区城管局", UnitKind.DEPARTMENT, "county_a"),
        "county_b": ("濉溪县", UnitKind.COUNTY, "city"),
        "township_b1": ("临涣镇", UnitKind.TOWNSHIP, "county_b"),
        "village_b1a": ("临涣村", UnitKind.VILLAGE, "township_b1"),
    })
    return SimpleNamespace(**units)


@pytest.fixture
def users(tree):
    """One user per role, all in county A's part of the tree (the admin at the province)."""
    from organizations.models import Role

    return SimpleNamespace(**make_users({
        "admin": (Role.ADMIN, tree.province, {"username": "admin_u"}),
        "city_clerk": (Role.OFFICE_CLERK, tree.city, {"username": "city_clerk_u"}),
        "clerk": (Role.OFFICE_CLERK, tree.county_a, {"username": "clerk_u"}),
        "clerk_b": (Role.OFFICE_CLERK, tree.county_b, {"username": "clerk_b_u"}),
        "proposal": (Role.PROPOSAL_STAFF, tree.county_a, {"username": "proposal_u"}),
        "secretary": (Role.SECRETARY, tree.township_a1, {"username": "secretary_u"}),
        "secretary_b": (Role.SECRETARY, tree.township_b1, {"username": "secretary_b_u"}),
        "approver": (Role.APPROVER, tree.township_a1, {"username": "approver_u"}),
        "member": (Role.MEMBER, tree.county_a, {"username": "member_u"}),
        "dept": (Role.DEPARTMENT, tree.dept_a, {"username": "dept_u"}),
        "leader": (Role.LEADER, tree.county_a, {"username": "leader_u"}),
        "nobody": (None, None, {"username": "nobody_u"}),
    }))
