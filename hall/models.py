"""The online consultation hall (线上协商议事厅): what residents do from their phones.

Everything here is owned by an org unit (``OrgScopedModel``) so staff screens are scoped by the
usual path prefix. Public pages show only records that are published; personal data (contact
details, the submitter's account, IP-derived keys) and internal notes never reach them — the
public selectors return the fields a page may show and nothing else."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.models import OrgScopedModel
from portal.concurrency import VersionedModel


def new_tracking_code() -> str:
    # 15 random bytes → 20 URL-safe characters: unguessable, and short enough to copy by hand.
    return secrets.token_urlsafe(15)


def photo_path(instance, filename):
    # Never keep the uploaded name (it may carry personal data or path tricks).
    return f"hall/photos/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


class Submission(OrgScopedModel):
    """A topic proposed by a resident (群众出题) for their community.

    Statuses: ``new`` waits in the secretary's screening queue; the secretary either turns it into
    a topic of the closed loop (``accepted``, with the link kept in ``topic``) or declines it with a
    reply the resident sees (``declined``). The resident follows it by its tracking code."""

    class Status(models.TextChoices):
        NEW = "new", _("Waiting for screening")
        ACCEPTED = "accepted", _("Taken up as a consultation topic")
        DECLINED = "declined", _("Not taken up")

    tracking_code = models.CharField(_("tracking code"), max_length=32, unique=True, default=new_tracking_code,
                                     editable=False)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("description"), max_length=3000)
    location = models.CharField(_("location in the community"), max_length=200, blank=True,
                                help_text=_("e.g. building, street corner, square"))
    contact_name = models.CharField(_("contact name"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitter"), null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="hall_submissions")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    reply = models.TextField(_("reply to the resident"), blank=True, max_length=2000)
    internal_note = models.TextField(_("internal note"), blank=True, max_length=2000)
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("screened by"), null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)
    topic = models.ForeignKey("consultations.Topic", verbose_name=_("consultation topic"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="hall_submissions")
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    # The words of title and description for "similar earlier submissions" (portal.similarity).
    similarity_terms = models.TextField(_("similarity words"), editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("resident submission")
        verbose_name_plural = _("resident submissions")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "org_path"])]

    def __str__(self):
        return self.title


class SubmissionPhoto(models.Model):
    """A photo attached to a submission, stored only after it was re-encoded (metadata stripped)."""

    submission = models.ForeignKey(Submission, verbose_name=_("resident submission"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("photo"), upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["id"]

    def __str__(self):
        return self.image.name


class OnlineConsultation(OrgScopedModel, VersionedModel):
    """A network consultation (网络协商): background material, an open period for comments,
    supports and a short questionnaire; after it closes the result is published and rated.

    ``draft`` is visible to staff only; ``published`` is public. Open/closed follows the period."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=150)
    background = models.TextField(_("background material"), max_length=10000)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    result = models.TextField(_("published result"), blank=True, max_length=10000,
                              help_text=_("What came of the consultation; shown after it closes."))
    internal_note = models.TextField(_("internal note"), blank=True, max_length=2000)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("online consultation")
        verbose_name_plural = _("online consultations")
        ordering = ["-opens_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_public and self.opens_at <= now < self.closes_at

    def is_closed(self, now=None) -> bool:
        return self.is_public and (now or timezone.now()) >= self.closes_at


class Comment(models.Model):
    """A comment or suggestion in an online consultation. ``kind`` marks who speaks: a resident,
    a committee member (members post as members) or a department (official answer, 官方答复).

    Moderation: ``pending`` waits for a moderator (pre-moderation), ``visible`` is public,
    ``hidden`` was removed by a moderator (post-moderation or after abuse reports)."""

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        MEMBER = "member", _("Committee member")
        OFFICIAL = "official", _("Official answer")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for moderation")
        VISIBLE = "visible", _("Visible")
        HIDDEN = "hidden", _("Hidden")

    class Adoption(models.TextChoices):
        """What became of a resident's suggestion (set by staff, always with a reply to the resident)."""

        NONE = "", _("Adoption not decided")
        ADOPTED = "adopted", _("Suggestion adopted")
        IMPLEMENTED = "implemented", _("Adopted and implemented")
        NOT_ADOPTED = "not_adopted", _("Suggestion not adopted")

    consultation = models.ForeignKey(OnlineConsultation, verbose_name=_("online consultation"), on_delete=models.CASCADE, related_name="comments")
    reply_to = models.ForeignKey("self", verbose_name=_("reply to"), null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+")
    author_label = models.CharField(_("shown as"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RESIDENT)
    body = models.TextField(_("comment"), max_length=2000)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.VISIBLE)
    support_count = models.PositiveIntegerField(_("supports"), default=0)
    report_count = models.PositiveIntegerField(_("reports"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    adoption = models.CharField(_("adoption"), max_length=20, choices=Adoption.choices, blank=True, default="")
    adoption_reply = models.TextField(_("reply on the adoption"), max_length=2000, blank=True)
    adopted_at = models.DateTimeField(_("adoption decided"), null=True, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True, db_index=True,
                                  help_text=_("The day the suggestion was adopted (or found not adoptable); the "
                                              "reports count by it."))
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("marked adopted by"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["consultation", "status"])]

    def __str__(self):
        return self.body[:40]


class Support(models.Model):
    """One person's support (点赞/支持) for one suggestion."""

    comment = models.ForeignKey(Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("support for a comment")
        verbose_name_plural = _("supports for comments")
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="hall_support_once")]

    def __str__(self):
        return f"{self.user_id} → {self.comment_id}"


class AbuseReport(models.Model):
    """A report that a comment is abusive; moderators see the reports in their queue."""

    comment = models.ForeignKey(Comment, verbose_name=_("comment"), on_delete=models.CASCADE, related_name="reports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    handled = models.BooleanField(_("handled"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("abuse report")
        verbose_name_plural = _("abuse reports")
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="hall_report_once")]

    def __str__(self):
        return self.reason or str(self.comment_id)


class Question(models.Model):
    """One multiple-choice question of a consultation's short questionnaire."""

    consultation = models.ForeignKey(OnlineConsultation, verbose_name=_("online consultation"), on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=200)
    choices = models.JSONField(_("choices"), default=list)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("questionnaire question")
        verbose_name_plural = _("questionnaire questions")
        ordering = ["position", "id"]

    def __str__(self):
        return self.text


class QuestionnaireResponse(models.Model):
    """One person's answers to a consultation's questionnaire: {question id: choice index}."""

    consultation = models.ForeignKey(OnlineConsultation, verbose_name=_("online consultation"), on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(_("answers"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("questionnaire response")
        verbose_name_plural = _("questionnaire responses")
        constraints = [models.UniqueConstraint(fields=["consultation", "user"], name="hall_response_once")]

    def __str__(self):
        return f"{self.user_id} · {self.consultation_id}"


class Rating(models.Model):
    """A resident's rating of a closed consultation's result (群众评价), one per person."""

    class Value(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASICALLY = "basically", _("Basically satisfied")
        NOT = "not", _("Not satisfied")

    consultation = models.ForeignKey(OnlineConsultation, verbose_name=_("online consultation"), on_delete=models.CASCADE, related_name="ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    value = models.CharField(_("rating"), max_length=20, choices=Value.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("resident rating of a consultation")
        verbose_name_plural = _("resident ratings of consultations")
        constraints = [models.UniqueConstraint(fields=["consultation", "user"], name="hall_rating_once")]

    def __str__(self):
        return self.get_value_display()


class TopicRating(models.Model):
    """A resident's rating of a closed topic's outcome (群众评价 of the closed loop), one per person.
    The staff's aggregate evaluations (评事) live in consultations; these are the residents' own."""

    topic = models.ForeignKey("consultations.Topic", verbose_name=_("topic"), on_delete=models.CASCADE, related_name="hall_ratings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    value = models.CharField(_("rating"), max_length=20, choices=Rating.Value.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("resident rating of an outcome")
        verbose_name_plural = _("resident ratings of outcomes")
        constraints = [models.UniqueConstraint(fields=["topic", "user"], name="hall_topic_rating_once")]

    def __str__(self):
        return self.get_value_display()


class LiveSession(OrgScopedModel, VersionedModel):
    """A live-streamed consultation (直播协商): stream link, agenda, live questions; the view and
    participant counts are recorded for the reports."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=150)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    stream_url = models.URLField(_("stream link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True, max_length=5000)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("views"), default=0)
    participant_count = models.PositiveIntegerField(_("participants"), default=0,
                                                    help_text=_("People who asked or answered during the session."))
    internal_note = models.TextField(_("internal note"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        ordering = ["-starts_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def accepts_questions(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_public and now < self.ends_at


class LiveQuestion(models.Model):
    """A question sent in during a live session; shown once a moderator lets it through or answers it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SHOWN = "shown", _("Shown")
        HIDDEN = "hidden", _("Hidden")

    session = models.ForeignKey(LiveSession, verbose_name=_("live session"), on_delete=models.CASCADE, related_name="questions")
    asker_label = models.CharField(_("shown as"), max_length=60)
    asker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("asker"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    body = models.TextField(_("question"), max_length=500)
    answer = models.TextField(_("answer"), blank=True, max_length=2000)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("live-session question")
        verbose_name_plural = _("live-session questions")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.body[:40]


# --- Member and workroom codes (委员码 / 工作室码) ------------------------------------------------


def new_code_slug() -> str:
    # 12 random bytes → 16 URL-safe characters: printed on plaques, never an enumerable id.
    return secrets.token_urlsafe(12)


class ContactCode(models.Model):
    """The QR code of a member (委员码) or a workroom (工作室码): a random slug printed on a plaque,
    a door or a business card that opens the hall's form addressed to them. Exactly one of
    ``member`` and ``workroom`` is set. A code is deactivated (never deleted) when it is replaced;
    an inactive or unknown slug shows a friendly page."""

    slug = models.CharField(_("code"), max_length=32, unique=True, default=new_code_slug, editable=False)
    member = models.ForeignKey("members.Member", verbose_name=_("member"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="contact_codes")
    workroom = models.ForeignKey("members.Workroom", verbose_name=_("workroom"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="contact_codes")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("member or workroom code")
        verbose_name_plural = _("member and workroom codes")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(member__isnull=False, workroom__isnull=True)
                           | models.Q(member__isnull=True, workroom__isnull=False)),
                name="contactcode_one_target"),
            models.UniqueConstraint(fields=["member"], condition=models.Q(is_active=True, member__isnull=False),
                                    name="contactcode_one_active_per_member"),
            models.UniqueConstraint(fields=["workroom"], condition=models.Q(is_active=True, workroom__isnull=False),
                                    name="contactcode_one_active_per_workroom"),
        ]

    def __str__(self):
        return self.slug


class CodeMessage(OrgScopedModel):
    """A resident's message sent by scanning a member's or workroom's code (扫码留言 / 群众来信).

    ``org_unit`` is where it is followed up: the workroom's unit, or for a member the unit of
    their first active posting (their liaison group), else their CPPCC unit — so the secretary of
    that subtree oversees it. Statuses: ``new`` waits in the addressee's inbox; ``answered`` has
    a reply the resident reads by tracking code; ``topic`` was turned into a consultation topic
    (议题) and ``opinion`` into a public-opinion item (社情民意), each with a reply too. The event
    dates (``received_on``, ``answered_on``, ``converted_on``) are what the reports count."""

    class Status(models.TextChoices):
        NEW = "new", _("Waiting for an answer")
        ANSWERED = "answered", _("Answered")
        TOPIC = "topic", _("Turned into a consultation topic")
        OPINION = "opinion", _("Turned into a public-opinion item")

    tracking_code = models.CharField(_("tracking code"), max_length=32, unique=True, default=new_tracking_code,
                                     editable=False)
    code = models.ForeignKey(ContactCode, verbose_name=_("member or workroom code"), on_delete=models.PROTECT, related_name="messages")
    member = models.ForeignKey("members.Member", verbose_name=_("member"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="code_messages")
    workroom = models.ForeignKey("members.Workroom", verbose_name=_("workroom"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="code_messages")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("message"), max_length=3000)
    contact_name = models.CharField(_("contact name"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitter"), null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW,
                              db_index=True)
    reply = models.TextField(_("reply to the resident"), blank=True, max_length=2000)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("answered by"), null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    topic = models.ForeignKey("consultations.Topic", verbose_name=_("consultation topic"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="code_messages")
    opinion_ref = models.CharField(_("public-opinion item"), max_length=40, blank=True,
                                   help_text=_("The id of the public-opinion item it became."))
    received_on = models.DateField(_("received on"), default=timezone.localdate, db_index=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True, db_index=True)
    converted_on = models.DateField(_("turned over on"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    class Meta:
        verbose_name = _("scanned-code message")
        verbose_name_plural = _("scanned-code messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(member__isnull=False, workroom__isnull=True)
                           | models.Q(member__isnull=True, workroom__isnull=False)),
                name="codemessage_one_addressee"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.NEW
