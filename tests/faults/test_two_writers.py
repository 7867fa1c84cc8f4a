"""Two people edit the same record: the second save is refused with a conflict (StaleEdit) and
nothing the first one saved is overwritten — sequentially through the page and the API, and
truly concurrently (two transactions racing for the row lock) on PostgreSQL."""

import threading

import pytest
from django.db import connection
from django.test import Client

from organizations import services
from organizations.models import OrgUnit, Role
from portal.errors import StaleEdit
from portal.models import AuditEvent
from tests.factories import make_unit, make_user


@pytest.fixture
def world(db):
    province = make_unit("安徽省", "province")
    county = make_unit("相山区", "county", province)
    township = make_unit("三堤口街道", "township", county)
    alice = make_user(Role.OFFICE_CLERK, county, username="alice_w")
    bob = make_user(Role.OFFICE_CLERK, county, username="bob_w")
    return township, alice, bob


def _form(name, version):
    return {"name": name, "short_name": "", "liaison_body_name": "", "kind": "township", "version": version}


def test_second_form_save_is_refused_and_first_kept(world):
    township, alice, bob = world
    a, b = Client(), Client()
    a.force_login(alice)
    b.force_login(bob)
    loaded = township.version  # both opened the form at this version
    assert a.post(f"/org/{township.pk}/edit/", _form("甲改的名", loaded)).status_code == 302
    answer = b.post(f"/org/{township.pk}/edit/", _form("乙改的名", loaded))
    assert answer.status_code == 200  # the form again, with the conflict message
    assert "Reload" in answer.content.decode() or "重新" in answer.content.decode()
    unit = OrgUnit.objects.get(pk=township.pk)
    assert unit.name == "甲改的名" and unit.version == loaded + 1
    assert AuditEvent.objects.filter(action="orgunit.update").count() == 1


def test_second_api_patch_gets_409(world):
    township, alice, bob = world
    a, b = Client(), Client()
    a.force_login(alice)
    b.force_login(bob)
    loaded = township.version
    url = f"/api/v1/org-units/{township.pk}/"
    assert a.patch(url, {"name": "甲改的名", "version": loaded}, content_type="application/json").status_code == 200
    answer = b.patch(url, {"name": "乙改的名", "version": loaded}, content_type="application/json")
    assert answer.status_code == 409
    assert OrgUnit.objects.get(pk=township.pk).name == "甲改的名"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_race_for_the_row_lock():
    province = make_unit("安徽省", "province")
    county = make_unit("相山区", "county", province)
    township = make_unit("三堤口街道", "township", county)
    alice = make_user(Role.OFFICE_CLERK, county, username="alice_c")
    bob = make_user(Role.OFFICE_CLERK, county, username="bob_c")
    loaded = township.version
    alice_holds_lock, release_alice = threading.Event(), threading.Event()
    outcome = {}

    def alice_saves():
        def hold(execute, sql, params, many, context):
            result = execute(sql, params, many, context)
            if sql.startswith('UPDATE "organizations_orgunit"'):
                alice_holds_lock.set()
                release_alice.wait(10)  # keep the transaction (and the row lock) open
            return result

        try:
            with connection.execute_wrapper(hold):
                services.orgunit_update(actor=alice, unit=township, version=loaded, name="甲改的名")
            outcome["alice"] = "saved"
        except Exception as exc:  # noqa: BLE001
            outcome["alice"] = exc
        finally:
            connection.close()

    def bob_saves():
        try:
            services.orgunit_update(actor=bob, unit=township, version=loaded, name="乙改的名")
            outcome["bob"] = "saved"
        except Exception as exc:  # noqa: BLE001
            outcome["bob"] = exc
        finally:
            connection.close()

    ta = threading.Thread(target=alice_saves)
    ta.start()
    assert alice_holds_lock.wait(10)
    tb = threading.Thread(target=bob_saves)
    tb.start()
    tb.join(1.0)
    assert tb.is_alive(), "Bob must wait for Alice's row lock, not read the old version"
    release_alice.set()
    ta.join(10)
    tb.join(10)
    assert outcome["alice"] == "saved"
    assert isinstance(outcome["bob"], StaleEdit)
    unit = OrgUnit.objects.get(pk=township.pk)
    assert unit.name == "甲改的名" and unit.version == loaded + 1
    assert AuditEvent.objects.filter(action="orgunit.update").count() == 1
