"""The day a member took office (任职日期) is set on the member form, when adding and editing, and
held to its order: not in the future, not before 1949, not after the member's first posting began.
It is audited like every other field of the member."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import Member, Posting
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def _form(**over):
    data = {"name": "新委员", "id_key": "JOIN1", "level": "county", "is_active": "on"}
    data.update(over)
    return data


def test_joined_on_is_set_when_adding_and_changed_when_editing(client, users, tree):
    client.force_login(users.clerk)
    url = reverse("members:create") + f"?unit={tree.county_a.pk}"
    assert 'name="joined_on"' in client.get(url).content.decode()
    assert client.post(url, _form(joined_on="2022年1月15日")).status_code == 302
    m = Member.objects.get(id_key="JOIN1")
    assert m.joined_on == datetime.date(2022, 1, 15)
    page = client.get(reverse("members:edit", args=[m.pk])).content.decode()
    assert 'value="2022-01-15"' in page
    response = client.post(reverse("members:edit", args=[m.pk]), _form(joined_on="2021-12-01", version=m.version))
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.joined_on == datetime.date(2021, 12, 1)
    event = AuditEvent.objects.filter(action="members.member.update", target_id=m.pk).get()
    assert (event.before, event.after) == ({"joined_on": "2022-01-15"}, {"joined_on": "2021-12-01"})
    # left empty when editing: unchanged
    client.post(reverse("members:edit", args=[m.pk]), _form(joined_on="", version=m.version))
    m.refresh_from_db()
    assert m.joined_on == datetime.date(2021, 12, 1)


def test_a_new_member_without_the_date_took_office_today(client, users, tree):
    client.force_login(users.clerk)
    client.post(reverse("members:create") + f"?unit={tree.county_a.pk}", _form())
    assert Member.objects.get(id_key="JOIN1").joined_on == timezone.localdate()


@pytest.mark.parametrize("value", ["2099-01-01", "1949-09-30", "明年", "2024-05-02"])
def test_a_date_out_of_order_is_refused_on_the_form(client, users, tree, value):
    """In the future, before 1949, garbage, or after the first posting (2024-05-01)."""
    client.force_login(users.clerk)
    client.post(reverse("members:create") + f"?unit={tree.county_a.pk}", _form(joined_on="2020-03-01"))
    m = Member.objects.get(id_key="JOIN1")
    Posting.objects.create(member=m, org_unit=tree.township_a1, started_on=datetime.date(2024, 5, 1))
    response = client.post(reverse("members:edit", args=[m.pk]), _form(joined_on=value, version=m.version))
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode() or "invalid-feedback" in response.content.decode()
    m.refresh_from_db()
    assert m.joined_on == datetime.date(2020, 3, 1)
