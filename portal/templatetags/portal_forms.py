from django import template
from django.utils.html import format_html

from portal.idempotency import FORM_FIELD, new_token

register = template.Library()


@register.simple_tag
def once_token():
    """{% once_token %} — the hidden one-time token that makes a form's POST take effect once
    (portal/idempotency.py). `portal/_form.html` renders it into every form."""
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, new_token())
