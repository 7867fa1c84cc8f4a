"""The reminder engine and the inbox's writes.

Flow: beat → `scan_all` → one `scan_source` per registered source (portal.reminders) → batches
of reminders stored with ON CONFLICT DO NOTHING on (kind, key, recipient) → `dispatch` per new
notification (preference: immediate / digest / off) → one `Delivery` per push channel →
`send_delivery` (claimed by a conditional UPDATE, retried with backoff, failed after N tries).
Every step is idempotent and only enqueues after its transaction commits; `recover` re-enqueues
whatever a lost message left behind. See docs/notifications.md."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import logging
import traceback
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.audit import audit_log, snapshot
from portal.errors import GuardFailed, NotAllowed
from portal.reminders import SOURCES, Reminder

from . import kinds
from .channels import Receipt, active_channels, get_channel
from .handover import heartbeat
from .models import (
    Delivery,
    DeliveryMode,
    DeliveryStatus,
    Notification,
    NotificationState,
    Preference,
    ScanRun,
    ScanStatus,
)
from .rules import OrgRules

log = logging.getLogger(__name__)


def _setting(name: str, default):
    return getattr(settings, name, default)


def max_attempts() -> int:
    return int(_setting("NOTIFICATIONS_MAX_ATTEMPTS", 5))


def batch_size() -> int:
    return int(_setting("NOTIFICATIONS_BATCH_SIZE", 500))


def retry_delay(attempts: int) -> int:
    """Exponential backoff in seconds: base, 2×base, 4×base … capped at 6 hours."""
    base = int(_setting("NOTIFICATIONS_RETRY_BASE_SECONDS", 60))
    return min(base * 2 ** max(attempts - 1, 0), 6 * 3600)


def send_lease() -> datetime.timedelta:
    """A delivery claimed (or renewed by its heartbeat) longer ago than this belongs to a worker
    that died (handover.py)."""
    from .handover import send_lease as lease

    return lease()


def max_countdown() -> int:
    """Never schedule a message further ahead than the broker keeps it invisible (Redis would
    hand it to a second worker); longer waits are picked up by `recover` from the database."""
    return max(int(_setting("CELERY_BROKER_VISIBILITY_TIMEOUT", 3600)) // 2, 1)


def _enqueue(task_name: str, *args) -> None:
    """Send a task after the current transaction commits (immediately outside one)."""
    from . import tasks

    task = getattr(tasks, task_name)
    options = {}
    queue = _setting("NOTIFICATIONS_QUEUE", None)
    if queue:
        options["queue"] = queue
    transaction.on_commit(lambda: task.apply_async(args=args, **options))


def _user_languages(user_ids: Iterable[int]) -> dict[int, str]:
    User = get_user_model()
    return {
        pk: (lang or settings.LANGUAGE_CODE)
        for pk, lang in User.objects.filter(pk__in=set(user_ids), is_active=True).values_list("pk", "language")
    }


def _render(text, language: str) -> str:
    with translation.override(language):
        return str(text)


# --- immediate events -----------------------------------------------------------------------

def notify(*, recipient, kind: str, subject, key: str, url: str = "", body="", due=None, org_path: str = ""):
    """Notify `recipient` of an event now (for apps, e.g. "a proposal was assigned to you").
    Call it inside the service's transaction: the notification exists only if the change
    commits, and is sent after the commit. The same (kind, key, recipient) notifies once."""
    language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
    try:
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                kind=kind, key=key[:255], recipient=recipient,
                defaults={"subject": _render(subject, language)[:300], "body": _render(body, language),
                          "url": url[:500], "due": due, "org_path": org_path},
            )
    except IntegrityError:  # a racing transaction created it first
        return Notification.objects.get(kind=kind, key=key[:255], recipient=recipient)
    if created:
        _enqueue("dispatch_task", notification.pk)
    return notification


def send_events(reminders: list[Reminder]) -> int:
    """The engine behind `portal.reminders.send_now`: store events like scanned reminders (same
    (kind, key, recipient) row, so a later scan adds nothing) and dispatch them after commit.
    Unit rules that switch a kind off apply as for scans."""
    rules = OrgRules(timezone.localdate().year)
    wanted = [r for r in reminders if not rules.is_disabled(r.org_path, r.kind)]
    return store_batch(wanted) if wanted else 0


# --- scans ----------------------------------------------------------------------------------

def scan_all(*, today: datetime.date) -> list[str]:
    """Enqueue one scan per registered source (each fails or succeeds on its own)."""
    for kind in SOURCES:
        _enqueue("scan_source_task", kind, today.isoformat())
    return list(SOURCES)


def _due_now(reminders: Iterable[Reminder], *, today, rules: OrgRules, default_lead: int) -> Iterator[Reminder]:
    for reminder in reminders:
        if rules.is_disabled(reminder.org_path, reminder.kind):
            continue
        if reminder.due is not None:
            lead = rules.lead_days(reminder.org_path, reminder.kind, default_lead)
            days_left = (reminder.due - today).days
            if isinstance(lead, list):
                # Steps such as [3, 1]: the nearest step not yet passed names the key, so the
                # reminder comes once at three days and once more at one day before.
                steps = [step for step in lead if days_left <= step]
                if not steps:
                    continue
                reminder = dataclasses.replace(reminder, key=f"{reminder.key}:lead{min(steps)}")
            elif days_left > int(lead):
                continue
        yield reminder


def _batched(iterable, size):
    iterator = iter(iterable)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def scan_source(*, kind: str, today: datetime.date) -> ScanRun | None:
    """Run one source for `today` in batches (bounded memory: one batch at a time) and store
    each reminder once. Safe to run twice, or twice at the same time."""
    source = SOURCES.get(kind)
    if source is None:
        return None
    run, _created = ScanRun.objects.get_or_create(kind=kind, day=today)
    # Count unfinished starts: a source that crashes (or kills its worker) N times in a row
    # stops for the day and is listed for staff instead of looping.
    ScanRun.objects.filter(pk=run.pk).update(attempts=F("attempts") + 1, status=ScanStatus.RUNNING,
                                              started_at=timezone.now())
    run.refresh_from_db()
    if run.attempts > max_attempts():
        ScanRun.objects.filter(pk=run.pk).update(
            status=ScanStatus.FAILED, last_error=run.last_error or _("Stopped after %(n)d tries.") % {"n": run.attempts - 1})
        run.refresh_from_db()
        return run
    rules = OrgRules(today.year)
    seen = created = 0
    try:
        reminders = _due_now(source.func(today), today=today, rules=rules, default_lead=source.default_lead_days)
        for batch in _batched(reminders, batch_size()):
            seen += len(batch)
            created += store_batch(batch)
    except Exception:
        ScanRun.objects.filter(pk=run.pk).update(
            status=ScanStatus.FAILED if run.attempts >= max_attempts() else ScanStatus.RUNNING,
            last_error=traceback.format_exc()[-4000:], seen=seen, created=created)
        raise
    ScanRun.objects.filter(pk=run.pk).update(status=ScanStatus.DONE, attempts=0, seen=seen, created=created,
                                              finished_at=timezone.now(), last_error="")
    run.refresh_from_db()
    return run


def store_batch(batch: list[Reminder]) -> int:
    """Insert a batch (3 queries whatever its size) and enqueue dispatch of its pending rows —
    including rows an earlier, interrupted scan stored but never dispatched."""
    languages = _user_languages(r.recipient_id for r in batch)
    rows = {}
    for r in batch:
        if r.recipient_id not in languages:
            continue  # unknown or deactivated user
        lang = languages[r.recipient_id]
        rows[(r.kind, r.key[:255], r.recipient_id)] = Notification(
            recipient_id=r.recipient_id, kind=r.kind, key=r.key[:255], subject=_render(r.subject, lang)[:300],
            body=_render(r.body, lang) if r.body else "", url=(r.url or "")[:500], due=r.due,
            org_path=r.org_path or "",
        )
    if not rows:
        return 0
    with transaction.atomic():
        Notification.objects.bulk_create(rows.values(), ignore_conflicts=True)
        pending = list(
            Notification.objects.filter(
                state=NotificationState.PENDING,
                kind__in={k for k, _k, _r in rows}, key__in={k for _k, k, _r in rows},
                recipient_id__in={r for _k, _kk, r in rows},
            ).values_list("pk", "kind", "key", "recipient_id")
        )
        ids = [pk for pk, *ident in pending if tuple(ident) in rows]
        if ids:
            _enqueue("dispatch_many_task", ids)
    return len(ids)


# --- dispatch -------------------------------------------------------------------------------

def preference_mode(*, user_id: int, kind: str) -> str:
    if kind == kinds.DIGEST_KIND:
        return DeliveryMode.IMMEDIATE
    mode = Preference.objects.filter(user_id=user_id, kind=kind).values_list("mode", flat=True).first()
    mode = mode or DeliveryMode.IMMEDIATE
    if mode == DeliveryMode.OFF and kinds.is_mandatory(kind):
        return DeliveryMode.IMMEDIATE
    return mode


def dispatch(*, notification_id: int) -> list[int]:
    """Route one pending notification by its recipient's preference; create its deliveries.
    Only the transaction that moves it out of `pending` creates deliveries."""
    row = Notification.objects.filter(pk=notification_id).values("recipient_id", "kind", "state").first()
    if row is None or row["state"] != NotificationState.PENDING:
        return []
    mode = preference_mode(user_id=row["recipient_id"], kind=row["kind"])
    target = {DeliveryMode.OFF: NotificationState.SUPPRESSED, DeliveryMode.DIGEST: NotificationState.DIGEST}.get(
        mode, NotificationState.DISPATCHED)
    with transaction.atomic():
        moved = Notification.objects.filter(pk=notification_id, state=NotificationState.PENDING).update(state=target)
        if not moved or target != NotificationState.DISPATCHED:
            return []
        channels = active_channels()
        Delivery.objects.bulk_create([Delivery(notification_id=notification_id, channel=c) for c in channels],
                                     ignore_conflicts=True)
        ids = list(Delivery.objects.filter(notification_id=notification_id, status=DeliveryStatus.PENDING)
                   .values_list("pk", flat=True))
        for pk in ids:
            _enqueue("send_delivery_task", pk)
    return ids


def send_delivery(*, delivery_id: int) -> tuple[str, int]:
    """Send one delivery. Returns (outcome, retry_in_seconds). The conditional UPDATE is the
    claim: of two workers holding the same message, one sends."""
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id).filter(
        Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - send_lease())
    ).update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "noop", 0
    delivery = Delivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    if delivery.handed_over_at is not None:  # its worker died after the server had the message
        _finish(delivery, DeliveryStatus.SENT)
        return "sent", 0
    limit = max_attempts()
    if delivery.attempts > limit:  # its worker died on every try: a poison message
        _finish(delivery, DeliveryStatus.FAILED, error=delivery.last_error or _("Stopped after %(n)d tries.") % {
            "n": limit})
        return "failed", 0
    channel = get_channel(delivery.channel)
    if channel is None:
        _finish(delivery, DeliveryStatus.FAILED, error=_("Unknown channel: %(code)s") % {"code": delivery.channel})
        return "failed", 0
    user = delivery.notification.recipient
    if not user.is_active:
        _finish(delivery, DeliveryStatus.SKIPPED)
        return "skipped", 0
    hold = channel.hold_until(notification=delivery.notification, now=now)
    if hold is not None and hold > now:
        # Quiet hours: wait without spending an attempt; `recover` sends it when the time comes
        # if the broker cannot hold the message that long.
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.PENDING, next_attempt_at=hold, attempts=F("attempts") - 1, claimed_at=None)
        return "deferred", max(int((hold - now).total_seconds()), 1)
    batch = _claim_batch(channel, delivery, user, now)
    extra = {"batch": [d.notification for d in batch]} if batch else {}
    try:
        with translation.override(user.language or settings.LANGUAGE_CODE), heartbeat(delivery_id, now):
            reached = channel.send(delivery=delivery, notification=delivery.notification, user=user, **extra)
    except Exception as exc:  # noqa: BLE001 - any channel error is retried, then recorded
        if batch:  # the others go back as they were; their own messages or `recover` send them
            Delivery.objects.filter(pk__in=[d.pk for d in batch], status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.PENDING, claimed_at=None)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if _handed_over_and_unanswered(delivery_id, exc):
            _finish(delivery, DeliveryStatus.SENT)
            log.warning("delivery %s: handed over, the server's answer was lost (%s); not sent again",
                        delivery_id, error)
            return "sent", 0
        if delivery.attempts >= limit:
            _finish(delivery, DeliveryStatus.FAILED, error=error)
            log.warning("delivery %s failed for good: %s", delivery_id, error)
            return "failed", 0
        delay = retry_delay(delivery.attempts)
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now() + datetime.timedelta(seconds=delay),
            last_error=error)
        return "retry", delay
    status = DeliveryStatus.SENT if reached is not False else DeliveryStatus.SKIPPED
    receipt = reached if isinstance(reached, Receipt) else None
    _finish(delivery, status, receipt=receipt)
    for other in batch:
        _finish(other, status, receipt=receipt)
    return ("sent" if reached is not False else "skipped"), 0


def _claim_batch(channel, delivery: Delivery, user, now) -> list[Delivery]:
    """The user's other pending deliveries that the channel sends in the same message (one SMS
    for what piled up, not one per notification). Rows another worker holds are skipped."""
    q = channel.batch_q(user=user, notification=delivery.notification)
    if q is None:
        return []
    with transaction.atomic():
        rows = list(Delivery.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(q, channel=delivery.channel, status=DeliveryStatus.PENDING,
                            notification__recipient_id=user.pk)
                    .exclude(pk=delivery.pk).order_by("pk")[:50])
        if rows:
            Delivery.objects.filter(pk__in=[d.pk for d in rows]).update(status=DeliveryStatus.SENDING, claimed_at=now)
    if rows:
        notifications = Notification.objects.in_bulk([d.notification_id for d in rows])
        for row in rows:
            row.notification = notifications[row.notification_id]
    return rows


def _handed_over_and_unanswered(delivery_id: int, exc: BaseException) -> bool:
    """After an error: was the message already handed over (the server may have it)? If the
    server refused it outright, the record is cleared so the retry sends it."""
    from .handover import answer_was_lost, clear_handover

    if not Delivery.objects.filter(pk=delivery_id, handed_over_at__isnull=False).exists():
        return False
    if answer_was_lost(exc):
        return True
    clear_handover(delivery_id)
    return False


def _finish(delivery: Delivery, status: str, *, error: str = "", receipt: Receipt | None = None):
    fields = {}
    if receipt is not None:
        fields = {"provider_id": receipt.provider_id[:100], "provider_request_id": receipt.request_id[:100],
                  "address": receipt.address[:100]}
    if status == DeliveryStatus.FAILED:
        fields["last_error"] = error or delivery.last_error
    elif status != DeliveryStatus.SKIPPED or error:  # a skipping channel may have noted why
        fields["last_error"] = error
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, sent_at=timezone.now() if status == DeliveryStatus.SENT else None, **fields)


# --- recovery -------------------------------------------------------------------------------

def recover(*, grace_seconds: int | None = None) -> dict:
    """Re-enqueue what a lost message left behind: notifications still pending, deliveries due
    again, deliveries whose worker died while sending. Bounded: ids are streamed in batches."""
    if grace_seconds is None:
        grace_seconds = int(_setting("NOTIFICATIONS_RECOVER_GRACE_SECONDS", 60))
    now = timezone.now()
    grace = now - datetime.timedelta(seconds=grace_seconds)
    counts = {"notifications": 0, "deliveries": 0}
    pending = (Notification.objects.filter(state=NotificationState.PENDING, created_at__lt=grace)
               .order_by("pk").values_list("pk", flat=True))
    for ids in _batched(pending.iterator(chunk_size=2000), batch_size()):
        counts["notifications"] += len(ids)
        _enqueue("dispatch_many_task", ids)
    stuck = Delivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, next_attempt_at__lt=grace)
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - send_lease())
    ).order_by("pk").values_list("pk", flat=True)
    for pk in stuck.iterator(chunk_size=2000):
        counts["deliveries"] += 1
        _enqueue("send_delivery_task", pk)
    return counts


# --- daily digest ---------------------------------------------------------------------------

def digest_all(*, today: datetime.date) -> int:
    """Enqueue one digest per user with notifications waiting for it."""
    users = (Notification.objects.filter(state=NotificationState.DIGEST).order_by("recipient_id")
             .values_list("recipient_id", flat=True).distinct())
    count = 0
    for user_id in users.iterator(chunk_size=2000):
        count += 1
        _enqueue("digest_user_task", user_id, today.isoformat())
    return count


def digest_user(*, user_id: int, today: datetime.date) -> Notification | None:
    """Group the user's waiting notifications into one digest (once per user and day)."""
    User = get_user_model()
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    with transaction.atomic():
        items = list(Notification.objects.select_for_update().filter(recipient_id=user_id,
                                                                     state=NotificationState.DIGEST)
                     .order_by("kind", "due", "created_at")[:1000])
        if not items:
            return None
        language = user.language or settings.LANGUAGE_CODE
        with translation.override(language):
            subject = _("Your daily digest: %(count)d notifications") % {"count": len(items)}
            lines = []
            for kind, group in itertools.groupby(items, key=lambda n: n.kind):
                group = list(group)
                lines.append(f"{kinds.label_of(kind)} ({len(group)})")
                lines += [f"  - {n.subject}" + (f" {n.url}" if n.url else "") for n in group]
        try:
            with transaction.atomic():
                digest = Notification.objects.create(
                    recipient_id=user_id, kind=kinds.DIGEST_KIND, key=f"digest:{today.isoformat()}",
                    subject=subject[:300], body="\n".join(lines), in_inbox=False,
                )
        except IntegrityError:
            return None  # today's digest went out already; the rest waits for tomorrow's
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(state=NotificationState.DIGESTED,
                                                                          digest=digest)
        _enqueue("dispatch_task", digest.pk)
    return digest


# --- inbox and preferences (user actions) ------------------------------------------------------

def notification_mark_read(*, user, notification: Notification) -> Notification:
    """Marking read is the user's own bookkeeping: not audited (it would drown the trail)."""
    if notification.recipient_id != user.pk:
        raise NotAllowed()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notification_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True, in_inbox=True).update(
        read_at=timezone.now())


def preference_set(*, user, kind: str, mode: str) -> Preference:
    known = {k.kind for k in kinds.all_kinds()}
    if kind not in known:
        raise GuardFailed(_("Unknown kind of notification."))
    if mode not in DeliveryMode.values:
        raise GuardFailed(_("Choose immediately, daily digest or off."))
    if mode == DeliveryMode.OFF and kinds.is_mandatory(kind):
        raise GuardFailed(_("This notification is mandatory and cannot be switched off."))
    with transaction.atomic():
        pref = Preference.objects.select_for_update().filter(user=user, kind=kind).first()
        before = snapshot(pref, ["mode"]) if pref else {"mode": DeliveryMode.IMMEDIATE}
        if pref is None:
            pref = Preference.objects.create(user=user, kind=kind, mode=mode)
        elif pref.mode != mode:
            pref.mode = mode
            pref.save(update_fields=["mode"])
        if before["mode"] != mode:
            audit_log(actor=user, action="notifications.preference_set", target=pref, before=before,
                      after={"mode": mode}, note=kind)
    return pref


def delivery_retry(*, actor, delivery: Delivery) -> Delivery:
    """The office in charge sends a failed delivery again (after fixing the gateway or the
    address): a county office for its own county's notifications, the administrator for all."""
    from .selectors import deliveries_in_care_of

    if not deliveries_in_care_of(user=actor).filter(pk=delivery.pk).exists():
        raise NotAllowed()
    with transaction.atomic():
        moved = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now())
        if not moved:
            raise GuardFailed(_("Only failed deliveries can be retried."))
        audit_log(actor=actor, action="notifications.delivery_retry", target=delivery,
                  before={"status": DeliveryStatus.FAILED}, after={"status": DeliveryStatus.PENDING})
        _enqueue("send_delivery_task", delivery.pk)
    delivery.refresh_from_db()
    return delivery


def scan_retry(*, actor, run: ScanRun) -> ScanRun:
    """Scans run for the whole province: only the administrator runs one again."""
    from .selectors import can_see_scans

    if not can_see_scans(actor):
        raise NotAllowed()
    with transaction.atomic():
        moved = ScanRun.objects.filter(pk=run.pk, status=ScanStatus.FAILED).update(
            status=ScanStatus.RUNNING, attempts=0)
        if not moved:
            raise GuardFailed(_("Only failed scans can be retried."))
        audit_log(actor=actor, action="notifications.scan_retry", target=run,
                  before={"status": ScanStatus.FAILED}, after={"status": ScanStatus.RUNNING})
        _enqueue("scan_source_task", run.kind, run.day.isoformat())
    run.refresh_from_db()
    return run
