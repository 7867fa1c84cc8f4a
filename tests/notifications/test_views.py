"""Inbox, bell, preferences, the staff failures page and the inbox API."""

import pytest
from django.urls import reverse

from notifications import kinds
from notifications.models import Delivery, Notification, Preference, ScanRun
from portal.models import AuditEvent
from tests.factories import make_user
from tests.helpers import assert_constant_queries

pytestmark = pytest.mark.django_db


def _n(user, key="k", **fields):
    fields.setdefault("subject", f"Subject {key}")
    fields.setdefault("state", "dispatched")
    return Notification.objects.create(recipient=user, kind="tests.k", key=key, **fields)


@pytest.fixture
def me(client):
    user = make_user(username="me_u")
    client.force_login(user)
    return user


def test_the_inbox_lists_only_my_notifications(client, me):
    _n(me, "mine", subject="Reply due for proposal 12")
    _n(make_user(), "theirs", subject="Someone else's")
    _n(me, "hidden", subject="Switched off", state="suppressed")
    html = client.get(reverse("notifications:inbox")).content.decode()
    assert "Reply due for proposal 12" in html and "Someone else" not in html and "Switched off" not in html


def test_the_bell_shows_the_unread_count(client, me):
    _n(me, "a")
    _n(me, "b")
    _n(me, "c", read_at="2026-01-01T00:00Z")
    response = client.get(reverse("notifications:bell"))
    assert 'data-unread="2"' in response.content.decode()
    page = client.get(reverse("home")).content.decode()
    assert reverse("notifications:bell") in page  # the navbar loads it


def test_mark_read_with_htmx_and_mark_all(client, me):
    first, second = _n(me, "a"), _n(me, "b")
    response = client.post(reverse("notifications:read", args=[first.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Trigger"] == "notifications-changed"
    first.refresh_from_db()
    assert first.read_at is not None
    client.post(reverse("notifications:read_all"))
    second.refresh_from_db()
    assert second.read_at is not None


def test_nobody_marks_or_opens_another_users_notification(client, me):
    theirs = _n(make_user(), "x")
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_opening_follows_only_local_links(client, me):
    local = _n(me, "l", url="/proposals/3/")
    evil = _n(me, "e", url="https://evil.example.com/")
    assert client.get(reverse("notifications:open", args=[local.pk]))["Location"] == "/proposals/3/"
    assert client.get(reverse("notifications:open", args=[evil.pk]))["Location"] == reverse("notifications:inbox")


def test_the_inbox_runs_constant_queries(client, me):
    counter = iter(range(1000))
    assert_constant_queries(lambda: client.get(reverse("notifications:inbox")),
                            lambda n: [_n(me, f"q{next(counter)}") for _ in range(n)])


def test_preferences_save_and_refuse_switching_off_a_mandatory_kind(client, me, make_source):
    make_source("tests.pref")
    make_source("tests.must")
    kinds.mark_mandatory("tests.must")
    url = reverse("notifications:preferences")
    page = client.get(url).content.decode()
    assert 'name="mode-tests.must" id="mode-tests.must-off" value="off" disabled' in page
    assert client.post(url, {"mode-tests.pref": "digest"}).status_code == 302
    assert Preference.objects.get(user=me, kind="tests.pref").mode == "digest"
    assert AuditEvent.objects.filter(action="notifications.preference_set").count() == 1
    response = client.post(url, {"mode-tests.must": "off", "mode-tests.pref": "nonsense"})
    assert response.status_code == 400
    assert not Preference.objects.filter(kind="tests.must").exists()
    assert Preference.objects.get(user=me, kind="tests.pref").mode == "digest"


def _failed_delivery(org_path=""):
    n = _n(make_user(), "f", org_path=org_path)
    return Delivery.objects.create(notification=n, channel="pager", status="failed", attempts=5, last_error="boom")


def _admin():
    from tests.factories import make_unit

    return make_user("admin", make_unit("安徽省", "province"))


def test_staff_see_failures_and_send_again(client, eager, django_capture_on_commit_callbacks):
    staff = _admin()
    client.force_login(staff)
    delivery = _failed_delivery()
    run = ScanRun.objects.create(kind="tests.gone", day="2026-11-25", status="failed", last_error="Traceback")
    page = client.get(reverse("notifications:failures")).content.decode()
    assert "boom" in page and "tests.gone" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notifications:delivery_retry", args=[delivery.pk]))
        client.post(reverse("notifications:scan_retry", args=[run.pk]))
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 1  # sent again: the pager channel is unknown here
    assert AuditEvent.objects.filter(action__in=["notifications.delivery_retry", "notifications.scan_retry"]).count() == 2
    # a second retry of something not failed is refused with a message, not an error
    assert client.post(reverse("notifications:scan_retry", args=[run.pk])).status_code == 302


@pytest.mark.parametrize("name,needs_pk,method", [
    ("failures", False, "get"), ("delivery_retry", True, "post"), ("scan_retry", True, "post"),
])
def test_non_staff_get_403_never_a_login_page(client, me, name, needs_pk, method):
    delivery = _failed_delivery()
    args = [delivery.pk] if needs_pk else []
    assert getattr(client, method)(reverse(f"notifications:{name}", args=args)).status_code == 403
    if needs_pk:
        assert client.post(reverse(f"notifications:{name}", args=[987654])).status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == "failed"


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- API ---------------------------------------------------------------------------------------

def test_api_lists_my_inbox_counts_unread_and_marks_read(client, me):
    a, b = _n(me, "a"), _n(me, "b")
    _n(make_user(), "other")
    data = client.get("/api/v1/notifications/").json()
    assert {r["id"] for r in data["results"]} == {a.pk, b.pk}
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 2}
    response = client.post(f"/api/v1/notifications/{a.pk}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    assert client.get("/api/v1/notifications/?unread=true").json()["results"][0]["id"] == b.pk
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 0}


def test_api_refuses_others_ids_and_junk(client, me):
    theirs = _n(make_user(), "x")
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert client.get("/api/v1/notifications/?unread=maybe").status_code == 400
    assert client.get("/api/v1/notifications/?page=abc").status_code == 400


def test_api_list_runs_constant_queries(client, me):
    counter = iter(range(1000))
    assert_constant_queries(lambda: client.get("/api/v1/notifications/"),
                            lambda n: [_n(me, f"q{next(counter)}") for _ in range(n)], large=25)  # one API page


def test_the_home_page_shows_the_newest_unread_notifications(client, me):
    assert "home-notifications" not in client.get(reverse("home")).content.decode()
    _n(me, "a", subject="Collection day on the 8th")
    html = client.get(reverse("home")).content.decode()
    assert "home-notifications" in html and "Collection day on the 8th" in html


def test_the_failures_page_runs_constant_queries(client):
    client.force_login(_admin())
    assert_constant_queries(lambda: client.get(reverse("notifications:failures")),
                            lambda n: [_failed_delivery() for _ in range(n)])


def test_a_county_office_sees_and_retries_only_its_own_countys_failures(client, users, tree):
    """Not `is_staff` across counties: the failures page is scoped like every other page."""
    ours = _failed_delivery(org_path=tree.township_a1.path)
    theirs = _failed_delivery(org_path=tree.township_b1.path)
    system = _failed_delivery(org_path="")
    ScanRun.objects.create(kind="tests.gone", day="2026-11-25", status="failed", last_error="Traceback")
    client.force_login(users.clerk)
    page = client.get(reverse("notifications:failures"))
    assert page.status_code == 200
    shown = {d.pk for d in page.context["page"]}
    assert shown == {ours.pk} and "tests.gone" not in page.content.decode()
    for other in (theirs, system):
        assert client.post(reverse("notifications:delivery_retry", args=[other.pk])).status_code == 404
        other.refresh_from_db()
        assert other.attempts == 5
    run = ScanRun.objects.get()
    assert client.post(reverse("notifications:scan_retry", args=[run.pk])).status_code == 403
    client.force_login(users.clerk_b)
    assert {d.pk for d in client.get(reverse("notifications:failures")).context["page"]} == {theirs.pk}
    client.force_login(users.secretary)
    assert client.get(reverse("notifications:failures")).status_code == 403
