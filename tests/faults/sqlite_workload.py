"""One process of the SQLite concurrency test (run by test_sqlite_never_locks.py, never alone):

    python -m tests.faults.sqlite_workload schema
    python -m tests.faults.sqlite_workload setup
    python -m tests.faults.sqlite_workload writer <n> <edits>
    python -m tests.faults.sqlite_workload refresh <rounds>

Each process is what `make run` has side by side — web workers saving records, the Celery worker
refreshing the summary tables — on the SQLite file given by DATABASE_URL. It prints one line per
error and exits 1 if there was any."""

import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
django.setup()

from organizations import services  # noqa: E402
from organizations.models import OrgUnit, Role  # noqa: E402
from portal.models import User  # noqa: E402
from tests.factories import make_unit, make_user  # noqa: E402

WRITERS = 3


def schema():
    """The tables of today's models, created directly (`migrate --run-syncdb` with the migrations
    switched off, as pytest-django's --no-migrations does): the same schema as migrating, which
    `makemigrations --check` guarantees, in ~2 s instead of ~20 s of replaying 76 migrations on
    SQLite. This test is about locking, not about migrating (the suite's template database and the
    README's production steps migrate from empty)."""
    from django.conf import settings
    from django.core.management import call_command

    class NoMigrations(dict):
        def __contains__(self, item):
            return True

        def __getitem__(self, item):
            return None

    settings.MIGRATION_MODULES = NoMigrations()
    call_command("migrate", run_syncdb=True, verbosity=0)


def setup():
    province = make_unit("安徽省", "province")
    county = make_unit("相山区", "county", province)
    for i in range(WRITERS):
        township = make_unit(f"街道{i}", "township", county)
        make_unit(f"社区{i}", "village", township)
    make_user(Role.OFFICE_CLERK, county, username="sqlite_clerk")


def writer(n: int, edits: int) -> int:
    """A clerk saving one township again and again: each save reads the row (version) and then
    writes it and an audit event in one transaction — the pattern that used to fail."""
    clerk = User.objects.get(username="sqlite_clerk")
    errors = 0
    for i in range(edits):
        try:
            unit = OrgUnit.objects.get(name=f"街道{n}")
            services.orgunit_update(actor=clerk, unit=unit, version=unit.version, name=f"街道{n}", short_name=f"{n}-{i}")
        except Exception as exc:  # noqa: BLE001 - every error is what the test counts
            errors += 1
            print(f"writer {n}: {type(exc).__name__}: {exc}", flush=True)
    return errors


def refresh(rounds: int) -> int:
    from reports import services as reports_services

    errors = 0
    for _ in range(rounds):
        try:
            reports_services.facts_refresh()
        except Exception as exc:  # noqa: BLE001
            errors += 1
            print(f"refresh: {type(exc).__name__}: {exc}", flush=True)
        time.sleep(0.01)
    return errors


if __name__ == "__main__":
    command, args = sys.argv[1], [int(a) for a in sys.argv[2:]]
    if command in ("schema", "setup"):
        schema() if command == "schema" else setup()
        sys.exit(0)
    failed = writer(*args) if command == "writer" else refresh(*args)
    sys.exit(1 if failed else 0)
