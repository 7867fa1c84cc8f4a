from django import template

from portal.audit import action_label as _action_label

register = template.Library()


@register.filter
def action_label(code):
    """{{ ev.action|action_label }} — the registered human label of an audit action."""
    return _action_label(code)


@register.simple_tag
def describe_timeline(events):
    """{% describe_timeline timeline as entries %} — the events as readable sentences, every person,
    unit and record they mention fetched in bulk (portal/audit_text.py)."""
    from portal.audit_text import describe_events

    return describe_events(events)
