"""Cross-cutting records every app uses: users, the audit trail and the worker heartbeat."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in. What they may see and do comes from their role assignments
    (organizations.RoleAssignment), never from flags on this model — except `is_superuser`,
    which only the system administrator account has."""

    display_name = models.CharField(_("name"), max_length=60, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True,
        help_text=_("Language of the interface; empty follows the browser."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name or self.username

    @property
    def label(self) -> str:
        return self.display_name or self.username


class AuditEvent(models.Model):
    """One change to one record, written by a service in the same transaction as the change.

    `org_path` is the owning unit's path when the record has one, so a county office can read
    the trail of its own subtree with one indexed predicate. Records are archived, never deleted,
    so the trail stays complete."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    action = models.CharField(_("action"), max_length=64)
    target_type = models.ForeignKey(ContentType, verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+")
    target_id = models.CharField(_("record ID"), max_length=64)
    target_repr = models.CharField(_("record"), max_length=200)
    org_path = models.CharField(_("unit path"), max_length=255, blank=True, default="")
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"])]

    def __str__(self):
        return f"{self.action} {self.target_repr}"


class WorkerHeartbeat(models.Model):
    """Written by a periodic task: proves that beat schedules and a worker executes."""

    name = models.CharField(_("worker"), max_length=50, unique=True)
    seen_at = models.DateTimeField(_("last seen"))
    hostname = models.CharField(_("host name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class IdempotencyRecord(models.Model):
    """A create request that must take effect once (portal/idempotency.py).

    The key is a form's one-time token or an API client's `Idempotency-Key`, scoped to the
    caller (`owner`: user id or session) and the route, and kept for a day. The row is written
    before the view runs, so a concurrent second request finds it (unique constraint) and waits
    for the first one's response instead of creating again; the response replayed is stored in
    the database, so every web worker answers the same."""

    key = models.CharField(_("idempotency key"), max_length=100)
    owner = models.CharField(_("owner"), max_length=80)
    route = models.CharField(_("request path"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64, blank=True, default="")
    completed = models.BooleanField(_("completed"), default=False)
    status_code = models.PositiveSmallIntegerField(_("response status code"), null=True, blank=True)
    location = models.CharField(_("redirect address"), max_length=1000, blank=True, default="")
    content_type = models.CharField(_("response content type"), max_length=200, blank=True, default="")
    body = models.BinaryField(_("response body"), blank=True, default=b"")

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["key", "owner", "route"], name="portal_idempotency_once")]

    def __str__(self):
        return f"{self.route} {self.key}"


class SimilarityTerm(models.Model):
    """How many records of a corpus contain a word (its document frequency), for the similar-text
    lookup (``portal.similarity``). Kept exact by the services that write the records."""

    corpus = models.CharField(_("corpus"), max_length=40)
    term = models.CharField(_("word"), max_length=40)
    df = models.PositiveIntegerField(_("document frequency"), default=0)

    class Meta:
        verbose_name = _("similarity word")
        verbose_name_plural = _("similarity words")
        constraints = [models.UniqueConstraint(fields=["corpus", "term"], name="similarity_term_unique")]

    def __str__(self):
        return f"{self.corpus}: {self.term} ({self.df})"


class SimilarityCorpus(models.Model):
    """Size of a corpus for the similar-text lookup: records with words, and their words in all."""

    corpus = models.CharField(_("corpus"), max_length=40, unique=True)
    docs = models.BigIntegerField(_("document count"), default=0)
    length = models.BigIntegerField(_("total length"), default=0)

    class Meta:
        verbose_name = _("similarity corpus")
        verbose_name_plural = _("similarity corpora")

    def __str__(self):
        return f"{self.corpus}: {self.docs}"


class PasswordHistory(models.Model):
    """The hash of a password a user had, so a new one cannot repeat the last few
    (portal/accounts/validators.py, settings.PASSWORD_HISTORY_COUNT). Only hashes are kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="+")
    password = models.CharField(_("password"), max_length=128)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("former password")
        verbose_name_plural = _("former passwords")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.user_id} @ {self.created_at:%Y-%m-%d %H:%M}"
