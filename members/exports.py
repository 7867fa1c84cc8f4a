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
    from django.utils import timezone

    from portal.spreadsheets import HEADER_ROW, Workbook

    points, minimum, short = _("Points"), _("Annual minimum"), _("Short by")
    book = Workbook()
    sheet = book.sheet(f"{year}", title=f"{unit.name}{year}年委员履职积分排名", header=[
        _("Rank"), _("Name"), _("CPPCC unit"), _("Sector"), f"{points}（分）", f"{minimum}（分）",
        f"{short}（分）", _("Missing quotas"), _("Commended"), _("Next step")],
        as_of=timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M"),
        widths=[6, 10, 16, 14, 10, 10, 10, 30, 8, 14])
    for i, s in enumerate(scores, start=HEADER_ROW + 1):
        book.row(sheet, i, [s.rank, s.member.name, s.member.org_unit.name, s.member.sector.name if s.member.sector else "",
                            s.points, s.minimum, s.shortfall, "、".join(str(q) for q in s.missing_quotas),
                            str(_("yes")) if s.commended else "", str(ESCALATION_LABELS.get(s.escalation, ""))])
    return _response(book.close(), XLSX, f"{unit.name}-{year}年-委员履职积分排名.xlsx")


def member_report_docx(member, year, score, entries) -> HttpResponse:
    from .documents import duty_report_bytes

    return _response(duty_report_bytes(member, year, score, entries), DOCX, f"{member.name}-{year}年-履职报告.docx")


def import_template_xlsx() -> HttpResponse:
    import xlsxwriter

    from .importer import TEMPLATE_HEADER

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet()
    ws.write_row(0, 0, TEMPLATE_HEADER, book.add_format({"bold": True}))
    ws.write_row(1, 0, ["张三", "340602198001010011", "男", "区级", "第十五届", "教育界", "", "民进", "第一中学", "教师",
                        "13900000000", "教育,法律", "三堤口街道"])
    ws.set_column(0, len(TEMPLATE_HEADER) - 1, 14)
    book.close()
    return _response(buffer.getvalue(), XLSX, "委员信息导入模板.xlsx")
