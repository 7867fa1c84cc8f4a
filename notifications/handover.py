"""Sending without losing or repeating a message when a worker dies mid-send.

Two pieces, kept apart from the channels so each channel stays small:

- **Lease with heartbeat.** A delivery being sent is `sending` with `claimed_at`; a worker that
  died leaves it so, and it is claimed again once the lease (`NOTIFICATIONS_SEND_LEASE_SECONDS`,
  default 60 s) has run out. While a channel is sending, a heartbeat thread renews `claimed_at`
  every third of the lease, so a slow but live send is never taken over, and a killed one is
  picked up within a lease plus one `recover` run (every 30 s) — well under two minutes.
- **E-mail handover record.** The SMTP connection (`HandoverSMTP`, used by
  `HandoverEmailBackend`) writes `handed_over_at` on the delivery just before it sends the final
  "." of the DATA command, i.e. before the server can accept the message. A worker killed after
  that point leaves a message the server may already have; recovery then finishes the delivery
  as sent instead of sending it again (no second copy with the same Message-ID). A worker
  killed before that point never completed the SMTP transaction, so the server dropped it and
  the resend is the only copy. Backends without SMTP (file, console, locmem) record the
  handover just before they write the message.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import smtplib
import threading

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import connection
from django.utils import timezone

_on_handover: contextvars.ContextVar = contextvars.ContextVar("notifications_on_handover", default=None)
_END_OF_DATA = b"\r\n.\r\n"


def send_lease() -> datetime.timedelta:
    """A delivery claimed (or renewed) longer ago than this belongs to a worker that died."""
    return datetime.timedelta(seconds=float(getattr(settings, "NOTIFICATIONS_SEND_LEASE_SECONDS", 60)))


def heartbeat_seconds() -> float:
    return max(send_lease().total_seconds() / 3, 0.05)


@contextlib.contextmanager
def heartbeat(delivery_id: int, claimed_at: datetime.datetime):
    """Renew the delivery's lease while the body runs. The renewal is conditional on the claim
    still being ours (status sending, claimed_at as we last wrote it)."""
    from .models import Delivery, DeliveryStatus

    stop = threading.Event()
    interval = heartbeat_seconds()

    def beat():
        token = claimed_at
        try:
            while not stop.wait(interval):
                now = timezone.now()
                if not Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING,
                                               claimed_at=token).update(claimed_at=now):
                    return
                token = now
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"delivery-{delivery_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)


def record_handover(delivery_id: int) -> None:
    """The message is about to be complete at the receiving server: remember it (committed at
    once, so a kill right after still leaves the record)."""
    from .models import Delivery

    Delivery.objects.filter(pk=delivery_id).update(handed_over_at=timezone.now())


def clear_handover(delivery_id: int) -> None:
    """The server answered and refused: the message was not taken, it may be sent again."""
    from .models import Delivery

    Delivery.objects.filter(pk=delivery_id).update(handed_over_at=None)


def answer_was_lost(exc: BaseException) -> bool:
    """A connection error after the handover: the server may have the message. A reply code
    (`SMTPResponseException`) means it answered, and a refusal is certain."""
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPResponseException)


class HandoverSMTP(smtplib.SMTP):
    """smtplib.SMTP that calls the current handover hook just before the end-of-data marker."""

    def send(self, s):
        hook = _on_handover.get()
        data = s.encode("ascii") if isinstance(s, str) else s
        if hook is not None and data.endswith(_END_OF_DATA):
            super().send(data[: -len(b".\r\n")])
            hook()
            _on_handover.set(None)
            return super().send(b".\r\n")
        return super().send(s)


class HandoverSMTPSSL(smtplib.SMTP_SSL, HandoverSMTP):
    pass


class HandoverEmailBackend(SMTPBackend):
    """Django's SMTP backend with the handover hook (set EMAIL_BACKEND to this)."""

    handover_aware = True

    @property
    def connection_class(self):
        return HandoverSMTPSSL if self.use_ssl else HandoverSMTP


def send_email_handed_over(message, *, delivery_id: int) -> None:
    """Send an EmailMessage, recording the handover at the right moment for its backend."""
    connection_ = message.get_connection(fail_silently=False)
    message.connection = connection_
    if getattr(connection_, "handover_aware", False):
        token = _on_handover.set(lambda: record_handover(delivery_id))
        try:
            message.send(fail_silently=False)
        finally:
            _on_handover.reset(token)
    else:
        record_handover(delivery_id)
        message.send(fail_silently=False)
