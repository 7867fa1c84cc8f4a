"""Edits require the version they were read at: without it nothing is overwritten."""

import pytest
from django.urls import reverse

from organizations.models import OrgUnit
from portal.concurrency import check_version, require_version
from portal.errors import StaleEdit, VersionMissing

pytestmark = pytest.mark.django_db


def test_require_version_refuses_a_missing_version(tree):
    unit = tree.township_a1
    for missing in (None, ""):
        with pytest.raises(VersionMissing):
            require_version(unit, missing)
    with pytest.raises(StaleEdit):
        require_version(unit, unit.version + 1)
    require_version(unit, unit.version)
    check_version(unit, None)  # workflow steps may omit it: their guards refuse repeats


def test_form_edit_without_version_is_refused_with_a_message(client, users, tree):
    client.force_login(users.clerk)
    unit = tree.township_a1
    response = client.post(reverse("organizations:edit", args=[unit.pk]),
                           {"name": "改名", "short_name": "", "liaison_body_name": "", "kind": "township"})
    assert response.status_code in (200, 400)
    assert "哪个版本" in response.content.decode()
    assert OrgUnit.objects.get(pk=unit.pk).name == "三堤口街道"


def test_api_edit_without_version_is_a_400_with_a_message(client, users, tree):
    client.force_login(users.clerk)
    unit = tree.township_a1
    response = client.patch(f"/api/v1/org-units/{unit.pk}/", {"name": "改名"}, content_type="application/json")
    assert response.status_code == 400 and "version" in response.json()
    assert OrgUnit.objects.get(pk=unit.pk).name == "三堤口街道"


def test_api_session_hold_without_version_is_a_400(client, users, tree):
    from consultations import services
    from tests.consultations.conftest import advance

    topic = services.topic_create(actor=users.secretary, org_unit=tree.township_a1, title="小区停车难",
                                  description="d", channel="resident", category="民生")
    advance(topic, users, tree, to="scheduled")
    session = topic.sessions.get()
    client.force_login(users.secretary)
    response = client.post(f"/api/v1/consultation-sessions/{session.pk}/hold/",
                           {"attendance": {str(p.pk): "attended" for p in session.participants.all()}},
                           content_type="application/json")
    assert response.status_code == 400 and "version" in response.json()
    session.refresh_from_db()
    assert session.status == "planned"
