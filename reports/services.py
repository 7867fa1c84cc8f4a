"""Writes of the reports: snapshot refresh, export jobs, the Word template, monthly e-mails."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import tempfile

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from organizations import permissions
from organizations.models import OrgUnit, UnitKind
from portal.audit import audit_log
from portal.errors import GuardFailed

from .models import ACTIVE_STATUSES, ExportJob, ExportKind, ExportStatus, ReportTemplate, UnitFact
from .periods import Period, standard_periods
from .selectors import REPORT_EDIT_ROLES, REPORT_ROLES, compute_direct

log = logging.getLogger(__name__)


# --- Summary tables --------------------------------------------------------------------------

# The big roll-ups: dashboards of a province, city, county or township read the snapshot. Below
# (villages, compounds, grids), subtrees are small and computed directly; keeping them out keeps
# the summary table at a few rows per township instead of per village.
SNAPSHOT_KINDS = (UnitKind.PROVINCE, UnitKind.CITY, UnitKind.COUNTY, UnitKind.TOWNSHIP, UnitKind.DEPARTMENT)


def facts_refresh(*, periods: list[Period] | None = None, keys=None) -> int:
    """Recompute every metric for every active unit over the standard periods and upsert the
    snapshot rows. One metric call per period covers all units (the metric contract), so the
    cost does not grow with the number of units beyond the in-memory attribution."""
    periods = periods or standard_periods(timezone.localdate())
    units = list(OrgUnit.objects.filter(is_active=True, kind__in=SNAPSHOT_KINDS).only("pk", "path"))
    now = timezone.now()
    written = 0
    for period in periods:
        values = compute_direct(units, period.start, period.end, keys)
        rows = [
            UnitFact(org_unit_id=u.pk, org_path=u.path, metric=key, period_start=period.start,
                     period_end=period.end, value=per_unit[u.pk], computed_at=now)
            for key, per_unit in values.items() for u in units
        ]
        with transaction.atomic():
            UnitFact.objects.bulk_create(
                rows, batch_size=2000, update_conflicts=True,
                unique_fields=["org_unit", "metric", "period_start", "period_end"],
                update_fields=["value", "computed_at", "org_path"],
            )
        written += len(rows)
    return written


# --- Export jobs ---------------------------------------------------------------------------

STALE_AFTER = datetime.timedelta(minutes=30)
KEEP_FILES = datetime.timedelta(days=7)


def exports_purge(*, now=None) -> int:
    """Delete export jobs (and their files) older than a week; run daily by beat."""
    now = now or timezone.now()
    old = list(ExportJob.objects.filter(created_at__lt=now - KEEP_FILES).only("pk", "file"))
    for job in old:
        if job.file:
            job.file.delete(save=False)
    ExportJob.objects.filter(pk__in=[j.pk for j in old]).delete()
    return len(old)


def _fingerprint(kind: str, unit: OrgUnit, params: dict) -> str:
    raw = json.dumps({"kind": kind, "unit": unit.pk, **params}, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def export_request(*, actor, unit: OrgUnit, kind: str, params: dict) -> tuple[ExportJob, bool]:
    """Queue an export, or return the same request's job that is still queued or running.
    Returns (job, created)."""
    permissions.require_role(actor, REPORT_ROLES, unit)
    if kind not in ExportKind.values:
        raise GuardFailed(_("Unknown kind of export."))
    fingerprint = _fingerprint(kind, unit, params)
    existing = ExportJob.objects.filter(requested_by=actor, fingerprint=fingerprint,
                                        status__in=ACTIVE_STATUSES).first()
    if existing is not None and existing.created_at >= timezone.now() - STALE_AFTER:
        return existing, False
    if existing is not None:  # its worker was lost: give up on it, so it does not block forever
        ExportJob.objects.filter(pk=existing.pk, status__in=ACTIVE_STATUSES).update(
            status=ExportStatus.FAILED, error=_("The export took too long and was stopped; please try again."),
            finished_at=timezone.now())
    try:
        with transaction.atomic():
            job = ExportJob.objects.create(requested_by=actor, org_unit=unit, kind=kind, params=params,
                                           fingerprint=fingerprint)
            audit_log(actor=actor, action="reports.export_request", target=job,
                      after={"kind": kind, "unit": unit.pk, **params})
    except IntegrityError:  # the same request raced us: reuse its job
        return ExportJob.objects.get(requested_by=actor, fingerprint=fingerprint, status__in=ACTIVE_STATUSES), False
    from .tasks import run_export

    transaction.on_commit(lambda: run_export.delay(job.pk))
    return job, True


def export_progress(job_id: int, done: int, total: int | None = None) -> None:
    fields = {"progress": done}
    if total is not None:
        fields["total"] = total
    ExportJob.objects.filter(pk=job_id).update(**fields)


def export_run(job_id: int) -> None:
    """Build the file of a job in a temporary file; only a complete file is attached. Any
    failure marks the job failed with no file, so nothing partial is ever offered."""
    from . import exports

    job = ExportJob.objects.select_related("org_unit", "requested_by").filter(pk=job_id).first()
    if job is None or job.status not in ACTIVE_STATUSES:
        return
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)
    fd, tmp_path = tempfile.mkstemp(suffix=".part")
    os.close(fd)
    try:
        filename = exports.build(job, tmp_path, progress=lambda done, total=None: export_progress(job.pk, done, total))
        with open(tmp_path, "rb") as handle:
            job.refresh_from_db(fields=["progress", "total"])
            job.file.save(filename, File(handle), save=False)
        job.filename = filename
        job.status = ExportStatus.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "filename", "status", "finished_at"])
    except Exception as exc:  # noqa: BLE001 - any failure: no partial file, a clear message
        log.exception("export %s failed", job.pk)
        if job.file:
            job.file.delete(save=False)
        with translation.override(job.params.get("language") or settings.LANGUAGE_CODE):
            message = str(exc) if isinstance(exc, GuardFailed) else _("The export failed; please try again.")
        ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, file="", error=message,
                                                   finished_at=timezone.now())
    finally:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)


# --- Word template -------------------------------------------------------------------------

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


def template_upload(*, actor, unit: OrgUnit, upload) -> ReportTemplate:
    """Replace the annual report pack template of `unit`'s subtree with an uploaded .docx,
    after proving it renders with sample data."""
    permissions.require_role(actor, REPORT_EDIT_ROLES, unit)
    from .exports import check_template

    if upload.size > MAX_TEMPLATE_BYTES:
        raise GuardFailed(_("The template is larger than 5 MB."), field="file")
    check_template(upload)
    upload.seek(0)
    with transaction.atomic():
        template = ReportTemplate.objects.select_for_update().filter(org_unit=unit).first()
        before = {"file": template.file.name} if template else None
        if template is None:
            template = ReportTemplate(org_unit=unit, uploaded_by=actor)
        old_name = template.file.name if template.file else None
        template.uploaded_by = actor
        template.file.save(os.path.basename(upload.name) or "template.docx", upload, save=False)
        template.save()
        audit_log(actor=actor, action="reports.template_upload", target=template, before=before,
                  after={"file": template.file.name})
    if old_name and old_name != template.file.name:
        transaction.on_commit(lambda: template.file.storage.delete(old_name))
    return template


def template_reset(*, actor, unit: OrgUnit) -> None:
    permissions.require_role(actor, REPORT_EDIT_ROLES, unit)
    with transaction.atomic():
        template = ReportTemplate.objects.select_for_update().filter(org_unit=unit).first()
        if template is None:
            raise GuardFailed(_("This unit uses the built-in template already."))
        name = template.file.name
        audit_log(actor=actor, action="reports.template_reset", target=template, before={"file": name})
        template.delete()
    transaction.on_commit(lambda: template.file.storage.delete(name))


def template_for(unit: OrgUnit) -> ReportTemplate | None:
    """The nearest template uploaded at the unit or an ancestor."""
    return (ReportTemplate.objects.filter(org_unit_id__in=unit.ancestor_ids)
            .order_by("-org_unit__depth").first())
