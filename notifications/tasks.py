"""Celery tasks: thin wrappers that pass ids and dates and call the services.

All run with acks_late and reject_on_worker_lost (project settings): a message is removed from
the broker only after its task finished, and a worker killed mid-task gives it back. The
services make every repeat harmless; `recover` covers brokers that lose messages (the embedded
filesystem broker has no acknowledgements)."""

import datetime
import logging

from celery import shared_task

from . import services
from .recurrence import local_today

log = logging.getLogger(__name__)


def _day(iso: str | None) -> datetime.date:
    return datetime.date.fromisoformat(iso) if iso else local_today()


@shared_task(name="notifications.scan", ignore_result=True)
def scan_task(day: str | None = None):
    """Beat: run every reminder source for today (Asia/Shanghai)."""
    services.scan_all(today=_day(day))


@shared_task(name="notifications.scan_source", bind=True, ignore_result=True, max_retries=None)
def scan_source_task(self, kind: str, day: str):
    try:
        run = services.scan_source(kind=kind, today=_day(day))
    except Exception as exc:
        # The service counted the attempt; it stops (status failed) after the last one.
        raise self.retry(exc=exc, countdown=min(services.retry_delay(self.request.retries + 1),
                                                services.max_countdown()))
    return run.status if run else None


@shared_task(name="notifications.dispatch", ignore_result=True)
def dispatch_task(notification_id: int):
    services.dispatch(notification_id=notification_id)


@shared_task(name="notifications.dispatch_many", ignore_result=True)
def dispatch_many_task(notification_ids: list[int]):
    # One broken row must not hold up the rest of its batch; it stays pending and `recover`
    # tries it again later.
    for pk in notification_ids:
        try:
            services.dispatch(notification_id=pk)
        except Exception:
            log.exception("dispatch of notification %s failed", pk)


@shared_task(name="notifications.send_delivery", bind=True, ignore_result=True, max_retries=None)
def send_delivery_task(self, delivery_id: int):
    outcome, delay = services.send_delivery(delivery_id=delivery_id)
    if outcome in ("retry", "deferred") and delay <= services.max_countdown():
        # Backoff (or quiet hours) beyond the broker's visibility timeout is left to `recover`
        # (database-driven).
        raise self.retry(countdown=delay)
    return outcome


@shared_task(name="notifications.recover", ignore_result=True)
def recover_task():
    services.recover()


@shared_task(name="notifications.digest", ignore_result=True)
def digest_task(day: str | None = None):
    """Beat: send each user's daily digest (Asia/Shanghai morning)."""
    services.digest_all(today=_day(day))


@shared_task(name="notifications.digest_user", ignore_result=True)
def digest_user_task(user_id: int, day: str):
    services.digest_user(user_id=user_id, today=_day(day))


@shared_task(name="notifications.sms_reports", ignore_result=True)
def sms_reports_task():
    """Beat: record the provider's delivery reports of SMS sent without one yet."""
    from . import sms

    return sms.record_reports()
