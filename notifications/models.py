"""Notifications (站内通知), their deliveries per channel, user preferences and scan runs.

The database is the source of truth; the broker only carries "look at id N" messages. A lost
message (a killed worker on the embedded filesystem broker, a Redis restart) is found again by
the recovery sweep, so nothing is lost; unique keys and conditional updates make every step
safe to repeat, so nothing is delivered twice.

Statuses of a `Notification`:
    pending   — created (by a scan or `notify()`), not yet dispatched to channels;
    dispatched — the in-app copy is in the inbox and one `Delivery` per push channel exists;
    digest    — waiting for the recipient's daily digest (preference "daily digest");
    digested  — included in a digest notification (`digest` points to it);
    suppressed — the recipient switched this kind off (kept so the key is not found again).

Statuses of a `Delivery` (one per notification and push channel, e.g. email or SMS):
    pending → sending → sent; on errors back to pending with a later `next_attempt_at`, and
    `failed` after the last attempt (listed for staff, who can retry); `skipped` when the channel
    cannot reach the user (no e-mail address)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationState(models.TextChoices):
    PENDING = "pending", _("pending")
    DISPATCHED = "dispatched", _("dispatched")
    DIGEST = "digest", _("waiting for the digest")
    DIGESTED = "digested", _("sent in a digest")
    SUPPRESSED = "suppressed", _("switched off")


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                                  verbose_name=_("recipient"))
    kind = models.CharField(_("kind"), max_length=100)
    key = models.CharField(_("key"), max_length=255)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    org_path = models.CharField(_("unit path"), max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=NotificationState.choices,
                             default=NotificationState.PENDING)
    digest = models.ForeignKey("self", verbose_name=_("sent in digest"), null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    # Digest notifications carry the items by e-mail; the items are already in the inbox.
    in_inbox = models.BooleanField(_("shown in inbox"), default=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "recipient"], name="notification_once_per_key"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_inbox"),
            models.Index(fields=["state", "created_at"], name="notif_state"),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("skipped")


class ReportStatus(models.TextChoices):
    DELIVERED = "delivered", _("delivered to the phone")
    UNDELIVERED = "undelivered", _("not delivered")
    UNKNOWN = "unknown", _("no report")


class Delivery(models.Model):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries",
                                     verbose_name=_("notification"))
    channel = models.CharField(_("channel"), max_length=30)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Set just before the message became complete at the receiving server (handover.py): a
    # delivery re-claimed after a worker died with this set is finished, not sent twice.
    handed_over_at = models.DateTimeField(_("handed over"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # What the gateway answered (SMS: the provider's BizId and request id, the number used), so
    # its delivery report can be asked for and a complaint traced; deliveries sent together in
    # one message share the provider id.
    provider_id = models.CharField(_("provider message id"), max_length=100, blank=True, db_index=True)
    provider_request_id = models.CharField(_("provider request id"), max_length=100, blank=True)
    address = models.CharField(_("sent to"), max_length=100, blank=True)
    report = models.CharField(_("delivery report"), max_length=12, choices=ReportStatus.choices, blank=True)
    report_code = models.CharField(_("report code"), max_length=60, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self):
        return f"{self.channel} #{self.notification_id}"

    @property
    def idempotency_key(self) -> str:
        """Stable across retries: gateways that accept a client id drop repeats with it."""
        return f"portal-delivery-{self.pk}"


class DeliveryMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DIGEST = "digest", _("Daily digest")
    OFF = "off", _("Off")


class Preference(models.Model):
    """How one user wants one kind of notification. No row: immediately."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(_("kind"), max_length=100)
    mode = models.CharField(_("delivery"), max_length=10, choices=DeliveryMode.choices,
                            default=DeliveryMode.IMMEDIATE)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_once_per_kind")]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.mode}"


class ChannelOptOut(models.Model):
    """A user who does not want a push channel (e.g. SMS) for the kinds that allow it. Kinds that
    are urgent or mandatory for the channel still reach them on it (notifications.sms)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="channel_opt_outs")
    channel = models.CharField(_("channel"), max_length=30)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("channel opt-out")
        verbose_name_plural = _("channel opt-outs")
        constraints = [models.UniqueConstraint(fields=["user", "channel"], name="opt_out_once_per_channel")]

    def __str__(self):
        return f"{self.user_id} {self.channel}"


class ScanStatus(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class ScanRun(models.Model):
    """One run of one reminder source for one day. Repeated runs of the same day are harmless
    (keys are unique); a source that keeps failing stops after the configured number of tries."""

    kind = models.CharField(_("kind"), max_length=100)
    day = models.DateField(_("day"))
    status = models.CharField(_("status"), max_length=10, choices=ScanStatus.choices, default=ScanStatus.RUNNING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    seen = models.PositiveIntegerField(_("reminders seen"), default=0)
    created = models.PositiveIntegerField(_("notifications created"), default=0)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("reminder scan")
        verbose_name_plural = _("reminder scans")
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "day"], name="scan_once_per_day")]

    def __str__(self):
        return f"{self.kind} {self.day}"
