"""扫码签到: the QR code of a session, signing in by phone on the day — members with their account,
residents with a name and the last four digits of a phone number — and every way it is refused."""

import datetime

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import Attendance, SignIn

from ..factories import make_member
from .conftest import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(topic, users, tree):
    return advance(topic, users, tree, to="scheduled").sessions.get()  # dated today


def _url(session):
    return reverse("consultations:signin", args=[services.signin_token(session)])


def _en(client):
    client.cookies["django_language"] = "en"


def test_the_session_page_shows_a_qr_code_as_svg(client, users, session):
    client.force_login(users.secretary)
    page = client.get(reverse("consultations:session", args=[session.pk])).content.decode()
    assert reverse("consultations:session_qr", args=[session.pk]) in page
    r = client.get(reverse("consultations:session_qr", args=[session.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml" and b"<svg" in r.content
    client.force_login(users.secretary_b)
    assert client.get(reverse("consultations:session_qr", args=[session.pk])).status_code == 404


def test_a_resident_signs_in_once_and_the_count_reaches_the_one_page(client, users, session):
    _en(client)
    url = _url(session)
    assert client.get(url).status_code == 200
    r = client.post(url, {"name": "居民张三", "phone_last4": "1234"})
    assert r.status_code == 200 and b"signed in" in r.content
    assert SignIn.objects.get().phone_last4 == "1234"
    # The same phone again (same cookie): refused.
    r = client.post(url, {"name": "居民李四", "phone_last4": "5678"})
    assert r.status_code == 400 and b"already been used" in r.content
    # Another device with the same phone number: refused too.
    client.cookies.pop("signin_device")
    client.get(url)
    r = client.post(url, {"name": "居民王五", "phone_last4": "1234"})
    assert r.status_code == 400 and b"already signed in with this phone" in r.content
    assert SignIn.objects.count() == 1
    client.force_login(users.secretary)
    page = client.get(reverse("consultations:session_record_for", args=[session.pk])).content.decode()
    assert 'name="residents_count" value="1"' in page


def test_a_member_signs_in_with_the_account_and_is_marked_present(client, users, tree, session):
    member = make_member(tree.county_a, posted_to=tree.township_a1, user=users.member, name="签到委员")
    client.force_login(users.member)
    url = _url(session)
    client.get(url)
    assert client.post(url).status_code == 200
    participant = session.participants.get(member=member)  # not invited: added
    assert participant.attendance == Attendance.ATTENDED


@pytest.mark.parametrize("markup", ["<script>x</script>", "{{7*7}}"])
def test_resident_names_with_markup_are_refused(client, session, markup):
    _en(client)
    url = _url(session)
    client.get(url)
    r = client.post(url, {"name": markup, "phone_last4": "4321"})
    assert r.status_code == 400 and b"cannot contain" in r.content
    assert b"<script>x</script>" not in r.content  # what was typed comes back escaped, never as markup
    assert not SignIn.objects.exists()


def test_forged_expired_other_day_and_closed_codes_are_refused(client, users, tree, topic, settings):
    _en(client)
    topic = advance(topic, users, tree, to="scheduled")
    session = topic.sessions.get()
    token = services.signin_token(session)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    r = client.get(reverse("consultations:signin", args=[forged]))
    assert r.status_code == 404 and b"not valid" in r.content
    other = signing.dumps({"s": session.pk, "d": session.scheduled_on.isoformat()}, salt="another.salt")
    assert client.get(reverse("consultations:signin", args=[other])).status_code == 404
    # Rescheduled to tomorrow: the code of that day does not open today.
    services.session_reschedule(actor=users.secretary, session=session,
                                scheduled_on=timezone.localdate() + datetime.timedelta(days=1))
    session.refresh_from_db()
    r = client.get(reverse("consultations:signin", args=[services.signin_token(session)]))
    assert r.status_code == 403 and b"day of the session" in r.content
    # Back to today and recorded as held: closed.
    services.session_reschedule(actor=users.secretary, session=session, scheduled_on=timezone.localdate())
    session.refresh_from_db()
    url = _url(session)
    advance(topic, users, tree, to="consulted")
    r = client.post(url, {"name": "迟到居民", "phone_last4": "9999"})
    assert r.status_code == 403 and b"closed" in r.content
    assert not SignIn.objects.exists()


def test_an_expired_code_is_refused(client, session, monkeypatch):
    _en(client)
    token = services.signin_token(session)
    real = signing.loads

    def expired(*args, **kwargs):
        raise signing.SignatureExpired("expired")
    monkeypatch.setattr(signing, "loads", expired)
    r = client.get(reverse("consultations:signin", args=[token]))
    monkeypatch.setattr(signing, "loads", real)
    assert r.status_code == 404 and b"expired" in r.content
