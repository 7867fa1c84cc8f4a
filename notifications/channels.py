"""Push channels. The in-app inbox is the notification row itself; every other channel (e-mail,
SMS, a messaging gateway) is a `Channel` registered here and gets one `Delivery` per
notification. Which channels run is `settings.NOTIFICATIONS_CHANNELS` (default: e-mail).

A channel's `send()` raises on a temporary error (the delivery is retried with backoff) and
returns False when the user cannot be reached on it (the delivery is skipped). It receives the
delivery's stable `idempotency_key`, for gateways that drop repeated client ids. It may return
a `Receipt` instead of True: the gateway's message id and the address used are stored on the
delivery (for delivery reports).

Two optional hooks (see notifications/sms.py):
- `hold_until(notification=…, now=…)` returns a later time when the channel must not send now
  (quiet hours); the delivery waits until then without counting an attempt;
- `batch_q(user=…, notification=…)` returns a filter of the user's other pending deliveries on
  this channel that may go out in the same message (None: send alone); the engine claims them
  and passes their notifications as `batch=[…]`, and records the outcome on all of them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext_lazy as _

from .handover import send_email_handed_over


@dataclass(frozen=True)
class Receipt:
    """A successful send, with what the gateway answered."""

    provider_id: str = ""
    request_id: str = ""
    address: str = ""

    def __bool__(self):
        return True


class Channel:
    code = ""
    label = ""

    def send(self, *, delivery, notification, user) -> bool | Receipt:
        raise NotImplementedError

    def hold_until(self, *, notification, now: datetime.datetime) -> datetime.datetime | None:
        return None

    def batch_q(self, *, user, notification):
        return None


def labelled_subject(notification, today: datetime.date | None = None) -> str:
    """The subject with the deadline's traffic-light label in front when it is due soon or
    overdue (【临期】 / 【逾期】), computed when sent, so a held message is up to date."""
    from portal.traffic import traffic_light

    light = traffic_light(notification.due, today=today) if notification.due else None
    return f"{light.bracketed}{notification.subject}" if light and light.code != "green" else notification.subject


class EmailChannel(Channel):
    code = "email"
    label = _("E-mail")

    def send(self, *, delivery, notification, user) -> bool:
        if not user.email:
            return False
        lines = [notification.body] if notification.body else []
        if notification.url:
            base = getattr(settings, "PORTAL_BASE_URL", "")
            lines.append(f"{base}{notification.url}")
        subject = labelled_subject(notification)
        message = EmailMessage(
            subject=subject, body="\n\n".join(lines) or notification.subject,
            to=[user.email], headers={"Message-ID": f"<{delivery.idempotency_key}@portal>"},
        )
        send_email_handed_over(message, delivery_id=delivery.pk)  # handover.py: no second copy after a kill
        return True


_CHANNELS: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    _CHANNELS[channel.code] = channel


def unregister_channel(code: str) -> None:
    _CHANNELS.pop(code, None)


def get_channel(code: str) -> Channel | None:
    return _CHANNELS.get(code)


def active_channels() -> list[str]:
    wanted = getattr(settings, "NOTIFICATIONS_CHANNELS", ["email"])
    return [code for code in wanted if code in _CHANNELS]


register_channel(EmailChannel())
