"""Members (委员), their postings and the duty file (履职档案) every workflow feeds."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.models import Body, OrgScopedModel, OrgUnit
from portal.concurrency import VersionedModel


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

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
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
    created_at = models.DateTimeField(auto_now_add=True)

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

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="postings")
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

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="duty_records")
    kind = models.CharField(_("activity kind"), max_length=40, db_index=True)
    occurred_on = models.DateField(_("date"), db_index=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=DutyStatus.choices, default=DutyStatus.AUTO)
    source_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_id = models.CharField(max_length=64, blank=True, default="")
    activity_unit = models.ForeignKey(OrgUnit, verbose_name=_("where"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    evidence = models.FileField(_("evidence"), upload_to="duty/%Y/", blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

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
