"""The member's annual duty report (履职报告) as a Word document, rendered with docxtpl from a
template built with the plain working-document layout (portal.documents.PLAIN).

Only entries that count (recorded automatically or verified) are listed; entries still awaiting
verification are left out of the table and counted in one line under it, so a printed report
never shows points that may yet be refused. Rejected and withdrawn entries are not mentioned."""

from __future__ import annotations

import io

from django.utils import timezone
from docxtpl import DocxTemplate

from portal import documents as layout

from .models import DutyStatus

COLUMNS_MM = [22, 106, 12, 20]  # date, activity, points, status — 160 mm, the A4 text width


def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def duty_report_template_bytes() -> bytes:
    doc = layout.new_document(layout.PLAIN)
    layout.centered_title(doc, "{{ name }}委员{{ year }}年度履职报告")
    layout.body_paragraph(doc, "{{ profile }}", indent=False)
    layout.body_paragraph(doc, "{{ summary }}")
    doc.add_paragraph("{%p if owed %}")
    layout.body_paragraph(doc, "本年度尚需完成：{{ owed }}。")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("履职记录", style="Heading 2")
    layout.table(doc, ["日期", "履职事项", "积分", "状态"], [  # the year is in the title
        ["{%tr for e in entries %}", "", "", ""],
        ["{{ e.date }}", "{{ e.activity }}", "{{ e.points }}", "{{ e.status }}"],
        ["{%tr endfor %}", "", "", ""],
    ], widths_mm=COLUMNS_MM)
    doc.add_paragraph("{%p if pending %}")
    layout.body_paragraph(doc, "另有{{ pending }}项履职记录正在核实，核实后计入，本报告未列入。", indent=False)
    doc.add_paragraph("{%p endif %}")
    layout.body_paragraph(doc, "制表日期：{{ today }}", align_right=True)
    return layout.docx_bytes(doc)


def duty_report_context(member, year, score, entries) -> dict:
    counted = [(r, points) for r, points in entries if r.counts]
    counted.sort(key=lambda e: (e[0].occurred_on, e[0].pk))
    pending = sum(1 for r, _points in entries if r.status == DutyStatus.PENDING)
    profile = "　".join(x for x in (member.org_unit.name, str(member.get_level_display()),
                                    member.sector.name if member.sector_id else "", member.work_unit) if x)
    return {
        "name": member.name, "year": year, "profile": profile,
        "summary": f"{year}年，{member.name}委员共有计入积分的履职记录{len(counted)}项，积分{score.points}分"
                   f"（年度最低{score.minimum}分）。",
        "owed": "、".join(str(q) for q in score.missing_quotas),
        "entries": [{"date": f"{r.occurred_on.month}月{r.occurred_on.day}日", "activity": f"{r.kind_label}：{r.title}", "points": points,
                     "status": "已核实" if r.status == DutyStatus.VERIFIED else "自动记录"} for r, points in counted],
        "pending": pending, "today": _date(timezone.localdate()),
    }


def duty_report_bytes(member, year, score, entries) -> bytes:
    tpl = DocxTemplate(io.BytesIO(duty_report_template_bytes()))
    tpl.render(duty_report_context(member, year, score, entries), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()
