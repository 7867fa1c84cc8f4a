"""A double click on a slow office PC records one topic: the button is disabled while the
request is in flight, and the server would refuse the repeat anyway (one-time token)."""

import re
import time

from consultations.models import Topic
from organizations.models import Role, UnitKind
from tests.factories import make_unit, make_user

from .conftest import login


def test_double_clicking_save_records_one_topic(live_server, page):
    county = make_unit("相山区", UnitKind.COUNTY)
    township = make_unit("三堤口街道", UnitKind.TOWNSHIP, county, liaison_body_name="三堤口街道政协联络组")
    village = make_unit("庆相桥社区", UnitKind.VILLAGE, township)
    make_user(Role.SECRETARY, township, username="sec", display_name="秘书陈红")
    page.set_default_timeout(40000)
    login(page, live_server, "sec")
    page.goto(f"{live_server.url}/consultations/topics/new/")
    assert page.locator("main form input[name=_once]").count() == 1
    page.select_option("#id_org_unit", str(village.pk))
    page.fill("#id_title", "遛犬不牵绳")
    page.fill("#id_description", "小区遛犬不牵绳，居民担心安全。")
    page.select_option("#id_channel", "resident")
    page.fill("#id_category", "文明")
    # Slow the server's answer so the second click lands while the first request is in flight.
    def slow(route):
        if route.request.method == "POST":
            time.sleep(0.8)
        route.continue_()

    page.route("**/consultations/topics/new/", slow)
    page.dblclick("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/consultations/topics/\d+/$"))
    assert Topic.objects.filter(title="遛犬不牵绳").count() == 1
