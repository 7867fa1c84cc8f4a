"""The consultation closed loop (有事好商量 / 协商闭环):

topic (选题) → approval and publication (定题, 公示) → research (调研) → session (协商会) → outcome
(成果: 纪要, 建议) → handling of each suggestion (报送/办理) → feedback and closing (反馈) → 回头看
(follow-up review) → evaluation (评事).

`Topic.status` is the one place that says where a consultation stands; it is moved only by the
services in ``consultations.services`` (one per transition, guarded and audited). Child records
(research, sessions, outcome, suggestions, follow-ups) carry their own small statuses.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.models import OrgScopedModel, OrgUnit
from portal.concurrency import VersionedModel
from portal.files import private_upload_to


class Channel(models.TextChoices):
    """Where a topic came from (选题渠道, DOMAIN §3.1)."""

    PARTY_GOV = "party_gov", _("Set by Party committee / government (党委政府点题)")
    MEMBER = "member", _("Recommended by members (委员荐题)")
    RESIDENT = "resident", _("Raised by residents (群众出题)")
    PUBLIC_CALL = "public_call", _("Public call for topics (社会征集)")
    OPINION = "opinion", _("Public-opinion information (社情民意)")
    RECEPTION = "reception", _("Reception day (接待日)")
    HALL = "hall", _("Online consultation hall (线上议事厅)")


class TopicStatus(models.TextChoices):
    """Who moves it: the secretary records and submits; the approver approves or rejects; the
    secretary records research, schedules and holds sessions, records the outcome and closes;
    the 回头看 is recorded after closing."""

    DRAFT = "draft", _("Recorded")
    SUBMITTED = "submitted", _("Awaiting approval")
    REJECTED = "rejected", _("Not adopted")
    APPROVED = "approved", _("Approved, research pending")
    RESEARCHED = "researched", _("Researched")
    SCHEDULED = "scheduled", _("Session scheduled")
    CONSULTED = "consulted", _("Consulted, outcome pending")
    HANDLING = "handling", _("Suggestions being handled")
    CLOSED = "closed", _("Closed, follow-up review due")
    REVIEWED = "reviewed", _("Follow-up review done")


# The order of the loop, for progress bars and "what comes next".
STATUS_ORDER = [
    TopicStatus.DRAFT, TopicStatus.SUBMITTED, TopicStatus.APPROVED, TopicStatus.RESEARCHED,
    TopicStatus.SCHEDULED, TopicStatus.CONSULTED, TopicStatus.HANDLING, TopicStatus.CLOSED, TopicStatus.REVIEWED,
]

# What the public sees (公示): a coarse progress label, never internal states like "rejected".
PUBLIC_PROGRESS = {
    TopicStatus.APPROVED: _("Topic approved"),
    TopicStatus.RESEARCHED: _("Research done"),
    TopicStatus.SCHEDULED: _("Consultation scheduled"),
    TopicStatus.CONSULTED: _("Consultation held"),
    TopicStatus.HANDLING: _("Suggestions being handled"),
    TopicStatus.CLOSED: _("Completed"),
    TopicStatus.REVIEWED: _("Completed and reviewed"),
}


class Topic(OrgScopedModel, VersionedModel):
    """A consultation topic (协商议题) of one unit, and the head of its closed loop.

    `source_ref` says where it came from (e.g. ``hall:123`` for an online-hall submission, a
    社情民意 number, a letter). `proposer_name` and `internal_note` are internal and never public.
    `is_public`/`published_at` are the 公示; `planned_month` places it in the annual plan."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Event dates (the day it happened, set by staff, default today) apart from the audit
    # timestamps below; reports count by these. See portal/event_dates.py and consultations/dates.py.
    raised_on = models.DateField(_("raised on"), db_index=True, default=timezone.localdate,
                                 help_text=_("The day the topic was raised (选题), e.g. the date on the ledger."))
    approved_on = models.DateField(_("approved on"), null=True, blank=True, db_index=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    back_entered = models.BooleanField(_("back-entered (补录)"), default=False,
                                       help_text=_("Recorded after the fact from a ledger or paper minutes."))
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=40, blank=True,
                                help_text=_("e.g. 民生, 城市管理, 热点, 难点"))
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True)
    proposer_name = models.CharField(_("raised by"), max_length=100, blank=True)
    internal_note = models.TextField(_("internal note"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=TopicStatus.choices, default=TopicStatus.DRAFT,
                              db_index=True)
    planned_month = models.DateField(_("planned month"), null=True, blank=True,
                                     help_text=_("Month of the annual consultation plan (年度协商计划)."))
    is_public = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for not adopting"), blank=True)
    research_waived = models.BooleanField(_("research waived"), default=False,
                                          help_text=_("An exception to 不调研不协商 allowed by the unit's settings."))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("consultation topic")
        verbose_name_plural = _("consultation topics")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["org_path", "status"]),
            models.Index(fields=["is_public", "org_path"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("consultations:topic", args=[self.pk])

    @property
    def public_progress(self):
        return PUBLIC_PROGRESS.get(self.status, "")

    @property
    def source_label(self) -> str:
        """Where the topic came from, as readers say it: the hall's tracking code, or the reference
        staff typed in. Internal keys ("demo:…", other "prefix:…" references) are not for people."""
        ref = self.source_ref or ""
        if ref.startswith("hall:"):
            return _("online hall, tracking code %(code)s") % {"code": ref[len("hall:"):]}
        if ":" in ref and " " not in ref and ref.split(":", 1)[0].isascii():
            return ""
        return ref

    @property
    def step_index(self) -> int:
        status = TopicStatus.SUBMITTED if self.status == TopicStatus.REJECTED else self.status
        return STATUS_ORDER.index(status)


class ResearchKind(models.TextChoices):
    VISIT = "visit", _("Field visit")
    FORUM = "forum", _("Forum / talk")
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")
    INSPECTION = "inspection", _("Inspection")
    OTHER = "other", _("Other")


class Research(models.Model):
    """Research for a topic (调研). The rule 不调研不协商: a session cannot be scheduled before
    research is recorded, and not before its date."""

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="research")
    kind = models.CharField(_("kind"), max_length=20, choices=ResearchKind.choices, default=ResearchKind.VISIT)
    done_on = models.DateField(_("date"))
    team = models.CharField(_("who went"), max_length=300, blank=True)
    members = models.ManyToManyField("members.Member", verbose_name=_("members who took part"), blank=True,
                                     related_name="+")
    findings = models.TextField(_("findings"))
    respondents = models.PositiveIntegerField(_("people consulted"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("research")
        verbose_name_plural = _("research")
        ordering = ["done_on", "id"]

    def __str__(self):
        return f"{self.topic} · {self.get_kind_display()} {self.done_on}"


class SessionForm(models.TextChoices):
    HALL = "hall", _("Meeting room (会场)")
    ON_SITE = "on_site", _("On site (现场)")
    ONLINE = "online", _("Online (线上)")
    LIVE = "live", _("Live stream (直播)")
    DIALOGUE = "dialogue", _("Democratic dialogue (恳谈会)")
    HEARING = "hearing", _("Hearing (听证会)")
    BENCH = "bench", _("Bench meeting (板凳会)")
    COUNCIL = "council", _("Consultation council (协商议事会)")
    OTHER = "other", _("Other")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


# The meeting steps of L182; units may rename them in their configuration later.
MEETING_STEPS = [
    ("brief", _("Briefing (通报情况)")),
    ("opinions", _("Opinions (提出意见)")),
    ("interaction", _("Interactive consultation (互动协商)")),
    ("consensus", _("Confirming consensus (确认共识)")),
    ("report", _("Reporting the result (结果报送)")),
]


class Session(OrgScopedModel, VersionedModel):
    """A consultation session (协商会) on a topic; a topic may need several (渠沟社区 held five)."""

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.PROTECT, related_name="sessions")
    status = models.CharField(_("status"), max_length=20, choices=SessionStatus.choices,
                              default=SessionStatus.PLANNED, db_index=True)
    scheduled_on = models.DateField(_("date"), db_index=True)
    start_time = models.TimeField(_("time"), null=True, blank=True)
    form = models.CharField(_("form"), max_length=20, choices=SessionForm.choices, default=SessionForm.HALL)
    venue = models.CharField(_("venue"), max_length=200,
                             help_text=_("e.g. 社区协商议事厅, 委员工作室, 委员之家, or the site itself"))
    agenda = models.TextField(_("agenda"), blank=True)
    steps_done = models.JSONField(_("meeting steps done"), default=list, blank=True)
    residents_count = models.PositiveIntegerField(
        _("residents present (person-times)"), default=0,
        help_text=_("Residents who took part without being named, e.g. at a bench meeting."))
    online_views = models.PositiveIntegerField(_("online views"), default=0)
    votes_for = models.PositiveIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("votes against"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("abstentions"), null=True, blank=True)
    stakeholder_ratio = models.DecimalField(_("stakeholder share"), max_digits=5, decimal_places=2, null=True,
                                            blank=True)
    summary = models.TextField(_("what happened"), blank=True)
    held_at = models.DateTimeField(_("recorded as held at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consultation session")
        verbose_name_plural = _("consultation sessions")
        ordering = ["-scheduled_on", "-id"]
        indexes = [models.Index(fields=["org_path", "scheduled_on"])]

    def __str__(self):
        return f"{self.topic} · {self.scheduled_on}"

    def get_absolute_url(self):
        return reverse("consultations:topic", args=[self.topic_id]) + f"#session-{self.pk}"


class ParticipantKind(models.TextChoices):
    MEMBER = "member", _("CPPCC member")
    DEPUTY = "deputy", _("Party / People's Congress deputy")
    DEPARTMENT = "department", _("Department")
    RESIDENT = "resident", _("Residents' representative")
    STAKEHOLDER = "stakeholder", _("Stakeholder (利益关联方)")
    EXPERT = "expert", _("Expert")
    PROPERTY = "property", _("Property company")
    NOTABLE = "notable", _("Local notable (乡贤)")
    OTHER = "other", _("Other")


class Attendance(models.TextChoices):
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    ATTENDED = "attended", _("Attended")
    LEAVE = "leave", _("On leave")
    ABSENT = "absent", _("Absent")


class Participant(models.Model):
    """An invited participant of a session. Members are linked to their record (their attendance
    feeds the duty file); others are named with their organisation."""

    session = models.ForeignKey(Session, verbose_name=_("consultation session"), on_delete=models.CASCADE, related_name="participants")
    kind = models.CharField(_("type"), max_length=20, choices=ParticipantKind.choices)
    member = models.ForeignKey("members.Member", verbose_name=_("member"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="consultation_invitations")
    name = models.CharField(_("name"), max_length=60)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    attendance = models.CharField(_("attendance"), max_length=20, choices=Attendance.choices,
                                  default=Attendance.INVITED)
    leave_reason = models.CharField(_("reason for leave"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], condition=models.Q(member__isnull=False),
                                    name="participant_member_once_per_session"),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class Outcome(VersionedModel):
    """The result of the consultation (协商成果): consensus or not, the minutes (协商纪要) and the
    suggestions (协商建议) routed to responsible parties. Two secretaries may edit it: versioned."""

    topic = models.OneToOneField(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="outcome")
    session = models.ForeignKey(Session, verbose_name=_("consultation session"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    consensus = models.BooleanField(_("consensus reached"), default=True)
    summary = models.TextField(_("result (public)"),
                               help_text=_("What was agreed, in plain words; shown publicly once published."))
    minutes = models.TextField(_("minutes (协商纪要)"), blank=True)
    is_typical = models.BooleanField(
        _("typical case (典型案例)"), default=False,
        help_text=_("Marked by the unit's staff; the annual report pack lists typical cases."))
    recorded_on = models.DateField(_("outcome date"), default=timezone.localdate,
                                   help_text=_("The day the result was agreed (成果形成)."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consultation outcome")
        verbose_name_plural = _("consultation outcomes")

    def __str__(self):
        return f"{self.topic}"


class Route(models.TextChoices):
    """Routing of L76: who is responsible for a suggestion."""

    COMMUNITY = "community", _("Community committees (社区两委)")
    DEPARTMENT = "department", _("Department, via the street")
    PROPERTY = "property", _("Property company / social organisation")
    PARTY = "party", _("Party organisation, for reference")


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("Sent, awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted, being handled")
    DONE = "done", _("Feedback given")


class Ending(models.TextChoices):
    """How a suggestion ends (L626)."""

    SOLVED = "solved", _("Solved")
    EXPLAINED = "explained", _("Explained, understanding sought (争取理解)")
    ESCALATED = "escalated", _("Escalated to democratic supervision (民主监督)")


class Suggestion(models.Model):
    """One line of the outcome's suggestions, with its own responsible party and deadline.
    Scoped through its topic's path; departments see a suggestion when its `handling_unit` is
    in their subtree (routed to them), nothing else."""

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="suggestions")
    text = models.TextField(_("suggestion"))
    route = models.CharField(_("responsible party"), max_length=20, choices=Route.choices)
    handling_unit = models.ForeignKey(OrgUnit, verbose_name=_("handling unit"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    handler_name = models.CharField(_("handled by"), max_length=100, blank=True,
                                    help_text=_("e.g. the property company's name"))
    deadline = models.DateField(_("handling deadline"), null=True, blank=True, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=SuggestionStatus.choices,
                              default=SuggestionStatus.PENDING, db_index=True)
    adopted = models.BooleanField(_("adopted"), default=False)
    # Event dates: routed (报送), accepted by the handler (答复/接收), feedback given with its ending
    # (solved, explained, escalated). The *_at timestamps say when they were typed in.
    routed_on = models.DateField(_("routed on"), db_index=True, default=timezone.localdate)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    closed_on = models.DateField(_("feedback given on"), null=True, blank=True, db_index=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    progress = models.TextField(_("progress"), blank=True)
    ending = models.CharField(_("ending"), max_length=20, choices=Ending.choices, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    closed_at = models.DateTimeField(_("feedback given at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["id"]

    def __str__(self):
        return self.text[:60]


class Instruction(models.Model):
    """A leader's instruction (批示/签批) on a topic's outcome: who, when, what."""

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="instructions")
    leader = models.CharField(_("leader"), max_length=100)
    given_on = models.DateField(_("date"))
    text = models.TextField(_("instruction"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("leader's instruction")
        verbose_name_plural = _("leaders' instructions")
        ordering = ["given_on", "id"]

    def __str__(self):
        return f"{self.leader} {self.given_on}"


class FollowUpStatus(models.TextChoices):
    DUE = "due", _("Scheduled")
    DONE = "done", _("Done")


class FollowUp(models.Model):
    """回头看: a follow-up review scheduled when a topic is closed (interval per unit); recorded
    like research, and may reopen the topic."""

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="followups")
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.DUE)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    reopened = models.BooleanField(_("reopened the topic"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up review (回头看)")
        verbose_name_plural = _("follow-up reviews (回头看)")
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self.topic} · {self.due_on}"


class RaterKind(models.TextChoices):
    PARTY_GOV = "party_gov", _("Party and government review (党政点评)")
    DEMOCRATIC = "democratic", _("Democratic appraisal (民主评议)")
    RESIDENTS = "residents", _("Residents' rating (群众评价)")


class Evaluation(models.Model):
    """评事: a rating of a closed topic's results (1–5) by a kind of rater."""

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="evaluations")
    rater_kind = models.CharField(_("rated by"), max_length=20, choices=RaterKind.choices)
    rater_name = models.CharField(_("rater"), max_length=100, blank=True)
    score = models.PositiveSmallIntegerField(_("score (1–5)"))
    comment = models.TextField(_("comment"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="evaluation_score_1_5"),
        ]

    def __str__(self):
        return f"{self.topic} · {self.score}"


class Stage(models.TextChoices):
    TOPIC = "topic", _("Topic")
    RESEARCH = "research", _("Research")
    SESSION = "session", _("Session")
    OUTCOME = "outcome", _("Outcome")
    HANDLING = "handling", _("Handling")
    FOLLOWUP = "followup", _("Follow-up review")


def _attachment_path(instance, filename):
    # Kept for migration 0001 only; stored names are unguessable now (portal.files.private_upload_to).
    return f"consultations/{instance.topic_id}/{filename}"


class Attachment(models.Model):
    """Evidence for a stage of the loop (photos, documents, questionnaires). Type and size are
    checked by the service; files are internal unless the secretary marks them public."""

    topic = models.ForeignKey(Topic, verbose_name=_("topic"), on_delete=models.CASCADE, related_name="attachments")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.TOPIC)
    file = models.FileField(_("file"), upload_to=private_upload_to("consultations/evidence"))
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.original_name


class DocumentTemplate(OrgScopedModel):
    """A Word template (docxtpl) for the minutes (协商纪要) that staff edit in Word and upload for
    their unit; units below use the nearest one, else the built-in default. Fields are checked on
    upload, so a broken field is refused with its name instead of failing at print time."""

    name = models.CharField(pgettext_lazy("object", "name"), max_length=100)
    file = models.FileField(_("file"), upload_to=private_upload_to("consultations/templates"))
    is_active = models.BooleanField(_("in use"), default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("minutes template")
        verbose_name_plural = _("minutes templates")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.name


class SignIn(models.Model):
    """扫码签到: someone who scanned the session's QR code on the day. A member signs in with their
    account (their participant row is marked attended); a resident with a name and the last four
    digits of a phone number (counted towards the resident person-times the secretary confirms).
    One sign-in per device (a cookie) and, for residents, per phone ending and session."""

    session = models.ForeignKey(Session, verbose_name=_("consultation session"), on_delete=models.CASCADE, related_name="signins")
    member = models.ForeignKey("members.Member", verbose_name=_("member"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    phone_last4 = models.CharField(_("last four digits of the phone number"), max_length=4, blank=True)
    device = models.CharField(_("device"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "device"], name="signin_once_per_device"),
            models.UniqueConstraint(fields=["session", "phone_last4"], condition=~models.Q(phone_last4=""),
                                    name="signin_once_per_phone"),
            models.UniqueConstraint(fields=["session", "member"], condition=models.Q(member__isnull=False),
                                    name="signin_member_once"),
        ]

    def __str__(self):
        return self.name
