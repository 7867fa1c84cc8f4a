"""扫码签到 on a phone: the secretary's session page shows the QR code; a resident opens the code's
address, signs in with a name and the last four digits of a phone number; the same phone cannot
sign in twice; the secretary's one page counts the sign-in."""

from django.utils import timezone

from consultations import services
from consultations.models import SignIn
from organizations.models import Role, UnitKind

from ..factories import make_unit, make_user
from .conftest import login
from .test_consultation_journey import _fits, _shot


def test_a_resident_signs_in_by_qr_code_on_a_phone(live_server, phone, page):
    county = make_unit("相山区", UnitKind.COUNTY)
    township = make_unit("三堤口街道", UnitKind.TOWNSHIP, county)
    secretary = make_user(Role.SECRETARY, township, username="sec")
    approver = make_user(Role.APPROVER, township, username="appr")
    topic = services.topic_create(actor=secretary, org_unit=township, title="小区停车难", description="车位不足",
                                  channel="resident")
    services.topic_submit(actor=secretary, topic=topic)
    services.topic_approve(actor=approver, topic=topic)
    services.research_add(actor=secretary, topic=topic, kind="visit", findings="走访", done_on=timezone.localdate())
    session = services.session_schedule(actor=secretary, topic=topic, scheduled_on=timezone.localdate(),
                                        form="council", venue="议事厅")
    login(page, live_server, "sec")
    page.goto(f"{live_server.url}/consultations/sessions/{session.pk}/")
    page.wait_for_function("() => { const i = document.querySelector('#signin-qr img');"
                           " return i && i.complete && i.naturalWidth > 0; }", timeout=15000)

    url = f"{live_server.url}/consultations/signin/{services.signin_token(session)}/"
    phone.goto(url)
    phone.fill("#id_name", "居民张三")
    phone.fill("#id_phone_last4", "1234")
    phone.click("#act-signin")
    phone.wait_for_selector("#signin-done")
    _shot(phone, "signin-375")
    _fits(phone, 375)
    phone.goto(url)
    phone.fill("#id_name", "居民李四")
    phone.fill("#id_phone_last4", "5678")
    phone.click("#act-signin")
    phone.wait_for_selector("#signin-error")
    assert SignIn.objects.count() == 1

    page.goto(f"{live_server.url}/consultations/sessions/{session.pk}/record/")
    assert page.input_value("#id_residents_count") == "1"
    assert page.locator("#signin-summary").is_visible()
