"""Proposals (提案) from submission to evaluation, and public-opinion information (社情民意).

The chain (安庆): 提出 → 审查 → 立案 → 交办 → 办理 → 督办 → 评价. Every move is one service in
``proposals.services``; the models only hold state."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from members.models import Member
from organizations.models import Body, OrgScopedModel, OrgUnit
from portal.concurrency import VersionedModel
from portal.files import private_upload_to


class ProposalKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    JOINT = "joint", _("Joint (联名)")
    SECTOR = "sector", _("Sector (界别)")
    COMMITTEE = "committee", _("Special committee (专委会)")
    PARTY = "party", _("Participating party (党派)")


class ProposalCategory(models.TextChoices):
    ECONOMY = "economy", _("Economy")
    SOCIETY = "society", _("Society and livelihood")
    EDUCATION = "education", _("Education, science and culture")
    HEALTH = "health", _("Health")
    URBAN = "urban", _("Urban construction and management")
    AGRICULTURE = "agriculture", _("Agriculture and rural areas")
    ENVIRONMENT = "environment", _("Ecology and environment")
    GOVERNANCE = "governance", _("Governance and rule of law")
    OTHER = "other", _("Other")


class Publication(models.TextChoices):
    """The office's decision on publishing a proposal and its replies on the public site (是否公开)."""

    UNDECIDED = "", _("Not decided")
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Not public")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Under review")
    REGISTERED = "registered", _("Registered (立案)")
    NOT_REGISTERED = "not_registered", _("Not registered")
    MERGED = "merged", _("Merged (并案)")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ASSIGNING = "assigning", _("Pre-assigned (预交办)")
    HANDLING = "handling", _("Being handled")
    REPLIED = "replied", _("Replied, awaiting rating")
    CLOSED = "closed", _("Closed")


class NotRegisteredConversion(models.TextChoices):
    NONE = "", _("No conversion")
    OPINION = "opinion", _("Converted to a public-opinion item")
    LETTER = "letter", _("Converted to an opinion letter")


class Proposal(OrgScopedModel, VersionedModel):
    """A proposal (提案). `org_unit` is the CPPCC unit (city or county) that receives it.

    Statuses: draft (proposer edits, co-signers confirm) → submitted (review stages, see
    `review_stage`) → registered with a number | not_registered | merged → assigning (预交办) →
    handling (正式交办, departments reply) → replied (proposer rates) → closed. A dissatisfied
    rating sends it back to handling once (`reopened`)."""

    proposer = models.ForeignKey(Member, verbose_name=_("proposer"), on_delete=models.PROTECT,
                                 related_name="proposals")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"),
                                     on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ProposalKind.choices, default=ProposalKind.INDIVIDUAL)
    body = models.ForeignKey(Body, verbose_name=_("sector, committee or party"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    case = models.TextField(_("case (案由)"))
    analysis = models.TextField(_("analysis"), blank=True)
    suggestions = models.JSONField(_("suggestions"), default=list,
                                   help_text=_("Numbered suggestions, one per entry."))
    category = models.CharField(_("category"), max_length=20, choices=ProposalCategory.choices,
                                default=ProposalCategory.OTHER)
    status = models.CharField(_("status"), max_length=20, choices=ProposalStatus.choices,
                              default=ProposalStatus.DRAFT, db_index=True)
    term = models.CharField(_("term"), max_length=20, blank=True, help_text=_("e.g. 十五届"))
    session = models.CharField(_("session"), max_length=20, blank=True, help_text=_("e.g. 三次会议"))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    review_stage = models.PositiveSmallIntegerField(_("review stage"), default=0)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    not_registered_reason = models.TextField(_("reason for not registering"), blank=True)
    conversion = models.CharField(_("conversion"), max_length=20, choices=NotRegisteredConversion.choices,
                                  blank=True, default="")
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_proposals")
    is_key = models.BooleanField(_("key proposal (重点提案)"), default=False)
    supervising_leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("supervising leader"),
                                           null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    supervision_note = models.CharField(_("supervision note"), max_length=200, blank=True)
    reopened = models.BooleanField(_("reopened after dissatisfaction"), default=False)
    satisfaction_attitude = models.CharField(_("satisfaction with the attitude"), max_length=20, blank=True)
    satisfaction_result = models.CharField(_("satisfaction with the result"), max_length=20, blank=True)
    rating_comment = models.TextField(_("comment on the handling"), blank=True)
    # Event dates (the day it happened: the plenary or the date on the paper, the registration
    # meeting …), set by staff or today; the *_at timestamps below say when they were typed in.
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True, db_index=True)
    registered_on = models.DateField(_("registered on"), null=True, blank=True, db_index=True)
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, db_index=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("formally assigned"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    source_ref = models.CharField(_("source"), max_length=100, blank=True)
    entered_by_staff = models.BooleanField(
        _("entered by staff (代录)"), default=False,
        help_text=_("Handed in on paper and entered by proposal staff on the member's behalf; "
                    "`submitted_by` is the staff member."))
    # 是否公开: the proposer's wish on the proposal form, the office's decision when registering or
    # later. Public on the public site only when the proposer agreed AND the office decided "public";
    # the office may also keep the proposer's name off the public pages.
    publish_wish = models.BooleanField(
        _("the proposer agrees to publication"), default=True,
        help_text=_("Registered proposals and their replies may be published on the public site if the office agrees."))
    publication = models.CharField(_("publication"), max_length=10, choices=Publication.choices, blank=True,
                                   default=Publication.UNDECIDED, db_index=True)
    publish_proposer_name = models.BooleanField(_("show the proposer's name when published"), default=True)
    publication_decided_on = models.DateField(_("publication decided on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The words of title, case, analysis and suggestions for "similar earlier proposals"
    # (portal.similarity; GIN-indexed on PostgreSQL), written by the services.
    similarity_terms = models.TextField(_("similarity words"), editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "term", "session", "number"],
                                    condition=models.Q(number__isnull=False), name="proposal_unique_number"),
        ]
        indexes = [models.Index(fields=["org_path", "status"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("proposals:detail", args=[self.pk])

    @property
    def attitude_label(self):
        return Satisfaction(self.satisfaction_attitude).label if self.satisfaction_attitude else ""

    @property
    def result_label(self):
        return Satisfaction(self.satisfaction_result).label if self.satisfaction_result else ""

    @property
    def is_public(self) -> bool:
        return (self.publish_wish and self.publication == Publication.PUBLIC
                and self.status in PUBLISHABLE_STATUSES)

    @property
    def number_label(self) -> str:
        if self.number is None:
            return ""
        return f"{self.term}{self.session}第{self.number}号"


# Only registered proposals are ever published (never drafts, proposals under review, rejected,
# merged or withdrawn ones).
PUBLISHABLE_STATUSES = (ProposalStatus.REGISTERED, ProposalStatus.ASSIGNING, ProposalStatus.HANDLING,
                        ProposalStatus.REPLIED, ProposalStatus.CLOSED)


class CosignerStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


class Cosigner(models.Model):
    """A co-signer of a joint proposal (联名). The proposal cannot be submitted until every
    co-signer has confirmed (or been removed)."""

    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="cosigners")
    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.PROTECT, related_name="cosigned")
    status = models.CharField(_("status"), max_length=20, choices=CosignerStatus.choices,
                              default=CosignerStatus.PENDING)
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-signer")
        verbose_name_plural = _("co-signers")
        constraints = [models.UniqueConstraint(fields=["proposal", "member"], name="cosigner_unique")]

    def __str__(self):
        return f"{self.member} · {self.proposal}"


class NumberCounter(models.Model):
    """The last number given per unit, term and session. Registration locks this row, so
    concurrent registrations get consecutive numbers, never the same one and never a gap."""

    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    term = models.CharField(_("term"), max_length=20, blank=True)
    session = models.CharField(_("session"), max_length=20, blank=True)
    last = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("proposal number counter")
        verbose_name_plural = _("proposal number counters")
        constraints = [models.UniqueConstraint(fields=["org_unit", "term", "session"], name="counter_unique")]

    def __str__(self):
        return f"{self.org_unit_id} {self.term}{self.session} #{self.last}"


class AssignmentRole(models.TextChoices):
    MAIN = "main", _("Lead unit (主办)")
    CO = "co", _("Co-handler (协办)")


class AssignmentStatus(models.TextChoices):
    PRE = "pre", _("Pre-assigned, awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted")
    CONTESTED = "contested", _("Contested")
    ASSIGNED = "assigned", _("Assigned, being handled")
    REPLIED = "replied", _("Replied")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Assignment(models.Model):
    """One handling unit (承办单位) of a registered proposal: a lead unit or a co-handler. The
    department's handlers see the proposal only through an assignment of their unit."""

    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(_("unit path"), max_length=255, editable=False, db_index=True)
    role = models.CharField(_("role"), max_length=10, choices=AssignmentRole.choices, default=AssignmentRole.MAIN)
    status = models.CharField(_("status"), max_length=20, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.PRE)
    due_on = models.DateField(_("reply due"))
    contest_reason = models.TextField(_("reason for contesting"), blank=True)
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True, db_index=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["role", "id"]

    def __str__(self):
        return f"{self.unit} · {self.get_role_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in {AssignmentStatus.ASSIGNED}


class ContactMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    FORUM = "forum", _("Forum")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")


class Contact(models.Model):
    """A contact of the handling unit with the proposer — "不协商不答复": no reply without one."""

    assignment = models.ForeignKey(Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="contacts")
    method = models.CharField(_("method"), max_length=20, choices=ContactMethod.choices)
    contacted_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("contact with the proposer")
        verbose_name_plural = _("contacts with the proposer")
        ordering = ["contacted_on", "id"]

    def __str__(self):
        return f"{self.get_method_display()} {self.contacted_on}"


class ReplyClass(models.TextChoices):
    A = "A", _("A — solved or adopted")
    B = "B", _("B — being solved or planned")
    C = "C", _("C — kept for reference")


class Reply(models.Model):
    """The handling unit's reply. `lines` is the line-by-line 责任清单/结果清单: one entry per
    suggestion, ``{"suggestion": 1, "action": "…"}``. `round` is 2 after a reopening."""

    assignment = models.ForeignKey(Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="replies")
    round = models.PositiveSmallIntegerField(_("reply round"), default=1)
    reply_class = models.CharField(_("result class"), max_length=1, choices=ReplyClass.choices)
    text = models.TextField(_("reply"))
    lines = models.JSONField(_("per-suggestion actions"), default=list, blank=True)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    letter = models.FileField(_("signed reply letter"), upload_to=private_upload_to("proposals/replies"), blank=True)
    follow_up_on = models.DateField(_("follow-up review date"), null=True, blank=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    follow_up_note = models.TextField(_("follow-up result"), blank=True)
    replied_on = models.DateField(_("replied on"), default=timezone.localdate, db_index=True,
                                  help_text=_("The date of the reply letter."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["assignment", "round"], name="reply_unique_per_round")]

    def __str__(self):
        return f"{self.assignment} · {self.reply_class}"

    @property
    def class_meaning(self) -> str:
        """The result class without its letter ("正在解决或列入计划" for B), for pages and letters
        that show the letter separately."""
        return str(self.get_reply_class_display()).split("—")[-1].strip(" —")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    DISSATISFIED = "dissatisfied", _("Dissatisfied")


class SupervisionKind(models.TextChoices):
    MEETING = "meeting", _("Supervision meeting")
    VISIT = "visit", _("Site visit")
    OTHER = "other", _("Other")


class SupervisionRecord(models.Model):
    """A supervision meeting or site visit on a key proposal (领衔督办, every half month)."""

    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="supervisions")
    kind = models.CharField(_("kind"), max_length=20, choices=SupervisionKind.choices)
    held_on = models.DateField(_("date"))
    note = models.TextField(_("note"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("supervision record")
        verbose_name_plural = _("supervision records")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.held_on}"


ALLOWED_EXTENSIONS = {"pdf", "doc", "docx", "xls", "xlsx", "jpg", "jpeg", "png", "txt"}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class Attachment(models.Model):
    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=private_upload_to("proposals/files"))
    name = models.CharField(pgettext_lazy("object", "name"), max_length=200)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.name


# ── Evaluation (评议) ──────────────────────────────────────────────────────────────────────


class EvaluationStatus(models.TextChoices):
    OPEN = "open", _("Open for scoring")
    CLOSED = "closed", _("Closed, ranked")


class EvaluationRound(OrgScopedModel):
    """A two-way evaluation round (评议月): members score handling units, units score proposals.
    Closing ranks the units by the weighted mean of member scores and committee score; the top
    N are praised, the bottom N rectify with a written report."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    top_n = models.PositiveSmallIntegerField(_("praised (top N)"), default=5)
    bottom_n = models.PositiveSmallIntegerField(_("to rectify (bottom N)"), default=2)
    member_weight = models.PositiveSmallIntegerField(_("weight of member scores (%)"), default=70)
    status = models.CharField(_("status"), max_length=20, choices=EvaluationStatus.choices,
                              default=EvaluationStatus.OPEN)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        ordering = ["-year", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("proposals:evaluation", args=[self.pk])


class UnitScore(models.Model):
    """One member's (or the committee's) score of a handling unit, each criterion 0–10."""

    round = models.ForeignKey(EvaluationRound, verbose_name=_("evaluation round"), on_delete=models.CASCADE, related_name="unit_scores")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+")
    scorer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("scorer"), on_delete=models.PROTECT, related_name="+")
    by_committee = models.BooleanField(_("scored by the committee"), default=False)
    attention = models.PositiveSmallIntegerField(_("attention"))
    communication = models.PositiveSmallIntegerField(_("communication"))
    adoption = models.PositiveSmallIntegerField(_("adoption"))
    results = models.PositiveSmallIntegerField(_("results"))

    class Meta:
        verbose_name = _("handling-unit score")
        verbose_name_plural = _("handling-unit scores")
        constraints = [models.UniqueConstraint(fields=["round", "unit", "scorer"], name="unitscore_unique")]

    def __str__(self):
        return f"{self.unit_id}: {self.total}"

    @property
    def total(self) -> int:
        return self.attention + self.communication + self.adoption + self.results


class ProposalScore(models.Model):
    """A handling unit's score of a proposal it handled, each criterion 0–10."""

    round = models.ForeignKey(EvaluationRound, verbose_name=_("evaluation round"), on_delete=models.CASCADE, related_name="proposal_scores")
    proposal = models.ForeignKey(Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+")
    accuracy = models.PositiveSmallIntegerField(_("accuracy"))
    foresight = models.PositiveSmallIntegerField(_("foresight"))
    workability = models.PositiveSmallIntegerField(_("workability"))

    class Meta:
        verbose_name = _("proposal handling score")
        verbose_name_plural = _("proposal handling scores")
        constraints = [models.UniqueConstraint(fields=["round", "proposal", "unit"], name="proposalscore_unique")]

    def __str__(self):
        return f"{self.proposal_id}: {self.accuracy + self.foresight + self.workability}"


class Verdict(models.TextChoices):
    PRAISED = "praised", _("Praised")
    NONE = "", _("—")
    RECTIFY = "rectify", _("Must rectify with a written report")


class EvaluationResult(models.Model):
    round = models.ForeignKey(EvaluationRound, verbose_name=_("evaluation round"), on_delete=models.CASCADE, related_name="results")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Verdict.choices, blank=True, default="")
    rectification_report = models.TextField(_("rectification report"), blank=True)

    class Meta:
        verbose_name = _("evaluation result")
        verbose_name_plural = _("evaluation results")
        ordering = ["rank"]
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="evalresult_unique")]

    def __str__(self):
        return f"{self.rank}. {self.unit_id} {self.score}"


# ── Public-opinion information (社情民意) ───────────────────────────────────────────────────


class OpinionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REJECTED = "rejected", _("Not used")
    COMPILED = "compiled", _("Compiled into a bulletin")
    REPORTED = "reported", _("Reported upward")
    ADOPTED = "adopted", _("Adopted")


class AdoptionLevel(models.TextChoices):
    COUNTY = "county", _("County")
    CITY = "city", _("City")
    PROVINCE = "province", _("Province")
    NATIONAL = "national", _("National")


class Bulletin(OrgScopedModel):
    """One numbered issue of the 《社情民意》 bulletin of a CPPCC unit."""

    year = models.PositiveSmallIntegerField(_("year"))
    issue = models.PositiveSmallIntegerField(_("issue"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    published_on = models.DateField(_("published"))

    class Meta:
        verbose_name = _("bulletin issue")
        verbose_name_plural = _("bulletin issues")
        ordering = ["-year", "-issue"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "year", "issue"], name="bulletin_unique_issue")]

    def __str__(self):
        return f"《社情民意》{self.year}年第{self.issue}期"


class OpinionItem(OrgScopedModel, VersionedModel):
    """A public-opinion item (社情民意信息). `org_unit` is the CPPCC unit whose office screens it.

    submitted → compiled (into a bulletin) | rejected → reported (upward) → adopted (at one or
    more levels, see `adoptions`); leaders' instructions (批示) may follow at any point after
    reporting."""

    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("content"))
    submitter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT,
                                  related_name="+")
    member = models.ForeignKey(Member, verbose_name=_("member"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="opinion_items")
    source_point = models.CharField(_("liaison point / source"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=OpinionStatus.choices,
                              default=OpinionStatus.SUBMITTED, db_index=True)
    bulletin = models.ForeignKey(Bulletin, verbose_name=_("bulletin issue"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="items")
    screening_note = models.TextField(_("editor's note"), blank=True)
    reported_to = models.CharField(_("reported to"), max_length=100, blank=True)
    from_proposal = models.OneToOneField(Proposal, verbose_name=_("converted from proposal"), null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="opinion_item")
    source_ref = models.CharField(_("source"), max_length=100, blank=True)
    submitted_on = models.DateField(_("submitted on"), default=timezone.localdate, db_index=True)
    used_on = models.DateField(_("used on"), null=True, blank=True,
                               help_text=_("The day the office used it: compiled into a bulletin or reported."))
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)
    # The words of title and content for "similar earlier items" (portal.similarity).
    similarity_terms = models.TextField(_("similarity words"), editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("public-opinion item")
        verbose_name_plural = _("public-opinion items")
        ordering = ["-submitted_at", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("proposals:opinion", args=[self.pk])


class Adoption(models.Model):
    item = models.ForeignKey(OpinionItem, verbose_name=_("public-opinion item"), on_delete=models.CASCADE, related_name="adoptions")
    level = models.CharField(_("level"), max_length=20, choices=AdoptionLevel.choices)
    adopted_on = models.DateField(_("date"))
    by = models.CharField(_("adopted by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("public-opinion adoption")
        verbose_name_plural = _("public-opinion adoptions")
        ordering = ["adopted_on", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "level"], name="adoption_unique_level")]

    def __str__(self):
        return f"{self.get_level_display()} {self.adopted_on}"


class Instruction(models.Model):
    """A leader's instruction (批示) on an item. Items with instructions and instructions are
    counted separately ("31件42次")."""

    item = models.ForeignKey(OpinionItem, verbose_name=_("public-opinion item"), on_delete=models.CASCADE, related_name="instructions")
    leader = models.CharField(_("leader"), max_length=100)
    given_on = models.DateField(_("date"))
    text = models.TextField(_("instruction"))
    handling = models.TextField(_("handling and tracking"), blank=True)

    class Meta:
        verbose_name = _("leader's instruction")
        verbose_name_plural = _("leaders' instructions")
        ordering = ["given_on", "id"]

    def __str__(self):
        return f"{self.leader} {self.given_on}"
