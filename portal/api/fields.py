"""Serializer fields every API shares."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.forms import DATE_FORMATS


class EventDateField(serializers.DateField):
    """The day something happened: accepts 2026-11-25, 2026/11/25 and 2026年11月25日 (as the forms
    do); optional, and the service defaults it to today and checks future/order rules."""

    default_error_messages = {"invalid": _("Enter a date such as 2026-11-25, 2026/11/25 or 2026年11月25日.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["iso-8601", *DATE_FORMATS])
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        if not kwargs["required"]:
            kwargs.setdefault("default", None)
        super().__init__(**kwargs)
