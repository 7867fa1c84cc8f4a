"""{% traffic_light deadline days=3 done=False %} — the coloured dot with its text label."""

from django import template

from portal.traffic import traffic_light as compute

register = template.Library()


@register.inclusion_tag("portal/_traffic_light.html")
def traffic_light(deadline, days=None, done=False, today=None):
    return {"light": compute(deadline, today=today, days=days, done=bool(done))}

