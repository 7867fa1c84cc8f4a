"""Push channels. The in-app inbox is the notification row itself; every other channel (e-mail,
SMS, a messaging gateway) is a `Channel` registered here and gets one `Delivery` per
notification. Which channels run is `settings.NOTIFICATIONS_CHANNELS` (default: e-mail).

A channel's `send()` raises on a temporary error (the delivery is retried with backoff) and
returns False when the user cannot be reached on it (the delivery is skipped). It receives the
delivery's stable `idempotency_key`, for gateways that drop repeated client ids."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext_lazy as _

from .handover import send_email_handed_over


class Channel:
    code = ""
    label = ""

    def send(self, *, delivery, notification, user) -> bool:
        raise NotImplementedError


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
        message = EmailMessage(
            subject=notification.subject, body="\n\n".join(lines) or notification.subject,
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
