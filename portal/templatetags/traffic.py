"""{% traffic_light deadline days=3 done=False %} — the coloured dot with its text label."""

from django import template

from portal.traffic import traffic_light as compute

register = template.Library()


@register.inclusion_tag("portal/_traffic_light.html")
def traffic_light(deadline, days=None, done=False, today=None):
    return {"light": compute(deadline, today=today, days=days, done=bool(done))}


@register.simple_tag
def traffic_prefix(deadline, days=None, done=False):
    """【逾期】 / 【临期】 before a title; nothing when on time, done or without a deadline."""
    light = compute(deadline, days=days, done=bool(done))
    return light.bracketed if light and light.code != "green" else ""
