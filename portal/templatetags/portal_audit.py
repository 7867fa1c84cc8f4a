from django import template

from portal.audit import action_label as _action_label

register = template.Library()


@register.filter
def action_label(code):
    """{{ ev.action|action_label }} — the registered human label of an audit action."""
    return _action_label(code)
