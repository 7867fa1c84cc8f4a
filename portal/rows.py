"""Labels of list rows, once per page: a list template that asks each row for
`{{ row.get_status_display }}` or `{{ row.updated_at|date:"SHORT_DATE_FORMAT" }}` resolves a method,
a lazy translation, the time zone and the format on every row (30–50 rows × several columns: as
much CPU as the rest of the page). `choice_labels` and `date_labels` give each row the very same
strings as plain attributes, computed once per distinct value, so the template only prints them
(`{{ row.status_label }}`, `{{ row.updated_at_label }}`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import formats, timezone


def _get(row, path: str):
    for part in path.split("."):
        if row is None:
            return None
        row = getattr(row, part)
    return row


def choice_labels(rows: Iterable, *fields: str) -> None:
    """Set `row.<field>_label` to what `{{ row.get_<field>_display }}` prints (a dotted path sets
    the label on the last object, e.g. "proposal.status" → `row.proposal.status_label`)."""
    rows = list(rows)
    for path in fields:
        *owner_path, field = path.split(".")
        seen: dict = {}
        for row in rows:
            owner = _get(row, ".".join(owner_path)) if owner_path else row
            if owner is None:
                continue
            value = getattr(owner, field)
            label = seen.get(value)
            if label is None:
                label = seen[value] = str(getattr(owner, f"get_{field}_display")())
            setattr(owner, f"{field}_label", label)


# formats without a time of day: a datetime prints as its (local) date does
_DATE_ONLY = {"DATE_FORMAT", "SHORT_DATE_FORMAT", "YEAR_MONTH_FORMAT", "MONTH_DAY_FORMAT"}


def date_label(value, fmt: str, _seen: dict | None = None) -> str:
    """What `{{ value|date:fmt }}` prints (in the current language and time zone)."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if _seen is None:
        return formats.date_format(value, fmt)
    key = value.date() if fmt in _DATE_ONLY and isinstance(value, datetime.datetime) else value
    label = _seen.get(key)
    if label is None:
        label = _seen[key] = formats.date_format(value, fmt)
    return label


def date_labels(rows: Iterable, **fields: str) -> None:
    """`date_labels(rows, updated_at="SHORT_DATE_FORMAT")` sets `row.updated_at_label` to what
    `{{ row.updated_at|date:"SHORT_DATE_FORMAT" }}` prints (dotted paths as in `choice_labels`,
    written `proposal__submitted_at`)."""
    rows = list(rows)
    for key, fmt in fields.items():
        *owner_path, field = key.split("__")
        seen: dict = {}
        for row in rows:
            owner = _get(row, ".".join(owner_path)) if owner_path else row
            if owner is not None:
                setattr(owner, f"{field}_label", date_label(getattr(owner, field), fmt, seen))
