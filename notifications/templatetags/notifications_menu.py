from django import template

from notifications.selectors import can_see_failures

register = template.Library()


@register.filter
def looks_after_failures(user):
    """{% if user|looks_after_failures %} — county/city offices and the administrator."""
    return can_see_failures(user)
