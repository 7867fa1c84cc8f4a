"""A member on a phone adds a duty entry with a photo; the office verifies it on a desktop; the
points show in the unit's ranking."""

import datetime

from members.models import DutyRecord, DutyStatus
from organizations.models import Role, UnitKind

from ..factories import make_member, make_unit, make_user
from .conftest import login, scroll_width

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_member_adds_duty_on_phone_office_verifies_ranking_shows(live_server, phone, page, tmp_path):
    county = make_unit("相山区", UnitKind.COUNTY)
    township = make_unit("三堤口街道", UnitKind.TOWNSHIP, county)
    member_user = make_user(Role.MEMBER, county, username="liufang")
    make_user(Role.OFFICE_CLERK, county, username="office")
    make_member(county, posted_to=township, user=member_user, name="刘芳")
    make_member(county, name="王伟")
    photo = tmp_path / "义诊.png"
    photo.write_bytes(PNG)

    # 1. The member, on a phone, opens "my duties" and adds a volunteer deed with a photo.
    login(phone, live_server, "liufang")
    phone.goto(f"{live_server.url}/members/me/")
    assert phone.locator("[data-score]").inner_text() == "0"
    phone.click("#add-duty")
    phone.select_option("#id_kind", "volunteer")
    phone.fill("#id_occurred_on", datetime.date.today().isoformat())
    phone.fill("#id_title", "为庆相桥社区老人义诊")
    phone.set_input_files("#id_evidence", str(photo))
    wide = phone.evaluate("""[...document.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 375)
        .map(e => e.tagName + '#' + e.id + '.' + e.className + ':' + e.getBoundingClientRect().right)""")
    assert scroll_width(phone) <= 375, wide
    phone.click("#duty-form button[type=submit]")
    phone.wait_for_selector("text=为庆相桥社区老人义诊")
    assert phone.locator("#duty-entries .badge").first.inner_text() == "待核实"
    assert phone.locator("[data-score]").inner_text() == "0"  # not counted before verification
    assert scroll_width(phone) <= 375

    # 2. The office verifies it.
    login(page, live_server, "office")
    page.goto(f"{live_server.url}/members/duties/review/")
    row = page.locator("#review-table tbody tr", has_text="为庆相桥社区老人义诊")
    row.locator("button[value=verify]").click()
    page.wait_for_selector("text=没有待核实的记录。")
    assert DutyRecord.objects.get().status == DutyStatus.VERIFIED

    # 3. The ranking shows the points (volunteer deed: 2 by default) with 刘芳 first.
    page.goto(f"{live_server.url}/members/ranking/?unit={county.pk}")
    first = page.locator("#ranking-table tbody tr").first
    assert "刘芳" in first.inner_text() and "2" in first.locator("td.text-end").inner_text()

    # 4. And the member sees the score on the phone.
    phone.goto(f"{live_server.url}/members/me/")
    assert phone.locator("[data-score]").inner_text() == "2"
