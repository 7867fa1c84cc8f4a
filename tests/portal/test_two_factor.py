"""Two-factor login (TOTP) for the staff of units that require it: enrolment with a QR code,
the code after the password, backup codes shown once, the office's reset, the lockout, and
no way around it through the API. Off by default: every other test logs in as before."""

import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from organizations import services
from organizations.models import Role
from organizations.two_factor import REQUIRE_TWO_FACTOR, required_for
from portal.accounts import two_factor
from portal.models import AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "pw-12345"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    # django-otp's back-off (1 s, 2 s, 4 s … after a wrong code) would make the right code that
    # follows a wrong one wait; tests of the back-off itself turn it on again.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _require(unit, actor, on=True):
    services.two_factor_require(actor=actor, unit=unit, on=on)


def _code(device, offset=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():06d}"


def _login(client, username, password=PASSWORD, ip="127.0.0.1", **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra}, REMOTE_ADDR=ip)


def _enrol(client, user, ip="127.0.0.1"):
    """Go through enrolment; returns the confirmed device and the backup codes shown."""
    page = client.get(reverse("two_factor_enrol"), REMOTE_ADDR=ip)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("two_factor_enrol"), {"code": _code(device)}, REMOTE_ADDR=ip)
    assert response.status_code == 200
    codes = re.findall(r"<li class=\"col\">([a-z0-9]{5}-[a-z0-9]{5})</li>", response.content.decode())
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


# --- Who must ---------------------------------------------------------------------------------

def test_off_by_default_staff_log_in_with_the_password_alone(client, users):
    assert not required_for(users.clerk)
    response = _login(client, "clerk_u")
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_unit_requires_it_for_its_staff_and_its_whole_subtree(tree, users):
    _require(tree.county_a, users.admin)
    for user in (users.clerk, users.proposal, users.secretary, users.approver, users.dept, users.leader):
        assert required_for(user), user.username  # county A and the units below it
    # Not for another county, not for committee members, not for a unit above.
    for user in (users.clerk_b, users.secretary_b, users.member, users.city_clerk, users.admin, users.nobody):
        assert not required_for(user), user.username


def test_a_unit_below_cannot_turn_off_what_an_ancestor_requires(tree, users):
    _require(tree.county_a, users.admin)
    _require(tree.township_a1, users.admin, on=False)
    assert required_for(users.secretary)  # township A1 is below county A


def test_turning_it_off_again_releases_the_subtree(tree, users):
    _require(tree.county_a, users.admin)
    _require(tree.county_a, users.admin, on=False)
    assert not required_for(users.secretary)


def test_residents_are_never_asked(client, tree, users):
    _require(tree.province, users.admin)
    resident = make_user(Role.RESIDENT, tree.village_a1a, username="resident_u")
    assert not required_for(resident)
    assert _login(client, "resident_u").status_code == 302
    assert client.get(reverse("hall:my")).status_code == 200


def test_the_setting_is_audited_and_only_an_office_sets_it(client, tree, users):
    from portal.errors import NotAllowed

    with pytest.raises(NotAllowed):
        _require(tree.county_a, users.secretary)
    _require(tree.county_a, users.clerk)
    event = AuditEvent.objects.get(action="config.set")
    assert event.after == {REQUIRE_TWO_FACTOR: True} and event.actor == users.clerk


def test_the_unit_page_switches_it_on(client, tree, users):
    client.force_login(users.clerk)
    response = client.post(reverse("organizations:two-factor", args=[tree.township_a1.pk]), {"on": "1"})
    assert response.status_code == 302
    assert required_for(users.secretary)
    page = client.get(reverse("organizations:unit", args=[tree.village_a1a.pk])).content.decode()
    assert "三堤口街道" in page and 'id="two-factor-setting"' in page


# --- Enrolment and login ------------------------------------------------------------------------

def test_enrolment_journey(client, tree, users):
    _require(tree.county_a, users.admin)
    response = _login(client, "clerk_u")
    assert response.status_code == 302
    # Every page sends them to enrol first (with the page they wanted), logout still works.
    page = client.get("/consultations/")
    assert page.status_code == 302 and page.url.startswith(reverse("two_factor_enrol") + "?next=")
    assert client.get(reverse("organizations:users")).url.startswith(reverse("two_factor_enrol"))
    enrol = client.get(reverse("two_factor_enrol"))
    html = enrol.content.decode()
    assert "<svg" in html and 'id="two-factor-secret"' in html
    assert enrol["Cache-Control"].startswith("max-age=0") or "no-cache" in enrol["Cache-Control"]
    device = TOTPDevice.objects.get(user=users.clerk, confirmed=False)
    # A reload shows the same key (the QR code already scanned stays valid).
    client.get(reverse("two_factor_enrol"))
    assert TOTPDevice.objects.filter(user=users.clerk).count() == 1

    wrong = client.post(reverse("two_factor_enrol"), {"code": "000000" if _code(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "code" in wrong.context["form"].errors
    device, codes = _enrol(client, users.clerk)
    assert len(codes) == 10 and len(set(codes)) == 10
    # Only keyed hashes of the backup codes are stored.
    stored = set(StaticToken.objects.filter(device__user=users.clerk).values_list("token", flat=True))
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes}
    assert client.get("/consultations/").status_code == 200
    assert AuditEvent.objects.filter(action="user.two_factor_enrol", target_id=str(users.clerk.pk)).count() == 1
    # Enrolling again (replacing the device) is not possible, even in a verified session.
    assert client.get(reverse("two_factor_enrol")).url == reverse("two_factor")


def test_login_asks_for_the_code_after_the_password(client, tree, users):
    _require(tree.county_a, users.admin)
    _login(client, "secretary_u")
    device, _codes = _enrol(client, users.secretary)
    client.post(reverse("logout"))

    response = _login(client, "secretary_u", next="/consultations/")
    assert response.status_code == 302
    assert client.get("/consultations/").url == reverse("two_factor_verify") + "?next=%2Fconsultations%2F"
    page = client.get(reverse("two_factor_verify") + "?next=/consultations/")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()
    done = client.post(reverse("two_factor_verify"), {"code": _code(device, offset=30), "next": "/consultations/"})
    assert done.status_code == 302 and done.url == "/consultations/"
    assert client.get("/consultations/").status_code == 200
    assert AuditEvent.objects.filter(action="user.two_factor_passed").count() == 1
    # A code is good once (no replay in another session).
    other = client.__class__()
    _login(other, "secretary_u")
    replay = other.post(reverse("two_factor_verify"), {"code": _code(device, offset=30)})
    assert replay.status_code == 200 and other.get("/consultations/").status_code == 302


def test_an_enrolled_user_cannot_replace_the_device_with_the_password_alone(client, tree, users):
    _require(tree.county_a, users.admin)
    _login(client, "clerk_u")
    _enrol(client, users.clerk)
    client.post(reverse("logout"))
    _login(client, "clerk_u")
    assert client.get(reverse("two_factor_enrol")).url == reverse("two_factor_verify")
    assert TOTPDevice.objects.filter(user=users.clerk).count() == 1


def test_a_wrong_code_is_refused_audited_and_counts_toward_the_lockout(client, tree, users, settings):
    _require(tree.county_a, users.admin)
    _login(client, "clerk_u")
    device, _codes = _enrol(client, users.clerk)
    client.post(reverse("logout"))

    _login(client, "clerk_u")
    right = _code(device, offset=30)
    wrong = "123456" if right != "123456" else "654321"
    response = client.post(reverse("two_factor_verify"), {"code": wrong})
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert client.get("/consultations/").status_code == 302
    event = AuditEvent.objects.get(action="user.two_factor_failed")
    assert event.target_id == str(users.clerk.pk) and event.after == {"username": "clerk_u", "ip": "127.0.0.1"}
    assert wrong not in str(event.after) + event.note

    # The right password again does not wipe out the wrong codes: the limit is reached with them.
    for _ in range(settings.AXES_FAILURE_LIMIT - 2):
        client.post(reverse("two_factor_verify"), {"code": wrong})
    client.post(reverse("logout"))
    _login(client, "clerk_u", ip="127.0.0.1")
    locked = client.post(reverse("two_factor_verify"), {"code": wrong})
    assert locked.status_code == 429  # axes' lockout page
    assert not client.session.get("_auth_user_id")  # the half-open session is ended
    assert _login(client, "clerk_u", ip="127.0.0.1").status_code == 429  # the right password too
    assert AuditEvent.objects.filter(action="user.two_factor_failed").count() == settings.AXES_FAILURE_LIMIT


def test_the_right_code_resets_the_failure_count(client, tree, users, settings):
    from axes.models import AccessAttempt

    _require(tree.county_a, users.admin)
    _login(client, "clerk_u")
    device, _codes = _enrol(client, users.clerk)
    client.post(reverse("logout"))
    _login(client, "clerk_u", password="wrong-pass-1")
    _login(client, "clerk_u")
    assert AccessAttempt.objects.filter(username="clerk_u").exists()  # the password alone keeps it
    client.post(reverse("two_factor_verify"), {"code": _code(device, offset=30)})
    assert not AccessAttempt.objects.filter(username="clerk_u").exists()


def test_a_backup_code_works_once(client, tree, users):
    _require(tree.county_a, users.admin)
    _login(client, "clerk_u")
    _device, codes = _enrol(client, users.clerk)
    client.post(reverse("logout"))

    _login(client, "clerk_u")
    response = client.post(reverse("two_factor_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get("/consultations/").status_code == 200
    assert AuditEvent.objects.filter(action="user.two_factor_passed").latest("id").after["backup_code"] is True
    client.post(reverse("logout"))
    _login(client, "clerk_u")
    again = client.post(reverse("two_factor_verify"), {"code": codes[0]})
    assert again.status_code == 200 and client.get("/consultations/").status_code == 302


def test_new_backup_codes_replace_the_old_ones(client, tree, users):
    _require(tree.county_a, users.admin)
    _login(client, "clerk_u")
    _device, old = _enrol(client, users.clerk)
    page = client.get(reverse("two_factor"))
    assert "10" in page.content.decode()
    response = client.post(reverse("two_factor_backup_codes"))
    new = re.findall(r"<li class=\"col\">([a-z0-9]{5}-[a-z0-9]{5})</li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert "no-store" in response["Cache-Control"]
    client.post(reverse("logout"))
    _login(client, "clerk_u")
    assert client.post(reverse("two_factor_verify"), {"code": old[1]}).status_code == 200
    assert client.post(reverse("two_factor_verify"), {"code": new[1]}).status_code == 302


def test_htmx_requests_are_sent_to_the_code_page(client, tree, users):
    _require(tree.county_a, users.admin)
    _login(client, "clerk_u")
    response = client.get("/consultations/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("two_factor_enrol")


# --- The API is no way around it ----------------------------------------------------------------

def test_the_api_refuses_a_session_that_owes_the_code(client, tree, users):
    _require(tree.county_a, users.admin)
    _login(client, "clerk_u")
    response = client.get("/api/v1/org-units/")
    assert response.status_code == 403 and response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    device, _codes = _enrol(client, users.clerk)
    assert client.get("/api/v1/org-units/").status_code == 200


def test_the_api_refuses_writes_too_and_the_admin_is_closed(client, tree, users):
    _require(tree.province, users.admin)
    _login(client, "admin_u")
    assert client.post("/api/v1/org-units/", {}, content_type="application/json").status_code == 403
    assert client.get("/admin/").url.startswith(reverse("two_factor_enrol"))


def test_a_session_without_the_requirement_uses_the_api_as_before(client, users):
    client.force_login(users.clerk)
    assert client.get("/api/v1/org-units/").status_code == 200
    # Nor is there a device to set up where no unit asks for one.
    assert client.get(reverse("two_factor_enrol")).url == reverse("two_factor")
    assert not TOTPDevice.objects.filter(user=users.clerk).exists()
    assert "未要求" in client.get(reverse("two_factor")).content.decode()


# --- The office's reset -------------------------------------------------------------------------

def test_an_office_resets_a_lost_device_and_it_is_audited(client, tree, users):
    _require(tree.county_a, users.admin)
    _login(client, "secretary_u")
    _enrol(client, users.secretary)
    client.post(reverse("logout"))

    office = client.__class__()
    _login(office, "clerk_u")
    _enrol(office, users.clerk)
    response = office.post(reverse("organizations:two-factor-reset", args=[users.secretary.pk]),
                           {"next": reverse("organizations:users")})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=users.secretary).exists()
    assert not StaticToken.objects.filter(device__user=users.secretary).exists()
    event = AuditEvent.objects.get(action="user.two_factor_reset")
    assert event.actor == users.clerk and event.target_id == str(users.secretary.pk)
    assert event.after == {"username": "secretary_u", "devices": 2}

    # Their next login asks them to enrol again.
    _login(client, "secretary_u")
    assert client.get("/consultations/").url.startswith(reverse("two_factor_enrol"))


def test_only_an_office_over_the_person_may_reset(client, tree, users):
    from portal.errors import NotAllowed

    for actor in (users.secretary, users.clerk_b, users.leader):
        with pytest.raises(NotAllowed):
            services.two_factor_reset(actor=actor, user=users.secretary)
    with pytest.raises(NotAllowed):
        services.two_factor_reset(actor=users.clerk, user=users.clerk)  # not oneself
    # Another county's office gets a 404 for a person outside its tree.
    client.force_login(users.clerk_b)
    assert client.post(reverse("organizations:two-factor-reset", args=[users.secretary.pk])).status_code == 404
    services.two_factor_reset(actor=users.city_clerk, user=users.secretary)
    assert AuditEvent.objects.filter(action="user.two_factor_reset").count() == 1


def test_the_requirement_is_asked_once_per_request(tree, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _require(tree.county_a, users.admin)
    user = users.clerk
    with CaptureQueriesContext(connection) as first:
        assert two_factor.is_required(user)
    with CaptureQueriesContext(connection) as again:
        assert two_factor.is_required(user)
    assert 0 < len(first) <= 3 and len(again) == 0
    two_factor.forget(user)
    _require(tree.county_a, users.admin, on=False)
    assert not two_factor.is_required(user)


def test_without_two_factor_a_right_password_still_resets_the_failures(client, users, settings):
    # axes' own reset is off; the portal resets when the login is complete (here: the password).
    for _round in range(2):
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            _login(client, "clerk_u", password="wrong-guess-1")
        assert _login(client, "clerk_u").status_code == 302
        client.post(reverse("logout"))
