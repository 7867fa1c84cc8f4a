"""Excel and Word exports: the unit-wide ranking, the member's annual duty report (履职报告) and
the import template."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils.translation import gettext as _

from .scoring import ESCALATION_LABELS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _response(data: bytes, content_type: str, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def ranking_xlsx(unit, year, scores) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = str(year)
    ws.append([_("Rank"), _("Name"), _("CPPCC unit"), _("Sector"), _("Points"), _("Annual minimum"),
               _("Short by"), _("Missing quotas"), _("Commended"), _("Next step")])
    for s in scores:
        ws.append([s.rank, s.member.name, s.member.org_unit.name, s.member.sector.name if s.member.sector else "",
                   s.points, s.minimum, s.shortfall, "、".join(str(q) for q in s.missing_quotas),
                   _("yes") if s.commended else "", str(ESCALATION_LABELS.get(s.escalation, ""))])
    buf = io.BytesIO()
    wb.save(buf)
    return _response(buf.getvalue(), XLSX, f"{unit.name}-{year}-积分排名.xlsx")


def member_report_docx(member, year, score, entries) -> HttpResponse:
    from docx import Document

    doc = Document()
    doc.add_heading(_("%(name)s — duty report %(year)d") % {"name": member.name, "year": year}, level=1)
    doc.add_paragraph(f"{member.org_unit.name} · {member.get_level_display()} · {member.work_unit}")
    doc.add_paragraph(_("Points: %(points)d (annual minimum %(minimum)d)") % {
        "points": score.points, "minimum": score.minimum})
    if score.missing_quotas:
        doc.add_paragraph(_("Still owed this year: %(items)s") % {"items": "、".join(str(q) for q in score.missing_quotas)})
    table = doc.add_table(rows=1, cols=4)
    for cell, text in zip(table.rows[0].cells, [_("Date"), _("Activity"), _("Status"), _("Points")], strict=True):
        cell.text = str(text)
    for record, points in entries:
        row = table.add_row().cells
        row[0].text = record.occurred_on.isoformat()
        row[1].text = f"{record.kind_label}：{record.title}"
        row[2].text = str(record.get_status_display())
        row[3].text = str(points)
    buf = io.BytesIO()
    doc.save(buf)
    return _response(buf.getvalue(), DOCX, f"{member.name}-{year}-履职报告.docx")


def import_template_xlsx() -> HttpResponse:
    from openpyxl import Workbook

    from .importer import TEMPLATE_HEADER

    wb = Workbook()
    ws = wb.active
    ws.append(TEMPLATE_HEADER)
    ws.append(["张三", "340602198001010011", "男", "区级", "第十五届", "教育界", "", "民进", "第一中学", "教师",
               "13900000000", "教育,法律", "三堤口街道"])
    buf = io.BytesIO()
    wb.save(buf)
    return _response(buf.getvalue(), XLSX, "members-import-template.xlsx")
