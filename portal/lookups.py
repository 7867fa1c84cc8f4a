"""One record by id, with the refusal policy's first half: a missing record and a malformed id
(non-numeric, out of range, a bad UUID) are the same 404. Apps narrow the queryset to what the
user may see first (`organizations.permissions.get_in_scope_or_404` / `get_for_role` do so for
records owned by a unit), so a record outside the user's reach is that 404 too."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404


def one_or_404(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError, ValidationError):
        raise Http404 from None
