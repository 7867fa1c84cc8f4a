"""{% load portal_privacy %} … {{ phone|mask_phone }} → 138****5678 (portal/accounts/privacy.py)."""

from django import template

from portal.accounts.privacy import mask_phone as _mask_phone

register = template.Library()


@register.filter
def mask_phone(value):
    return _mask_phone(value)
