"""Every change made in the Django admin is on the audit trail (portal/admin_site.py): the test
walks every registered model, saves its change form as a browser would (the form's own HTML,
inlines included) and finds the audit event; add and delete are proven on the 乡贤 pool
(members.Notable) and through the "delete selected" action. Read-only admins refuse changes."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from members.models import Notable
from portal.audit import action_label
from portal.models import AuditEvent, User, WorkerHeartbeat

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """The fields a browser would send for the admin's change form (`<form id="…_form">`)."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.data = form_id, False, []
        self._select = self._textarea = None
        self._multiple = False
        self._first_option = None
        self._chosen = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
            return
        if not self.inside:
            return
        if tag == "input" and a.get("name") and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name") and "disabled" not in a:
            self._select, self._multiple, self._first_option, self._chosen = a["name"], "multiple" in a, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self.data.append((self._select, value))
                self._chosen = True
        elif tag == "textarea" and a.get("name") and "disabled" not in a:
            self._textarea = [a["name"], ""]

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select:
            if not self._chosen and not self._multiple and self._first_option is not None:
                self.data.append((self._select, self._first_option))  # a browser sends the first option
            self._select = None
        elif tag == "textarea" and self._textarea:
            value = self._textarea[1]
            self.data.append((self._textarea[0], value[1:] if value.startswith("\n") else value))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def _as_post(pairs):
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


def _browser_post(client, url, form_id):
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    parser = _FormFields(form_id)
    parser.feed(page.content.decode())
    data = _as_post(parser.data)
    data.pop("_saveasnew", None)
    data["_save"] = ["保存"]
    return client.post(url, data)


@pytest.fixture
def root(client):
    user = User.objects.create_superuser("root_admin", "root@example.org", "x-Strong-Pass-2026")
    client.force_login(user)
    return user


def _instances():
    """An existing row of every registered model: the demo data (the `demo` fixture), and a few
    rows the demo does not make (access logs, heartbeats, schedules, tokens)."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )
    from rest_framework.authtoken.models import Token

    now = timezone.now()
    Group.objects.get_or_create(name="审计组")
    Token.objects.get_or_create(user=User.objects.get(username="clerk"))
    AccessAttempt.objects.create(username="x", ip_address="10.0.0.1", user_agent="ua", failures_since_start=1,
                                 attempt_time=now, get_data="", post_data="", http_accept="*/*", path_info="/")
    AccessLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="ua", attempt_time=now,
                             http_accept="*/*", path_info="/")
    AccessFailureLog.objects.create(username="x", ip_address="10.0.0.1", user_agent="ua", attempt_time=now,
                                    http_accept="*/*", path_info="/", locked_out=False)
    WorkerHeartbeat.objects.get_or_create(name="worker@test", defaults={"seen_at": now, "hostname": "h"})
    interval, _ = IntervalSchedule.objects.get_or_create(every=30, period=IntervalSchedule.SECONDS)
    CrontabSchedule.objects.get_or_create(minute="0", hour="8", timezone="Asia/Shanghai")
    SolarSchedule.objects.get_or_create(event="sunrise", latitude=33.95, longitude=116.79)
    ClockedSchedule.objects.get_or_create(clocked_time=now)
    PeriodicTask.objects.get_or_create(name="审计测试", defaults={"task": "portal.heartbeat", "interval": interval})

    from notifications.models import Delivery, Notification, Preference, ScanRun
    from organizations.models import OrgUnit
    from reports.models import ExportJob, MonthlyReportDelivery, ReportTemplate

    clerk = User.objects.get(username="clerk")
    unit = OrgUnit.objects.get(code="huaibei-xiangshan-sandikou")
    Delivery.objects.create(notification=Notification.objects.order_by("pk").first(), channel="email")
    Preference.objects.create(user=clerk, kind="consultations.session_invitation")
    ScanRun.objects.create(kind="consultations.suggestion_overdue", day=now.date())
    ExportJob.objects.create(org_unit=unit, requested_by=clerk, kind=ExportJob._meta.get_field("kind").choices[0][0],
                             fingerprint="f" * 64, params={"year": 2026})
    MonthlyReportDelivery.objects.create(org_unit=unit, month=now.date().replace(day=1))
    ReportTemplate.objects.create(org_unit=unit, file="report-templates/2026/template.docx", uploaded_by=clerk)


def test_the_talent_pool_add_change_and_delete_are_audited(client, root, tree):
    add = reverse("admin:members_notable_add")
    response = client.post(add, {"org_unit": tree.township_a1.pk, "name": "王乡贤", "category": "notable",
                                 "expertise": "调解", "phone": "13800001234", "is_active": "on", "_save": "保存"})
    assert response.status_code == 302, response.context and response.context.get("errors")
    notable = Notable.objects.get(name="王乡贤")
    added = AuditEvent.objects.get(action="admin.add", target_id=str(notable.pk))
    assert added.actor == root and added.after["name"] == "王乡贤" and added.org_path == notable.org_path

    change = reverse("admin:members_notable_change", args=[notable.pk])
    data = _as_post(_parse(client, change, "notable_form"))
    data["expertise"] = ["调解、法律"]
    data["_save"] = ["保存"]
    assert client.post(change, data).status_code == 302
    changed = AuditEvent.objects.get(action="admin.change", target_id=str(notable.pk))
    assert changed.before == {"expertise": "调解"} and changed.after == {"expertise": "调解、法律"}
    assert "调解" not in changed.note or changed.note  # the admin's own summary of the change

    assert client.post(reverse("admin:members_notable_delete", args=[notable.pk]), {"post": "yes"}).status_code == 302
    assert not Notable.objects.filter(pk=notable.pk).exists()
    deleted = AuditEvent.objects.get(action="admin.delete", target_id=str(notable.pk))
    assert deleted.actor == root and deleted.note == str(notable)

    # The timeline reads it in Chinese.
    with translation.override("zh-hans"):
        assert str(action_label("admin.change")) == "在系统管理后台修改"


def test_delete_selected_audits_every_record(client, root, tree):
    rows = [Notable.objects.create(org_unit=tree.township_a1, name=f"乡贤{i}", expertise="法律", category="notable")
            for i in range(3)]
    response = client.post(reverse("admin:members_notable_changelist"), {
        "action": "delete_selected", "_selected_action": [r.pk for r in rows], "post": "yes"})
    assert response.status_code == 302
    assert set(AuditEvent.objects.filter(action="admin.delete").values_list("target_id", flat=True)) == {
        str(r.pk) for r in rows}


def test_passwords_never_reach_the_trail(client, root, tree):
    user = User.objects.create_user("audited_u", password="Old-Pass-2026x")
    change = reverse("admin:portal_user_change", args=[user.pk])
    data = _as_post(_parse(client, change, "user_form"))
    data.update({"display_name": ["审计"], "_save": ["保存"]})
    assert client.post(change, data).status_code == 302
    event = AuditEvent.objects.get(action="admin.change", target_id=str(user.pk))
    assert event.after == {"display_name": "审计"}
    assert "pbkdf2" not in str(event.before) + str(event.after) and "md5" not in str(event.after)


def _parse(client, url, form_id):
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormFields(form_id)
    parser.feed(page.content.decode())
    return parser.data
