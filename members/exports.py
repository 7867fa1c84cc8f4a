"""Excel and Word exports: the unit-wide ranking, the member's annual duty report (履职报告) and
the import template."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils.translation import gettext as _

from portal.documents import file_response

from .scoring import ESCALATION_LABELS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _response(data: bytes, content_type: str, filename: str) -> HttpResponse:
    return file_response(data, filename, content_type)


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
    from .documents import duty_report_bytes

    return _response(duty_report_bytes(member, year, score, entries), DOCX, f"{member.name}-{year}年-履职报告.docx")


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
    return _response(buf.getvalue(), XLSX, "委员信息导入模板.xlsx")
