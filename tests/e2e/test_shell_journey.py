from organizations.models import Role, UnitKind

from ..factories import make_unit, make_user
from .conftest import login, scroll_width


def test_secretary_logs_in_on_a_phone_and_opens_the_tree(live_server, phone):
    county = make_unit("相山区", UnitKind.COUNTY)
    township = make_unit("三堤口街道", UnitKind.TOWNSHIP, county, liaison_body_name="三堤口街道政协联络组")
    make_unit("庆相桥社区", UnitKind.VILLAGE, township)
    make_user(Role.SECRETARY, township, username="sec")

    login(phone, live_server, "sec")
    assert phone.locator("#my-scope").inner_text().strip().startswith("三堤口街道政协联络组")
    # The menu collapses behind the toggler on a phone.
    phone.click(".navbar-toggler")
    # Wait until the menu has finished opening (Bootstrap adds .show after its transition): a
    # click during the animation can land beside the moving link.
    phone.wait_for_selector(".navbar-collapse.show:not(.collapsing)")
    with phone.expect_navigation():
        phone.click("[data-nav=org-tree]")
    phone.wait_for_load_state("networkidle")
    phone.click(f"li[data-unit='{township.pk}'] > button.toggle")
    phone.wait_for_selector("text=庆相桥社区")
    assert scroll_width(phone) <= 375


def test_wrong_password_shows_chinese_error(live_server, page):
    make_user(None, None, username="someone")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "someone")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    page.wait_for_selector("text=用户名或密码错误")
