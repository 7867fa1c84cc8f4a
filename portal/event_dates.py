"""Event dates: the day a thing HAPPENED, as distinct from when it was typed in (audit timestamps).

Offices enter most work after the fact (paper ledgers, minutes, batches at month end), so every
countable record carries its own event date(s), which staff may set and which default to today.
Services call :func:`check_event_date` for every date they accept; it refuses what cannot be true:

- a date in the future (Asia/Shanghai's today is the latest possible day);
- a date before the People's Republic and the CPPCC's founding (1949-10-01);
- a date out of order with the events it follows (a session before its topic was raised, feedback
  before the suggestion was made, a reply before the assignment …). Each app keeps its order rules
  in one small module (``consultations/dates.py``, ``proposals/dates.py``) that lists, for an
  event, the earlier events it may not precede; this module only compares.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from .errors import DomainError

EARLIEST = datetime.date(1949, 10, 1)


def today() -> datetime.date:
    """Today in the portal's time zone (Asia/Shanghai), the default for every event date."""
    return timezone.localdate()


def local_date(value: datetime.datetime | datetime.date | None) -> datetime.date | None:
    """The Asia/Shanghai calendar day of a timestamp (dates pass through), for back-filling."""
    if value is None or isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    return timezone.localtime(value).date()


def _show(d: datetime.date) -> str:
    return formats.date_format(d, "DATE_FORMAT")


# A date in the reader's style (2026年6月5日), formatted when the text is rendered — for reminder
# subjects and other lazy texts that must never show an ISO date.
shown_date = lazy(_show, str)


def check_event_date(value: datetime.date | None, *, field: str, label,
                     after: Iterable[tuple[datetime.date | None, object]] = (),
                     before: Iterable[tuple[datetime.date | None, object]] = (),
                     allow_future: bool = False) -> datetime.date:
    """Return the event date to store (today when `value` is None) or raise DomainError on `field`.

    `after` lists (date, label) of earlier events this one cannot precede; `before` lists later
    events already recorded that it cannot follow (an edit of an early date). None dates are
    skipped, so rules for steps not yet taken cost nothing. `allow_future` is for planned dates
    (a session scheduled next week), which still keep the order."""
    if value is None:
        return today()
    if isinstance(value, datetime.datetime):
        value = local_date(value)
    if not isinstance(value, datetime.date):
        raise DomainError(_("Enter a date such as 2026-11-25, 2026/11/25 or 2026年11月25日."), field=field)
    if value > today() and not allow_future:
        raise DomainError(_("%(what)s cannot be in the future (%(date)s).") % {"what": label, "date": _show(value)},
                          field=field)
    if value < EARLIEST:
        raise DomainError(_("%(what)s cannot be before 1 October 1949 (%(date)s).")
                          % {"what": label, "date": _show(value)}, field=field)
    for other, other_label in after:
        other = local_date(other)
        if other is not None and value < other:
            raise DomainError(
                _("%(what)s (%(date)s) cannot be before %(other)s (%(other_date)s).")
                % {"what": label, "date": _show(value), "other": other_label, "other_date": _show(other)},
                field=field)
    for other, other_label in before:
        other = local_date(other)
        if other is not None and value > other:
            raise DomainError(
                _("%(what)s (%(date)s) cannot be after %(other)s (%(other_date)s).")
                % {"what": label, "date": _show(value), "other": other_label, "other_date": _show(other)},
                field=field)
    return value
