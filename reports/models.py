"""Summary tables and export jobs of the reports (read-only over the domain records).

`UnitFact` is the summary the dashboards read: one value per unit × metric × period for every
period listed in `FactPeriod`, kept current by the beat task ``reports.refresh_facts`` (see
services.facts_refresh). A value always covers the unit's whole subtree, exactly as the metric
function computes it directly; zeros are not stored (a missing row reads as 0).

`FactMark` is what a write touched (source model, unit path, day): written in the write's own
transaction by the hook in marks.py, consumed by the refresh, which recomputes only the metrics of
that source × the periods holding that day × the units on that path, and writes only the rows
whose value changed.

`ExportJob` is a long export (Excel, Word pack) run by a Celery worker, never by a web worker.
Statuses: queued → running → done | failed. The same request (same user, same fingerprint) while
one is queued or running reuses it; a failed job keeps no file, so nothing partial is offered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.models import OrgScopedModel
from portal.files import private_upload_to


class UnitFact(OrgScopedModel):
    """统计快照: one metric's value for one unit's subtree over one period."""

    metric = models.CharField(_("metric"), max_length=80)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    value = models.FloatField(_("value"), default=0)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("unit fact")
        verbose_name_plural = _("unit facts")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "metric", "period_start", "period_end"],
                                    name="unitfact_unique_unit_metric_period"),
        ]
        indexes = [models.Index(fields=["period_start", "period_end", "metric"])]

    def __str__(self):
        return f"{self.metric} {self.period_start}..{self.period_end}: {self.value}"


class FactPeriod(models.Model):
    """A period the summary table covers, and the metrics it was built with (a metric added
    later is built on the next refresh and computed directly until then)."""

    kind = models.CharField(_("period kind"), max_length=10)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    metrics = models.JSONField(_("metrics"), default=list)
    # {metric key: fingerprint of its definition when built}: rows built by an older definition of
    # a metric (a fixed counting bug) are rebuilt on the next refresh and not shown meanwhile
    fingerprints = models.JSONField(_("fingerprints"), default=dict)
    built_at = models.DateTimeField(_("built at"))
    changed_at = models.DateTimeField(_("changed at"), null=True)  # last time a row of the period changed (cache key)

    class Meta:
        verbose_name = _("cached statistics period")
        verbose_name_plural = _("cached statistics periods")
        constraints = [models.UniqueConstraint(fields=["period_start", "period_end"], name="factperiod_unique")]

    def __str__(self):
        return f"{self.kind} {self.period_start}..{self.period_end}"


class FactMark(models.Model):
    """A change the summary table has not caught up with yet. `source` is a model label (or "*"
    for every metric); `day` is None when every period is touched; `subtree` when every unit
    below `path` is touched too. Not org-scoped on purpose: a mark keeps the path it was made on."""

    source = models.CharField(_("source"), max_length=100)
    path = models.CharField(_("unit path"), max_length=255)
    day = models.DateField(_("day"), null=True, blank=True)
    subtree = models.BooleanField(_("includes lower units"), default=False)
    # Of a model a distinct count reads (portal.metrics.Distinct), each save or delete also says which
    # counted record left (sign -1) or arrived (+1): `who` (the member) at `path` on `day`. A write
    # through records_changed() is not described row by row (`bulk`): the distinct counts it
    # touches are counted again.
    who = models.BigIntegerField(_("counted for"), null=True, blank=True)
    sign = models.SmallIntegerField(_("counted record arrived (+1) or left (-1)"), default=0)
    bulk = models.BooleanField(_("bulk write"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("statistics recount mark")
        verbose_name_plural = _("statistics recount marks")

    def __str__(self):
        return f"{self.source} {self.path} {self.day}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportKind(models.TextChoices):
    DASHBOARD = "dashboard", _("Dashboard (Excel)")
    RECORDS = "records", _("Record list (Excel)")
    WORD_PACK = "word_pack", _("Annual report pack (Word)")


ACTIVE_STATUSES = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class ExportJob(OrgScopedModel):
    """导出任务. `org_unit` is the unit the export covers; only its requester sees the job."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ExportKind.choices)
    params = models.JSONField(_("parameters"), default=dict)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveIntegerField(_("rows done"), default=0)
    total = models.PositiveIntegerField(_("rows in total"), default=0)
    file = models.FileField(_("file"), upload_to=private_upload_to("exports"), blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["requested_by", "fingerprint"],
                                    condition=models.Q(status__in=["queued", "running"]),
                                    name="exportjob_one_active_per_request"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        return int(100 * self.progress / self.total) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class ReportTemplate(OrgScopedModel):
    """A Word template (docxtpl) an office uploads to replace the built-in annual report pack
    template for its subtree. The nearest ancestor's template wins."""

    file = models.FileField(_("Word template"), upload_to=private_upload_to("report-templates"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        constraints = [models.UniqueConstraint(fields=["org_unit"], name="reporttemplate_one_per_unit")]

    def __str__(self):
        return str(self.file.name)


class MonthlyReportDelivery(OrgScopedModel):
    """One monthly report e-mailed to one county office: unique per unit and month, so the beat
    task can run again without sending twice."""

    month = models.DateField(_("month"))
    recipients = models.TextField(_("recipients"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("monthly report delivery")
        verbose_name_plural = _("monthly report deliveries")
        constraints = [models.UniqueConstraint(fields=["org_unit", "month"], name="monthlyreport_once_per_month")]

    def __str__(self):
        return f"{self.org_unit_id} {self.month:%Y-%m}"
