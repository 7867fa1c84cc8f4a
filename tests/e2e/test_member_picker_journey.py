"""The workroom form's member picker: type part of a name, only matching members show; ticks are
counted and kept through the filter; the workroom is saved with the ticked members."""

from members.models import Workroom
from organizations.models import Role, UnitKind

from ..factories import make_member, make_unit, make_user
from .conftest import login


def test_workroom_member_picker_filters_and_saves(live_server, phone):
    county = make_unit("相山区", UnitKind.COUNTY)
    make_user(Role.OFFICE_CLERK, county, username="office")
    for name in ["王伟", "王芳", "李娜", "张敏", "刘洋"]:
        make_member(county, name=name)

    login(phone, live_server, "office")
    phone.goto(f"{live_server.url}/members/workrooms/new/")
    picker = phone.locator("[data-member-picker]")
    assert picker.locator(".member-option:visible").count() == 5
    picker.locator("[data-member-filter]").fill("王")
    assert picker.locator(".member-option:visible").count() == 2
    picker.locator(".member-option:visible", has_text="王芳").click()
    picker.locator("[data-member-filter]").press("Enter")  # does not submit the form
    assert "/workrooms/new/" in phone.url
    picker.locator("[data-member-filter]").fill("李")
    picker.locator(".member-option:visible", has_text="李娜").click()
    assert picker.locator("[data-ticked-count]").inner_text() == "2"
    picker.locator("[data-member-filter]").fill("赵")
    assert picker.locator(".member-option:visible").count() == 0
    assert picker.locator("[data-no-match]").is_visible()
    phone.screenshot(path="var/member-picker-375.png", full_page=True)
    phone.fill("#id_name", "和事佬工作室")
    phone.click("button[type=submit].btn-primary")
    phone.wait_for_url("**/workrooms/*/")
    room = Workroom.objects.get(name="和事佬工作室")
    assert sorted(m.name for m in room.members.all()) == ["李娜", "王芳"]
