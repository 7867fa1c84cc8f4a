"""Numbers people should read as words."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def similarity(score) -> str:
    """{{ score|similarity }} — a 0…1 similarity (proposals' title bigram overlap) as words."""
    try:
        score = float(score)
    except (TypeError, ValueError):
        return ""
    if score >= 0.7:
        return _("very similar")
    if score >= 0.5:
        return _("similar")
    return _("partly similar")
