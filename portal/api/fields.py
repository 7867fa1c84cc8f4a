"""Serializer fields every API shares."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
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


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "nullable": True,
                      "example": "09:30:00"})
class ClockTimeField(serializers.TimeField):
    """A wall-clock time of day in the unit's local time (09:30 or 09:30:00), as the forms take it.
    Declared in the schema as a pattern, not `format: time` (which means RFC 3339 with an offset);
    a time with an offset is refused with a message rather than stored wrongly."""

    default_error_messages = {"invalid": _("Enter a time such as 09:30.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%H:%M:%S")
        kwargs.setdefault("input_formats", ["%H:%M", "%H:%M:%S"])
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid")
        return super().to_internal_value(value)


class BlankAsNullChoiceField(serializers.ChoiceField):
    """An optional choice stored as "" in the database: the API says null, never a value outside
    the declared choices."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        if value in ("", None):
            return None
        return super().to_representation(value)
