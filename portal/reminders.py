"""The contract between domain apps and the reminder engine (the `notifications` app).

A domain app declares in its own ``reminders.py`` (imported from its AppConfig.ready()) one
*source* per kind of reminder: a function that, given today's date, yields every reminder that
is due today. The engine runs all sources from a Celery beat task, delivers each
(recipient, key) pair exactly once, and lets users and units configure channels and lead times.

    from portal.reminders import Reminder, reminder_source

    @reminder_source("consultations.feedback_due", _("Feedback on an adopted outcome is due"))
    def feedback_due(today):
        for outcome in Outcome.objects.filter(...).iterator():
            yield Reminder(
                recipient_id=outcome.owner_id, kind="consultations.feedback_due",
                key=f"outcome:{outcome.pk}:feedback", subject=format_lazy(...),
                url=outcome.get_absolute_url(), due=outcome.feedback_due, org_path=outcome.org_path,
            )

Sources must stream (``.iterator()``) and use a constant number of queries; subjects are lazy
translations rendered in each recipient's language at delivery.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Reminder:
    recipient_id: int  # a User id
    kind: str  # the source's kind, e.g. "proposals.reply_due"
    key: str  # stable: the same reminder found again tomorrow has the same key
    subject: object  # str or lazy translation
    url: str = ""
    due: datetime.date | None = None
    org_path: str = ""  # the unit path of the record, for scoping and reports
    body: object = ""


@dataclass(frozen=True)
class ReminderSource:
    kind: str
    label: object
    func: Callable[[datetime.date], Iterable[Reminder]]
    default_lead_days: int = 3


SOURCES: dict[str, ReminderSource] = {}


def reminder_source(kind: str, label, *, default_lead_days: int = 3):
    def decorator(func):
        SOURCES[kind] = ReminderSource(kind, label, func, default_lead_days)
        return func

    return decorator


# --- events notified at once ------------------------------------------------------------------
#
# Some things should not wait for the next scan: "you are invited", "a suggestion was routed to
# your department", "a proposal was assigned to your unit". A domain app declares the kind once
# with `event_kind` and calls `send_now(...)` inside the service's transaction; the engine (the
# notifications app registers itself with `register_sender`) stores each (kind, key, recipient)
# once — the same row a scan would store, so a scan that finds the event again adds nothing —
# and delivers it by each recipient's preference after the transaction commits.

EVENT_KINDS: dict[str, object] = {}
_SENDERS: list[Callable[[list[Reminder]], object]] = []


def event_kind(kind: str, label) -> None:
    """Declare a kind sent with `send_now` (so users can set a preference for it)."""
    EVENT_KINDS[kind] = label


def register_sender(func: Callable[[list[Reminder]], object]) -> None:
    if func not in _SENDERS:
        _SENDERS.append(func)


def send_now(reminders: Iterable[Reminder]) -> None:
    """Notify of events now. Call inside the service's transaction: nothing is sent if it rolls
    back. Without a registered engine this does nothing."""
    reminders = [r for r in reminders if r.recipient_id]
    if not reminders:
        return
    for sender in _SENDERS:
        sender(reminders)
