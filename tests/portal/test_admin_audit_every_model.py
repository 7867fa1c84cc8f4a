"""Every registered admin model, on the demo data, saved through its change form as a browser
would: each change leaves an `admin.change` audit event (tests/portal/test_admin_audit.py holds
the rest of the admin audit tests)."""

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse

from portal.models import AuditEvent

from .test_admin_audit import _browser_post, _instances, root  # noqa: F401 — root is a fixture

pytestmark = pytest.mark.django_db


def test_every_registered_admin_model_audits_a_change(client, root, demo):  # noqa: F811
    _instances()
    missing, refused, audited = [], [], []
    request = RequestFactory().get("/admin/")
    request.user = root
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label):
        label = model._meta.label
        info = model._meta.app_label, model._meta.model_name
        before = AuditEvent.objects.filter(action__startswith="admin.").count()
        if not (model_admin.has_change_permission(request) or model_admin.has_add_permission(request)):
            # Read-only in the admin (the audit trail itself, the consultation records written by
            # services): nothing can be changed there, so nothing is logged.
            response = client.post(reverse("admin:{}_{}_add".format(*info)), {"_save": "保存"})
            if response.status_code != 403 or AuditEvent.objects.filter(action__startswith="admin.").count() != before:
                refused.append(f"{label}: {response.status_code}")
            continue
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            missing.append(f"{label}: no row to change (add one in _instances)")
            continue
        url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
        ct = ContentType.objects.get_for_model(model, for_concrete_model=False)
        response = _browser_post(client, url, f"{model._meta.model_name}_form")
        if response.status_code != 302:
            errors = response.context and response.context.get("errors")
            missing.append(f"{label}: {response.status_code} {errors}")
            continue
        event = AuditEvent.objects.filter(action="admin.change", target_type=ct, target_id=str(obj.pk)).first()
        if event is None or event.actor != root:
            missing.append(f"{label}: no audit event")
        else:
            audited.append(label)
    assert missing == [] and refused == [], "\n".join(missing + refused)
    assert "members.Notable" in audited and "portal.User" in audited and len(audited) >= 30
