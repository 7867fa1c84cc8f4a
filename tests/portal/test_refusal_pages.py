"""The refusal policy's shared parts (portal.actions, portal.views.error_403): a missing role is
the portal's 403 page — in the user's language, with the service's reason, a way back — for a
button and a form alike; an htmx write reloads the page with the reason instead; a state refusal
on a button is a message on the next page; the API keeps its JSON statuses."""

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from organizations.models import OrgUnit
from portal.actions import add_form_error, button_action, form_action
from portal.errors import DomainError, GuardFailed, NotAllowed
from portal.models import AuditEvent

from ..helpers import assert_not_allowed_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_with_messages(rf: RequestFactory):
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_button_action_raises_403_for_a_missing_role_and_shows_a_state_refusal(request_with_messages):
    def refuse(exc):
        def call():
            raise exc
        return call

    with pytest.raises(PermissionDenied) as denied:
        button_action(request_with_messages, refuse(NotAllowed("只有提案人可以撤回")))
    assert str(denied.value) == "只有提案人可以撤回"
    assert button_action(request_with_messages, refuse(GuardFailed("已经提交过了"))) == (False, None)
    assert button_action(request_with_messages, lambda: 7, success="好") == (True, 7)
    assert [str(m) for m in get_messages(request_with_messages)] == ["已经提交过了", "好"]


def test_form_action_raises_403_for_a_missing_role_and_puts_other_refusals_on_the_field(request_with_messages):
    from django import forms

    class F(forms.Form):
        title = forms.CharField()

    form = F({"title": "x"})
    assert form.is_valid()

    def raising(exc):
        def call():
            raise exc
        return call

    with pytest.raises(PermissionDenied):
        form_action(request_with_messages, form, raising(NotAllowed()))
    with pytest.raises(PermissionDenied):
        add_form_error(form, NotAllowed(field="title"))
    assert not form.errors
    assert form_action(request_with_messages, form, raising(DomainError("太长了", field="title"))) == (False, None)
    assert form.errors == {"title": ["太长了"]}


def test_the_403_page_in_chinese_with_a_way_back_and_nothing_changed(client, tree, users):
    client.force_login(users.leader)  # sees county A's units, does not manage them
    unit = tree.township_a1
    before = AuditEvent.objects.count()
    response = client.post(reverse("organizations:edit", args=[unit.pk]), {
        "name": "改名", "short_name": "", "liaison_body_name": "", "kind": unit.kind, "version": unit.version},
        headers={"Referer": f"http://testserver/org/{unit.pk}/"})
    body = assert_not_allowed_page(response, "您无权执行此操作")
    assert "返回上一页" in body and f'href="http://testserver/org/{unit.pk}/"' in body and "返回首页" in body
    assert OrgUnit.objects.get(pk=unit.pk).name == unit.name and AuditEvent.objects.count() == before
    # a unit outside the leader's county: 404, its existence not revealed
    assert client.post(reverse("organizations:edit", args=[tree.township_b1.pk]), {"name": "x"}).status_code == 404


def test_the_403_page_reads_well_in_english_and_ignores_a_foreign_referer(client, tree, users):
    users.leader.language = "en"
    users.leader.save(update_fields=["language"])
    client.force_login(users.leader)
    response = client.get(reverse("organizations:edit", args=[tree.township_a1.pk]),
                          headers={"Referer": "https://evil.example/"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "Not allowed" in body and "You are not allowed to do this." in body and "Back to the home page" in body
    assert "evil.example" not in body and "无权" not in body


def test_htmx_writes_reload_with_the_reason_and_htmx_reads_do_not_loop(client, tree, users):
    client.force_login(users.leader)
    write = client.post(reverse("organizations:two-factor", args=[tree.township_a1.pk]), {"on": "1"},
                        headers={"HX-Request": "true"})
    assert write.status_code == 403 and write["HX-Refresh"] == "true"
    assert "您无权执行此操作" in client.get(reverse("organizations:unit", args=[tree.township_a1.pk])).content.decode()
    read = client.get(reverse("organizations:users"), headers={"HX-Request": "true"})
    assert read.status_code == 403 and "HX-Refresh" not in read


def test_export_buttons_follow_the_policy(client, tree, users):
    data = {"period": "year", "year": "2025", "kind": "dashboard"}
    client.force_login(users.member)  # no report role: the 403 page
    assert_not_allowed_page(client.post(reverse("reports:export_create", args=[tree.county_a.pk]), data))
    client.force_login(users.clerk_b)  # a reporter of another county: 404
    assert client.post(reverse("reports:export_create", args=[tree.county_a.pk]), data).status_code == 404


def test_the_api_keeps_answering_json(client, tree, users):
    client.force_login(users.leader)
    response = client.patch(f"/api/v1/org-units/{tree.township_a1.pk}/", {"name": "x", "version": 1},
                            content_type="application/json")
    assert response.status_code == 403 and response["Content-Type"].startswith("application/json")
