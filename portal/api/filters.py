"""Filters shared by every API: ids are whole numbers within the database's range, so junk such
as `parent=-4.6e252` is a 400 with a message, never a database error."""

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """Filter by a record id (positive integer)."""

    field_class = IdField


class StrictBooleanField(forms.Field):
    """true / false only: django-filter's own boolean filter takes "null" or "unknown" as "no
    filter", which a client never means."""

    def to_python(self, value):
        from django.utils.translation import gettext as _

        if value in (None, ""):
            return None
        if value in ("true", "True", "1"):
            return True
        if value in ("false", "False", "0"):
            return False
        raise forms.ValidationError(_("Use true or false."), code="invalid")


@extend_schema_field({"type": "boolean"})
class BoolFilter(django_filters.Filter):
    """Filter by true / false (anything else is a 400)."""

    field_class = StrictBooleanField


def reject_empty(params, names) -> None:
    """A query parameter given with no value (`date_to=`) is a 400, not a silently dropped filter:
    the caller meant something, and "no value" is not a date, number or choice."""
    from django.utils.translation import gettext as _
    from rest_framework.exceptions import ValidationError

    empty = sorted(n for n in names if n in params and any(v.strip() == "" for v in params.getlist(n)))
    if empty:
        raise ValidationError({n: [_("Give a value, or leave this filter out.")] for n in empty})


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, except that empty values of typed filters (dates, numbers, ids, choices)
    are rejected; a free-text filter such as `q=` may be empty."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            typed = [name for name, f in filterset_class.base_filters.items()
                     if type(f) is not django_filters.CharFilter]
            reject_empty(request.query_params, typed)
        return super().filter_queryset(request, queryset, view)


def year_filter(minimum: int, maximum: int, **kwargs) -> django_filters.NumberFilter:
    """A whole-number year filter whose bounds are declared in the schema too."""

    @extend_schema_field({"type": "integer", "minimum": minimum, "maximum": maximum})
    class YearFilter(django_filters.NumberFilter):
        field_class = forms.IntegerField

    return YearFilter(min_value=minimum, max_value=maximum, **kwargs)
