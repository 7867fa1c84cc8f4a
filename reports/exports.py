"""The files of export jobs, written by Celery workers: Excel in xlsxwriter's constant-memory
mode (rows are streamed from the database and flushed row by row) with a print setup
(portal.spreadsheets), and the Word annual report pack (年度工作报告素材, pack.py) rendered with
docxtpl from a template staff can edit in Word."""

from __future__ import annotations

import io
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from portal.errors import GuardFailed
from portal.spreadsheets import HEADER_ROW

from .periods import Period

DEFAULT_TEMPLATE = Path(__file__).resolve().parent / "docx" / "annual_pack.docx"
PROGRESS_EVERY = 500


def build(job, path: str, *, progress) -> str:
    """Write the job's file to `path`; return the file name users download. Its reads go to the
    read replica when one is configured (portal/replica.py); the progress writes to default."""
    from portal.replica import replica_reads

    from .models import ExportKind

    language = job.params.get("language") or "zh-hans"
    with replica_reads(), override(language):
        if job.kind == ExportKind.DASHBOARD:
            return _dashboard_xlsx(job, path, progress)
        if job.kind == ExportKind.RECORDS:
            return _records_xlsx(job, path, progress)
        if job.kind == ExportKind.WORD_PACK:
            return _word_pack(job, path, progress)
    raise GuardFailed(_("Unknown kind of export."))


def _value_cell(metric, values: dict[str, float], pk: int):
    """A figure for the sheet: the number itself, or "—" for a rate over nothing (0/0)."""
    from .pack import is_rate, parts_of

    value = values[metric.key][pk]
    parts = parts_of(metric) if is_rate(metric) else None
    if parts and not values.get(parts[1], {}).get(pk):
        return "—"
    return int(value) if float(value).is_integer() else round(value, 1)


def _header_label(metric) -> str:
    from .pack import is_rate, unit_of

    unit = "%" if is_rate(metric) else unit_of(metric)
    label = str(metric.label)
    return f"{label}（{unit}）" if unit and "（" not in label else label


def _dashboard_xlsx(job, path, progress) -> str:
    from portal.spreadsheets import Workbook

    from .pack import is_rate, unit_of
    from .selectors import dashboard_for

    period = Period.from_params(job.params["period"])
    board = dashboard_for(unit=job.org_unit, period=period)
    progress(0, 1 + len(board.rows))
    unit = job.org_unit
    as_of = timezone.localtime(board.as_of).strftime("%Y-%m-%d %H:%M")
    values = {c.metric.key: {unit.pk: c.value} for s in board.sections for c in s.cells}
    for row in board.rows:
        for c in row.cells:
            values[c.metric.key][row.unit.pk] = c.value
    book = Workbook(path)
    summary = book.sheet(_("Summary"), title=f"{unit.name}{period.label}数据报表（汇总）", as_of=as_of,
                         header=[_("Section"), _("Metric"), _("Value"), _("Unit of measure")], widths=[18, 40, 12, 10])
    index = HEADER_ROW + 1
    for section in board.sections:
        for cell in section.cells:
            book.row(summary, index, [section.label, str(cell.metric.label), _value_cell(cell.metric, values, unit.pk),
                                      "%" if is_rate(cell.metric) else unit_of(cell.metric)])
            index += 1
    progress(1)
    # One sheet per section, so the unit column is on every printed page and a page fits its width.
    children_label = _("Subordinate units")
    for section in board.sections:
        metrics = [c.metric for c in section.cells]
        sheet = book.sheet(f"{children_label}-{section.label}",
                           title=f"{unit.name}{period.label}下级单位情况（{section.label}）", as_of=as_of,
                           header=[_("Unit")] + [_header_label(m) for m in metrics],
                           widths=[22] + [max(10, min(18, len(_header_label(m)) * 1.6)) for m in metrics])
        for i, child in enumerate(board.rows, start=HEADER_ROW + 1):
            book.row(sheet, i, [child.unit.name] + [_value_cell(m, values, child.unit.pk) for m in metrics])
    book.close()
    progress(1 + len(board.rows))
    return f"{unit.name}-{period.label}-数据报表.xlsx"


def _records_xlsx(job, path, progress) -> str:
    from portal.spreadsheets import Workbook

    from .selectors import metric_or_404, records_for

    period = Period.from_params(job.params["period"])
    metric = metric_or_404(job.params["metric"])
    qs = records_for(user=job.requested_by, unit=job.org_unit, metric=metric, period=period)
    total = qs.count()
    progress(0, total)
    has_unit = any(f.name == "org_unit" for f in qs.model._meta.get_fields())
    book = Workbook(path)
    sheet = book.sheet(str(metric.label), title=f"{job.org_unit.name}{period.label}{metric.label}明细（共{total}条）",
                       as_of=timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M"),
                       header=["序号", _("Record"), _("Unit")], widths=[8, 60, 24], landscape=False)
    for i, obj in enumerate(qs.iterator(chunk_size=2000), start=1):
        book.row(sheet, HEADER_ROW + i, [i, str(obj), obj.org_unit.name if has_unit else job.org_unit.name])
        if i % PROGRESS_EVERY == 0:
            progress(i)
    book.close()
    progress(total)
    return f"{job.org_unit.name}-{period.label}-{metric.label}-明细.xlsx"


SAMPLE_CONTEXT = {
    "unit_name": "示例区", "body_name": "示例区政协", "period_label": "2026年", "last_period_label": "2025年",
    "as_of": "2026-01-01 00:00", "as_of_date": "2026年1月1日", "today": "2026年1月1日",
    "sections": [{"label": "委员", "heading": "一、委员", "prose": "2026年，示例区政协……", "chart": "",
                  "table": [{"label": "在册委员", "value": "1人", "last": "—", "change": "—", "quota": "—"}],
                  "entries": [{"label": "在册委员", "value": "1", "unit": "人"}]}],
    "children": [{"name": "示例街道", "values": ["1"], "cells": [{"label": "在册委员", "value": "1"}]}],
    "children_header": ["在册委员（人）"], "children_total": ["1"], "children_table": "",
    "children_heading": "二、下级单位情况", "cases": [{"title": "示例议题", "unit": "示例街道", "text": "示例结果"}],
    "cases_heading": "三、典型案例",
}


def _render(template_source, context) -> bytes:
    from docxtpl import DocxTemplate

    from .pack import attach_images

    doc = DocxTemplate(template_source)
    if "sections" in context and context is not SAMPLE_CONTEXT:
        context = attach_images(doc, context)
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
    from .services import template_for

    period = Period.from_params(job.params["period"])
    progress(0, 2)
    context = pack_for(job.org_unit, period)
    progress(1)
    template = template_for(job.org_unit)
    if template is not None:
        with template.file.open("rb") as handle:
            data = _render(io.BytesIO(handle.read()), context)
    else:
        data = _render(str(DEFAULT_TEMPLATE), context)
    Path(path).write_bytes(data)
    progress(2)
    return f"{job.org_unit.name}-{period.label}-年度工作报告素材.docx"


def pack_for(unit, period: Period, *, charts: bool = True) -> dict:
    """The report pack's context for `unit` over `period` (see pack.py)."""
    from portal.metrics import CASE_SOURCES, QUOTAS

    from .pack import pack_context, shifted_year
    from .selectors import dashboard_for, numbers_for

    board = dashboard_for(unit=unit, period=period)
    last = numbers_for([unit], shifted_year(period))
    last_values = {key: per_unit[unit.pk] for key, per_unit in last.values.items()}
    quotas = {key: func(unit, period.start.year) for key, func in QUOTAS.items()}
    cases = [case for source in CASE_SOURCES for case in source(unit, period.start, period.end)]
    return pack_context(board, last_year_values=last_values, quotas=quotas, cases=cases, charts=charts)


def build_default_template(path: Path = DEFAULT_TEMPLATE) -> None:
    """(Re)create the built-in template (official layout, GB/T 9704-2012). Staff download it, edit
    it in Word and upload it back; the {{ }}, {%p %} and {%tr %} tags are docxtpl's (Jinja) and
    must stay whole. `python -c "from reports.exports import build_default_template as b; b()"`."""
    from portal import documents as layout

    doc = layout.new_document(layout.OFFICIAL)
    layout.centered_title(doc, "{{ body_name }}{{ period_label }}工作报告素材")
    layout.body_paragraph(doc, "（数据截至{{ as_of_date }}）", indent=False).alignment = 1
    doc.add_paragraph("{%p for s in sections %}")
    doc.add_paragraph("{{ s.heading }}", style="Heading 2")
    layout.body_paragraph(doc, "{{ s.prose }}")
    doc.add_paragraph("{%p if s.table %}")
    layout.table(doc, ["指标", "{{ period_label }}", "{{ last_period_label }}", "比上年", "年度任务"], [
        ["{%tr for r in s.table %}", "", "", "", ""],
        ["{{ r.label }}", "{{ r.value }}", "{{ r.last }}", "{{ r.change }}", "{{ r.quota }}"],
        ["{%tr endfor %}", "", "", "", ""],
    ], widths_mm=[46, 34, 34, 21, 21], font_pt=11)
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p if s.chart %}")
    chart = doc.add_paragraph("{{ s.chart }}")
    chart.alignment = 1
    chart.paragraph_format.line_spacing = 1.0  # a fixed line pitch would crop the picture to one line
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p if children %}")
    doc.add_paragraph("{{ children_heading }}", style="Heading 2")
    doc.add_paragraph("{{p children_table }}")
    layout.body_paragraph(doc, "注：数字按本单位及全部下级单位汇总；“—”表示为零或无可计算的数据；比率后括号内为分子/分母。",
                          indent=False)
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p if cases %}")
    doc.add_paragraph("{{ cases_heading }}", style="Heading 2")
    doc.add_paragraph("{%p for c in cases %}")
    layout.body_paragraph(doc, "{{ loop.index }}. {{ c.title }}（{{ c.unit }}）：{{ c.text }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("")
    layout.signature(doc, "{{ body_name }}", "{{ today }}")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
