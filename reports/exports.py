"""The files of export jobs, written by Celery workers: Excel in xlsxwriter's constant-memory
mode (rows are streamed from the database and flushed row by row), and the Word annual report
pack (年度工作报告素材) rendered with docxtpl from a template staff can edit in Word."""

from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.errors import GuardFailed

from .periods import Period

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "docx" / "annual_pack.docx"
PROGRESS_EVERY = 500


def build(job, path: str, *, progress) -> str:
    """Write the job's file to `path`; return the file name users download."""
    from .models import ExportKind

    language = job.params.get("language") or "zh-hans"
    with override(language):
        if job.kind == ExportKind.DASHBOARD:
            return _dashboard_xlsx(job, path, progress)
        if job.kind == ExportKind.RECORDS:
            return _records_xlsx(job, path, progress)
        if job.kind == ExportKind.WORD_PACK:
            return _word_pack(job, path, progress)
    raise GuardFailed(_("Unknown kind of export."))


def _workbook(path):
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_urls": False})
    return workbook, workbook.add_format({"bold": True, "bg_color": "#E9ECEF"})


def _dashboard_xlsx(job, path, progress) -> str:
    from .selectors import dashboard_for

    period = Period.from_params(job.params["period"])
    board = dashboard_for(unit=job.org_unit, period=period)
    progress(0, 1 + len(board.rows))
    workbook, bold = _workbook(path)
    summary = workbook.add_worksheet(_("Summary")[:31])
    summary.write_row(0, 0, [_("Unit"), job.org_unit.name], bold)
    summary.write_row(1, 0, [_("Period"), period.label])
    summary.write_row(2, 0, [_("As of"), timezone.localtime(board.as_of).strftime("%Y-%m-%d %H:%M")])
    summary.write_row(4, 0, [_("Section"), _("Metric"), _("Value"), _("Unit of measure")], bold)
    row = 5
    for section in board.sections:
        for cell in section.cells:
            summary.write_row(row, 0, [section.label, str(cell.metric.label), cell.value, str(cell.metric.unit)])
            row += 1
    summary.set_column(0, 1, 28)
    progress(1)
    sheet = workbook.add_worksheet(_("Subordinate units")[:31])
    sheet.write_row(0, 0, [_("Unit")] + [str(m.label) for m in board.metrics], bold)
    for i, child in enumerate(board.rows, start=1):
        sheet.write_row(i, 0, [child.unit.name] + [c.value for c in child.cells])
        if i % PROGRESS_EVERY == 0:
            progress(1 + i)
    sheet.set_column(0, 0, 28)
    workbook.close()
    progress(1 + len(board.rows))
    return f"{job.org_unit.name}-{period.label}-{_('dashboard')}.xlsx"


def _records_xlsx(job, path, progress) -> str:
    from .selectors import metric_or_404, records_for

    period = Period.from_params(job.params["period"])
    metric = metric_or_404(job.params["metric"])
    qs = records_for(user=job.requested_by, unit=job.org_unit, metric=metric, period=period)
    total = qs.count()
    progress(0, total)
    has_unit = any(f.name == "org_unit" for f in qs.model._meta.get_fields())
    workbook, bold = _workbook(path)
    sheet = workbook.add_worksheet(str(metric.label)[:31])
    sheet.write_row(0, 0, ["#", _("Record"), _("Unit")], bold)
    for i, obj in enumerate(qs.iterator(chunk_size=2000), start=1):
        sheet.write_row(i, 0, [i, str(obj), obj.org_unit.name if has_unit else ""])
        if i % PROGRESS_EVERY == 0:
            progress(i)
    sheet.set_column(1, 2, 30)
    workbook.close()
    progress(total)
    return f"{job.org_unit.name}-{period.label}-{metric.key}.xlsx"


def pack_context(board) -> dict:
    return {
        "unit_name": board.unit.name,
        "period_label": board.period.label,
        "as_of": timezone.localtime(board.as_of).strftime("%Y-%m-%d %H:%M"),
        "sections": [
            {"label": s.label, "entries": [{"label": str(c.metric.label), "value": c.display, "unit": str(c.metric.unit)
                                          if str(c.metric.unit) != "%" else ""} for c in s.cells]}
            for s in board.sections
        ],
        "children": [
            {"name": r.unit.name, "cells": [{"label": str(c.metric.label), "value": c.display} for c in r.cells]}
            for r in board.rows
        ],
    }


SAMPLE_CONTEXT = {
    "unit_name": "示例区", "period_label": "2026年", "as_of": "2026-01-01 00:00",
    "sections": [{"label": "委员", "entries": [{"label": "在册委员", "value": "1", "unit": "人"}]}],
    "children": [{"name": "示例街道", "cells": [{"label": "在册委员", "value": "1"}]}],
}


def _render(template_source, context) -> bytes:
    from docxtpl import DocxTemplate

    doc = DocxTemplate(template_source)
    doc.render(context, autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def check_template(upload) -> None:
    """Refuse anything that is not a Word template that renders with sample data."""
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith(".docx"):
        raise GuardFailed(_("Upload a Word document (.docx)."), field="file")
    try:
        _render(io.BytesIO(upload.read()), SAMPLE_CONTEXT)
    except Exception as exc:  # noqa: BLE001 - docx/zip/jinja errors all mean the same to the user
        raise GuardFailed(_("This file is not a usable Word template: %(error)s") % {"error": str(exc)[:200]},
                          field="file") from exc


def _word_pack(job, path, progress) -> str:
    from .selectors import dashboard_for
    from .services import template_for

    period = Period.from_params(job.params["period"])
    progress(0, 2)
    board = dashboard_for(unit=job.org_unit, period=period)
    progress(1)
    template = template_for(job.org_unit)
    if template is not None:
        with template.file.open("rb") as handle:
            data = _render(io.BytesIO(handle.read()), pack_context(board))
    else:
        data = _render(str(DEFAULT_TEMPLATE), pack_context(board))
    Path(path).write_bytes(data)
    progress(2)
    return f"{job.org_unit.name}-{period.label}-年度工作报告素材.docx"


def build_default_template(path: Path = DEFAULT_TEMPLATE) -> None:
    """(Re)create the built-in template. Staff download it, edit it in Word and upload it back;
    the {{ }} and {%p %} tags are docxtpl's (Jinja) and must stay whole."""
    from docx import Document

    doc = Document()
    doc.add_heading("{{ unit_name }}{{ period_label }}工作报告素材", level=1)
    doc.add_paragraph("数据截至 {{ as_of }}。以下数字按本单位及全部下级单位汇总。")
    doc.add_paragraph("{%p for section in sections %}")
    doc.add_heading("{{ section.label }}", level=2)
    doc.add_paragraph("{%p for item in section.entries %}")
    doc.add_paragraph("{{ item.label }}：{{ item.value }}{{ item.unit }}", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading("下级单位情况", level=2)
    doc.add_paragraph("{%p for row in children %}")
    doc.add_paragraph("{{ row.name }}：{% for c in row.cells %}{{ c.label }} {{ c.value }}"
                      "{% if not loop.last %}；{% endif %}{% endfor %}。", style="List Bullet")
    doc.add_paragraph("{%p endfor %}")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
