"""The Django admin's org-unit change form carries the version it was read at: saving over a
change someone made meanwhile is refused with a message, never silently overwritten."""

import pytest
from django.urls import reverse

from organizations.models import OrgUnit
from portal.models import User

pytestmark = pytest.mark.django_db


def _form_data(response):
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value
    return data


@pytest.fixture
def admin_client(client, tree):
    user = User.objects.create_superuser("root_admin", "root@example.org", "x-Strong-Pass-2026")
    client.force_login(user)
    return client


def test_admin_refuses_a_stale_org_unit_edit(admin_client, tree):
    url = reverse("admin:organizations_orgunit_change", args=[tree.township_a2.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and b'name="seen_version"' in page.content
    data = _form_data(page)

    # Someone else renames the unit after the page was loaded.
    from organizations import services

    other = User.objects.create_superuser("root_other", "o@example.org", "x-Strong-Pass-2026")
    services.orgunit_update(actor=other, unit=tree.township_a2, version=tree.township_a2.version,
                            short_name="东山")

    response = admin_client.post(url, {**data, "name": "东山街道办事处"})
    assert response.status_code == 200  # the form again, with the message
    assert "Someone else changed this unit" in response.content.decode() or "他人" in response.content.decode()
    unit = OrgUnit.objects.get(pk=tree.township_a2.pk)
    assert unit.name == "东山街道" and unit.short_name == "东山"

    fresh = _form_data(admin_client.get(url))
    response = admin_client.post(url, {**fresh, "name": "东山街道办事处"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert OrgUnit.objects.get(pk=tree.township_a2.pk).name == "东山街道办事处"
