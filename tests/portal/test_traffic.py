"""Traffic lights (portal/traffic.py): the rule, its labels and the template partial."""

import datetime

from django.template import Context, Template
from django.utils import translation

from portal.traffic import attach_lights, count_lights, traffic_light

TODAY = datetime.date(2026, 11, 25)


def day(n):
    return TODAY + datetime.timedelta(days=n)


def test_green_yellow_red_by_days_left_and_none_when_done_or_without_deadline():
    assert traffic_light(day(4), today=TODAY).code == "green"
    assert traffic_light(day(3), today=TODAY).code == "yellow"  # within N days: yellow, N included
    assert traffic_light(day(0), today=TODAY).code == "yellow"  # due today is not overdue yet
    assert traffic_light(day(-1), today=TODAY).code == "red"
    assert traffic_light(day(10), today=TODAY, days=14).code == "yellow"  # the unit's own N
    assert traffic_light(day(1), today=TODAY, days=0).code == "green"
    assert traffic_light(day(-5), today=TODAY, done=True) is None
    assert traffic_light(None, today=TODAY) is None


def test_labels_are_translated_and_bracketed_for_messages():
    with translation.override("zh-hans"):
        assert [str(traffic_light(day(n), today=TODAY).label) for n in (9, 1, -1)] == ["正常", "临期", "逾期"]
        assert traffic_light(day(-1), today=TODAY).bracketed == "【逾期】"
    with translation.override("en"):
        assert traffic_light(day(1), today=TODAY).bracketed == "[Due soon] "


def test_the_partial_shows_a_dot_with_its_label_never_colour_alone():
    template = Template("{% load traffic %}{% traffic_light deadline today=today %}|{% traffic_light none %}")
    with translation.override("zh-hans"):
        html = template.render(Context({"deadline": day(-2), "today": TODAY, "none": None}))
    assert 'class="traffic traffic-red"' in html and 'aria-hidden="true"' in html and "逾期" in html
    assert html.endswith("|\n") or html.endswith("|")


def test_attach_and_count():
    class Item:
        def __init__(self, due, done=False):
            self.due, self.done = due, done

    items = attach_lights([Item(day(-1)), Item(day(2)), Item(day(8)), Item(day(-9), done=True)],
                          deadline=lambda i: i.due, done=lambda i: i.done, days=lambda i: 3, today=TODAY)
    assert [i.light.code if i.light else None for i in items] == ["red", "yellow", "green", None]
    assert count_lights([day(-1), day(2), day(8), None], today=TODAY) == {"red": 1, "yellow": 1, "green": 1}
