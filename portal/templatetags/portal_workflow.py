"""`{% allowed_actions record as actions %}`: what the signed-in user may do next with a record,
from its transition table (portal/workflow.py) — for templates included in several pages or
loops, where the view cannot hand over one list."""

from django import template

from ..workflow import allowed_actions as _allowed

register = template.Library()


@register.simple_tag(takes_context=True)
def allowed_actions(context, record):
    request = context.get("request")
    return _allowed(record, request.user) if request is not None else []
