"""Members (委员), their postings and the duty file (履职档案) every workflow feeds."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.models import Body, OrgScopedModel, OrgUnit
from portal.concurrency import VersionedModel
from portal.files import private_upload_to


class MemberLevel(models.TextChoices):
    NATIONAL = "national", _("National CPPCC")
    PROVINCE = "province", _("Provincial CPPCC")
    CITY = "city", _("City CPPCC")
    COUNTY = "county", _("County CPPCC")


class Member(OrgScopedModel, VersionedModel):
    """A committee member (政协委员). `org_unit` is the CPPCC unit (city or county) whose member
    they are; their `level` is separate from where they are posted (a workroom may hold members
    of three levels). `id_key` is the identity key (ID-card style) that makes duplicates
    impossible."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("user account"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="member")
    name = models.CharField(_("name"), max_length=60)
    id_key = models.CharField(_("identity key"), max_length=40, unique=True,
                              help_text=_("ID-card number or another unique key; prevents duplicates."))
    gender = models.CharField(_("gender"), max_length=10, blank=True,
                              choices=[("m", _("male")), ("f", _("female"))])
    level = models.CharField(_("level"), max_length=20, choices=MemberLevel.choices, default=MemberLevel.COUNTY)
    term = models.CharField(_("term"), max_length=40, blank=True, help_text=_("e.g. 第十五届"))
    sector = models.ForeignKey(Body, verbose_name=_("sector"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="sector_members")
    committees = models.ManyToManyField(Body, verbose_name=_("special committees"), blank=True,
                                        related_name="committee_members")
    party = models.CharField(_("party affiliation"), max_length=40, blank=True)
    work_unit = models.CharField(_("work unit"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    expertise = models.CharField(_("expertise"), max_length=200, blank=True,
                                 help_text=_("Comma-separated tags, e.g. 法律,教育"))
    is_standing = models.BooleanField(_("standing committee member"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(
        _("member since"), default=timezone.localdate,
        help_text=_("When the member took office; duty minimums and escalations count from this day."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["org_path", "name"]

    def __str__(self):
        return self.name

    @property
    def expertise_tags(self) -> list[str]:
        return [t.strip() for t in self.expertise.replace("，", ",").split(",") if t.strip()]


class PostingBasis(models.TextChoices):
    RESIDENCE = "residence", _("Residence")
    WORKPLACE = "workplace", _("Workplace")
    EXPERTISE = "expertise", _("Expertise")
    WISH = "wish", _("Own wish")


class Posting(OrgScopedModel):
    """A member posted to a township or community (下沉). Many at once are normal."""

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="postings")
    basis = models.CharField(_("basis"), max_length=20, choices=PostingBasis.choices, default=PostingBasis.RESIDENCE)
    started_on = models.DateField(_("since"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        constraints = [
            models.UniqueConstraint(fields=["member", "org_unit"], name="posting_unique_member_unit"),
        ]

    def __str__(self):
        return f"{self.member} → {self.org_unit}"


class DutyStatus(models.TextChoices):
    AUTO = "auto", _("Recorded automatically")
    PENDING = "pending", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DutyRecord(OrgScopedModel):
    """One entry of a member's duty file (履职档案).

    Workflows add entries through ``members.services.duty_record_add`` with their record as the
    `source`, so nothing is typed twice and the same activity is never counted twice (unique on
    member, kind and source). Manual entries (a deed, a speech) have no source and await a
    clerk's verification. `org_unit` is the member's CPPCC unit, so rankings scope like members.
    `kind` is a code from the registry in ``members.duty``."""

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="duty_records")
    kind = models.CharField(_("activity kind"), max_length=40, db_index=True)
    occurred_on = models.DateField(_("date"), db_index=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=DutyStatus.choices, default=DutyStatus.AUTO)
    source_type = models.ForeignKey(ContentType, verbose_name=_("source type"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_id = models.CharField(_("source ID"), max_length=64, blank=True, default="")
    activity_unit = models.ForeignKey(OrgUnit, verbose_name=_("where"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    evidence = models.FileField(_("evidence"), upload_to=private_upload_to("duty"), blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("entered by"), null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("duty record")
        verbose_name_plural = _("duty records")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member", "kind", "source_type", "source_id"],
                                    condition=models.Q(source_id__gt=""), name="duty_unique_per_source"),
        ]
        indexes = [models.Index(fields=["member", "occurred_on"])]

    def __str__(self):
        return f"{self.member} · {self.title}"

    @property
    def kind_label(self):
        from .duty import label_of

        return label_of(self.kind)

    @property
    def counts(self) -> bool:
        return self.status in COUNTED_STATUSES


COUNTED_STATUSES = (DutyStatus.AUTO, DutyStatus.VERIFIED)


class ScoringPlan(OrgScopedModel, VersionedModel):
    """Scoring rules of one CPPCC unit for one year (积分规则): points per activity kind, the
    annual minimum, the "四个一" quota and the commendation / interview thresholds. Units
    without a plan inherit the nearest ancestor's plan for the year."""

    year = models.PositiveSmallIntegerField(_("year"))
    annual_minimum = models.PositiveIntegerField(_("annual minimum points"), default=15)
    require_four_ones = models.BooleanField(
        _("require the “four ones”"), default=True,
        help_text=_("At least one research, one proposal, one public-opinion item and one deed a year."))
    commend_top_percent = models.PositiveSmallIntegerField(_("commend the top (%)"), default=10)
    interview_bottom = models.PositiveSmallIntegerField(_("interview the bottom (members)"), default=5)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("scoring plan")
        verbose_name_plural = _("scoring plans")
        ordering = ["org_path", "-year"]
        constraints = [models.UniqueConstraint(fields=["org_unit", "year"], name="scoringplan_unique_unit_year")]

    def __str__(self):
        return f"{self.org_unit} {self.year}"


class ScoringRule(models.Model):
    """Points for one activity kind from `valid_from` on (a rule changed mid-year is a second
    rule with a later date; entries before it keep the earlier points)."""

    plan = models.ForeignKey(ScoringPlan, verbose_name=_("scoring plan"), on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("activity kind"), max_length=40)
    points = models.IntegerField(_("points"))
    valid_from = models.DateField(_("valid from"))

    class Meta:
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")
        ordering = ["kind", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["plan", "kind", "valid_from"], name="scoringrule_unique")]

    def __str__(self):
        return f"{self.kind} {self.points}"


class MemberYearScore(models.Model):
    """A member's duty score of one year as members.scoring computes it (kept current by
    members.score_table on every change of its inputs; `manage.py rebuild_member_scores` repairs
    it). No row: no counted entry that year."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="year_scores", verbose_name=_("member"))
    year = models.PositiveSmallIntegerField(_("year"))
    points = models.IntegerField(_("points"), default=0)
    by_kind = models.JSONField(_("points by duty kind"), default=dict)  # kind -> points
    counts = models.JSONField(_("entries by duty kind"), default=dict)  # kind -> counted entries
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("member's score of a year")
        verbose_name_plural = _("members' scores of a year")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="memberyearscore_unique")]
        indexes = [models.Index(fields=["year", "member"])]

    def __str__(self):
        return f"{self.member_id} {self.year}: {self.points}"


class MemberScoreMark(models.Model):
    """Scores to recompute, written in the transaction of the change that made them stale: one
    member (`member_id`) or every member under `path`, for `year` (empty: every year)."""

    member_id = models.IntegerField(_("member number"), null=True)
    path = models.CharField(_("unit path"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True)

    class Meta:
        verbose_name = _("score recomputation mark")
        verbose_name_plural = _("score recomputation marks")

    def __str__(self):
        return f"{self.member_id or self.path} {self.year or '*'}"


class WorkroomKind(models.TextChoices):
    WORKROOM = "workroom", _("Member workroom (委员工作室)")
    STATION = "station", _("Member station (委员工作站)")
    HOME = "home", _("Members' home (委员之家)")
    ACTIVITY_ROOM = "activity_room", _("Member activity room (委员活动室)")


class LeadType(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual member")
    SECTOR_GROUP = "sector_group", _("Sector activity group")
    LIAISON_GROUP = "liaison_group", _("Liaison group")
    EMPLOYER = "employer", _("Member's employer")


class WorkroomStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    PLAQUED = "plaqued", _("Plaque awarded")
    REJECTED = "rejected", _("Rejected")
    REVOKED = "revoked", _("Revoked")


class Workroom(OrgScopedModel, VersionedModel):
    """A 委员工作室 / 工作站 / 委员之家. `org_unit` is where it is (township, community or the
    county itself); `last_activity_on` is kept by the activity log so idle rooms are found
    with one indexed predicate."""

    name = models.CharField(pgettext_lazy("object", "name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=WorkroomKind.choices, default=WorkroomKind.WORKROOM)
    lead_type = models.CharField(_("lead type"), max_length=20, choices=LeadType.choices,
                                 default=LeadType.LIAISON_GROUP)
    lead_member = models.ForeignKey(Member, verbose_name=_("lead member"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="led_workrooms")
    members = models.ManyToManyField(Member, verbose_name=_("members"), blank=True, related_name="workrooms")
    place = models.CharField(_("place"), max_length=200, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    reception_days = models.CharField(_("reception days"), max_length=200, blank=True,
                                      help_text=_("e.g. every Wednesday; the 15th of each month"))
    standard = models.CharField(_("standard"), max_length=300, blank=True, help_text=_("e.g. 五有, 六上墙"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=WorkroomStatus.choices,
                              default=WorkroomStatus.APPLIED, db_index=True)
    plaqued_on = models.DateField(_("plaque awarded on"), null=True, blank=True)
    last_checked_on = models.DateField(_("last annual check"), null=True, blank=True)
    last_check_passed = models.BooleanField(_("last check passed"), null=True, blank=True)
    last_activity_on = models.DateField(_("last activity"), null=True, blank=True, db_index=True)
    approved_on = models.DateField(pgettext_lazy("workroom", "approved on"), null=True, blank=True,
                                   help_text=_("Idle days count from this day until the first activity."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    source_ref = models.CharField(_("source reference"), max_length=20, blank=True, editable=False)

    class Meta:
        verbose_name = _("workroom")
        verbose_name_plural = _("workrooms")
        ordering = ["org_path", "name"]

    def __str__(self):
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status in (WorkroomStatus.APPROVED, WorkroomStatus.PLAQUED)


class WorkroomActivity(models.Model):
    workroom = models.ForeignKey(Workroom, verbose_name=_("workroom"), on_delete=models.CASCADE, related_name="activities")
    occurred_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    participants = models.ManyToManyField(Member, verbose_name=_("participating members"), blank=True,
                                          related_name="+")
    residents = models.PositiveIntegerField(_("residents served"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("workroom activity")
        verbose_name_plural = _("workroom activities")
        ordering = ["-occurred_on", "-id"]

    def __str__(self):
        return self.title

    @property
    def org_path(self):
        return self.workroom.org_path


class ChecklistItem(OrgScopedModel):
    """One line of a unit's workroom standard (五有: 有场所, 有标志 …). Units below inherit the
    nearest ancestor's list."""

    label = models.CharField(_("item"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["org_path", "order", "id"]

    def __str__(self):
        return self.label


class ChecklistEvidence(models.Model):
    workroom = models.ForeignKey(Workroom, verbose_name=_("workroom"), on_delete=models.CASCADE, related_name="evidence")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("checklist item"), on_delete=models.CASCADE, related_name="+")
    file = models.FileField(_("evidence"), upload_to=private_upload_to("workrooms"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("checklist evidence")
        verbose_name_plural = _("checklist evidence")
        constraints = [models.UniqueConstraint(fields=["workroom", "item"], name="checklist_evidence_unique")]

    def __str__(self):
        return f"{self.workroom} · {self.item}"

    @property
    def org_path(self):
        return self.workroom.org_path


class NotableCategory(models.TextChoices):
    NOTABLE = "notable", _("Local notable (乡贤)")
    PARTY_REP = "party_rep", _("Party representative")
    PUBLIC_SERVANT = "public_servant", _("Public-servant representative")
    RESIDENT_REP = "resident_rep", _("Residents' representative")


class Notable(OrgScopedModel):
    """A person of the 乡贤人才库 who is not a committee member, kept per unit so sessions can
    draw participants by expertise and locality."""

    name = models.CharField(_("name"), max_length=60)
    category = models.CharField(_("category"), max_length=20, choices=NotableCategory.choices,
                                default=NotableCategory.NOTABLE)
    expertise = models.CharField(_("expertise"), max_length=200, blank=True,
                                 help_text=_("Comma-separated tags, e.g. 法律,教育"))
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("talent-pool person")
        verbose_name_plural = _("talent-pool people")
        ordering = ["org_path", "name"]

    def __str__(self):
        return self.name
