"""Logins, logouts and failed logins are on the audit trail, with the name tried and the address,
never the password; django-axes still does the lockout."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation

from portal.audit import action_label
from portal.models import AuditEvent, User

pytestmark = pytest.mark.django_db


def _login(client, username, password, ip="10.1.2.3"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_a_login_and_a_logout_are_audited(client, users):
    response = _login(client, "clerk_u", "pw-12345")
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user.login")
    assert event.actor == users.clerk and event.target_id == str(users.clerk.pk)
    assert event.target_type == ContentType.objects.get_for_model(User)
    assert event.after == {"username": "clerk_u", "ip": "10.1.2.3"}

    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")
    event = AuditEvent.objects.get(action="user.logout")
    assert event.actor == users.clerk and event.after["username"] == "clerk_u"


def test_a_failed_login_records_the_name_and_address_never_the_password(client, users):
    response = _login(client, "clerk_u", "wrong-secret-99", ip="10.9.9.9")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="user.login_failed")
    assert event.actor is None and event.target_id == str(users.clerk.pk)
    assert event.after == {"username": "clerk_u", "ip": "10.9.9.9"}
    assert "wrong-secret-99" not in str(event.before) + str(event.after) + event.note + event.target_repr


def test_a_failed_login_with_an_unknown_name_is_recorded_without_an_account(client, users):
    _login(client, "no-such-user", "whatever-1")
    event = AuditEvent.objects.get(action="user.login_failed")
    assert event.target_id == "" and event.target_repr == "no-such-user"
    assert event.after["username"] == "no-such-user"
    assert not User.objects.filter(username="no-such-user").exists()


def test_axes_still_locks_out_and_each_attempt_is_audited(client, users, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "clerk_u", "wrong")
    response = _login(client, "clerk_u", "pw-12345")
    assert response.status_code == 429  # axes' lockout, not ours
    assert not AuditEvent.objects.filter(action="user.login").exists()
    assert AuditEvent.objects.filter(action="user.login_failed").count() == settings.AXES_FAILURE_LIMIT + 1


def test_the_actions_read_in_chinese():
    with translation.override("zh-hans"):
        assert str(action_label("user.login")) == "登录"
        assert str(action_label("user.logout")) == "退出登录"
        assert str(action_label("user.login_failed")) == "登录失败"
