"""An idle session ends after SESSION_IDLE_TIMEOUT_SECONDS; every request extends it."""

import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation

from portal.models import AuditEvent

pytestmark = pytest.mark.django_db

START = timezone.now().replace(microsecond=0)


def _at(minutes):
    return START + datetime.timedelta(minutes=minutes)


@pytest.fixture
def signed_in(client, users, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 30 * 60
    client.force_login(users.clerk)
    return client


def test_each_request_extends_the_session(signed_in):
    home = reverse("home")
    for minute in (0, 29, 58, 87):  # never 30 minutes apart
        with time_machine.travel(_at(minute), tick=False):
            assert signed_in.get(home).status_code == 200, minute
    assert not AuditEvent.objects.filter(action="user.session_expired").exists()


def test_an_idle_session_ends_on_the_login_page_with_a_message(signed_in, users):
    home = reverse("home")
    with time_machine.travel(_at(0), tick=False):
        assert signed_in.get(home).status_code == 200
    with time_machine.travel(_at(31), tick=False), translation.override("zh-hans"):
        response = signed_in.get(home)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login")) and "next=/" in response.url
        texts = [str(m) for m in get_messages(response.wsgi_request)]
        assert texts == ["您已连续 30 分钟无操作，系统已自动退出登录，请重新登录。"]
        # Really logged out: the next request is anonymous too.
        assert signed_in.get(home).status_code == 302
    event = AuditEvent.objects.get(action="user.session_expired")
    assert event.actor == users.clerk
    assert not AuditEvent.objects.filter(action="user.logout").exists()


def test_an_htmx_request_is_sent_to_the_login_page_by_the_client(signed_in):
    with time_machine.travel(_at(0), tick=False):
        signed_in.get(reverse("home"))
    with time_machine.travel(_at(45), tick=False):
        response = signed_in.get(reverse("home"), headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith(reverse("login"))


def test_the_api_answers_an_expired_session_as_anonymous(signed_in):
    with time_machine.travel(_at(0), tick=False):
        assert signed_in.get("/api/v1/me/").status_code == 200
    with time_machine.travel(_at(45), tick=False):
        response = signed_in.get("/api/v1/me/")
    assert response.status_code in (401, 403) and response["Content-Type"].startswith("application/json")


def test_zero_turns_the_timeout_off(signed_in, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 0
    with time_machine.travel(_at(0), tick=False):
        signed_in.get(reverse("home"))
    with time_machine.travel(_at(600), tick=False):
        assert signed_in.get(reverse("home")).status_code == 200
