"""The export jobs' transition table (see portal/workflow.py for the row format): a job is queued
by its requester, started and finished (or failed) by the worker, and downloaded by its requester
only once its file is complete.

The worker's steps (``start``, ``finish``, ``fail``) belong to no user — no role holds them, so
no page ever offers them — and the service reads their states from the table
(``EXPORT.refusal(job, "start")``). ``download`` is the requester's; the export card and
``services.export_file`` read the same row; tests/reports/test_workflows.py proves both agree
for every user and state.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from organizations.permissions import has_role
from portal.workflow import Row, Workflow, register

from .models import ExportJob
from .models import ExportStatus as E


def file_complete(job):
    return None if job.file else _("The export failed; please try again.")


def _is_requester(user, job) -> bool:
    return bool(user.is_authenticated and job.requested_by_id == user.pk)


EXPORT = register(ExportJob, Workflow("export", [
    Row("start", E.RUNNING.label, {E.QUEUED, E.RUNNING}, (), E.RUNNING),   # the worker (again after a lost one)
    Row("finish", E.DONE.label, {E.RUNNING}, (), E.DONE),
    Row("fail", E.FAILED.label, {E.QUEUED, E.RUNNING}, (), E.FAILED),
    Row("download", _("Download"), {E.DONE}, ("@requester",), guard=file_complete),
], has_role=has_role, path=lambda job: job.org_path, relations={"requester": _is_requester}))
