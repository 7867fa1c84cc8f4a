"""The database connection drops in the middle of a write: the user gets a clear error page (or a
JSON error under /api/), nothing is half-written, and the next request works again.

The drop is real: while the service's transaction runs, a second connection terminates the
request's backend with pg_terminate_backend right after the first UPDATE, so the following
statements (the version bump, the audit event …) hit a dead connection."""

from contextlib import contextmanager

import psycopg
import pytest
from django.db import close_old_connections, connection
from django.db.utils import Error as DjangoDbError
from django.test import Client

from organizations import services
from organizations.models import OrgUnit, Role
from portal.models import AuditEvent
from tests.factories import make_unit, make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _terminate(pid: int) -> None:
    s = connection.settings_dict
    with psycopg.connect(dbname=s["NAME"], user=s["USER"], password=s["PASSWORD"] or None,
                         host=s["HOST"] or None, port=s["PORT"] or None, autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [pid])


@contextmanager
def drop_connection_after(sql_prefix: str):
    """Terminate this connection's backend right after the first statement starting with sql_prefix."""
    fired = []

    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not fired and sql.lstrip().upper().startswith(sql_prefix.upper()):
            fired.append(sql)
            _terminate(context["connection"].connection.info.backend_pid)
        return result

    with connection.execute_wrapper(wrapper):
        yield fired
    # What the next request does first: drop a connection that saw errors and is no longer usable.
    close_old_connections()
    if connection.connection is not None and not connection.is_usable():
        connection.close()


@pytest.fixture
def world():
    province = make_unit("安徽省", "province")
    county = make_unit("相山区", "county", province)
    township = make_unit("三堤口街道", "township", county)
    village = make_unit("庆相桥社区", "village", township)
    other = make_unit("东山街道", "township", county)
    clerk = make_user(Role.OFFICE_CLERK, county, username="clerk_fault")
    return province, county, township, village, other, clerk


def _state():
    return sorted(OrgUnit.objects.values_list("id", "name", "path", "depth", "version"))


def test_form_post_gets_error_page_and_nothing_is_written(world):
    county, township, village, other, clerk = world[1:]
    client = Client(raise_request_exception=False)
    client.force_login(clerk)  # the login is audited too: count from after it
    before, audits = _state(), AuditEvent.objects.count()
    with drop_connection_after('UPDATE "organizations_orgunit"') as fired:
        answer = client.post(f"/org/{township.pk}/edit/", {
            "name": "改名街道", "short_name": "", "liaison_body_name": "", "kind": "township",
            "version": township.version,
        })
    assert fired, "the connection was never dropped"
    assert answer.status_code == 500
    assert "text/html" in answer["Content-Type"]
    body = answer.content.decode()
    assert "Traceback" not in body and "psycopg" not in body  # a clear page, not internals
    assert _state() == before
    assert AuditEvent.objects.count() == audits
    # The next request works on a fresh connection.
    answer = client.post(f"/org/{township.pk}/edit/", {
        "name": "改名街道", "short_name": "", "liaison_body_name": "", "kind": "township",
        "version": township.version,
    })
    assert answer.status_code == 302
    assert OrgUnit.objects.get(pk=township.pk).name == "改名街道"
    assert AuditEvent.objects.count() == audits + 1


def test_api_patch_gets_json_error_and_nothing_is_written(world):
    county, township, village, other, clerk = world[1:]
    client = Client(raise_request_exception=False)
    client.force_login(clerk)  # the login is audited too: count from after it
    before, audits = _state(), AuditEvent.objects.count()
    with drop_connection_after('UPDATE "organizations_orgunit"') as fired:
        answer = client.patch(f"/api/v1/org-units/{township.pk}/", {"name": "改名街道", "version": township.version},
                              content_type="application/json")
    assert fired
    assert answer.status_code == 500
    assert answer["Content-Type"].startswith("application/json")
    assert answer.json().get("detail")
    assert _state() == before
    assert AuditEvent.objects.count() == audits


def test_subtree_move_is_all_or_nothing(world):
    """Moving a township rewrites the paths of its whole subtree and the org_path of records in it;
    a drop after the first of those UPDATEs leaves every row as it was."""
    county, township, village, other, clerk = world[1:]
    before, audits = _state(), AuditEvent.objects.count()
    with pytest.raises(DjangoDbError), drop_connection_after('UPDATE "organizations_orgunit"'):
        services.orgunit_move(actor=clerk, unit=village, new_parent=other)
    assert _state() == before
    assert AuditEvent.objects.count() == audits
    services.orgunit_move(actor=clerk, unit=OrgUnit.objects.get(pk=village.pk), new_parent=other)
    assert OrgUnit.objects.get(pk=village.pk).path == f"{other.path}{village.pk}/"
