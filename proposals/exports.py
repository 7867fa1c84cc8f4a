"""Word exports: the registered-proposal list, a reply letter and the evaluation report."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _response(document, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    document.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def registered_list_docx(proposals) -> HttpResponse:
    doc = Document()
    doc.add_heading(_("Registered proposals"), level=1)
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, [_("Number"), _("Title"), _("Proposer"), _("Category"),
                                                 _("Handling units")], strict=True):
        cell.text = str(text)
    for p in proposals:
        row = table.add_row().cells
        row[0].text = p.number_label
        row[1].text = p.title
        row[2].text = p.proposer.name
        row[3].text = str(p.get_category_display())
        row[4].text = "、".join(f"{a.unit.name}（{a.get_role_display()}）" for a in p.assignments.all())
    return _response(doc, "registered-proposals.docx")


def reply_letter_docx(reply) -> HttpResponse:
    proposal = reply.assignment.proposal
    doc = Document()
    doc.add_heading(_("Reply to proposal %(number)s") % {"number": proposal.number_label}, level=1)
    doc.add_paragraph(f"{proposal.proposer.name}：")
    doc.add_paragraph(_("Your proposal “%(title)s” has been handled by %(unit)s.") % {
        "title": proposal.title, "unit": reply.assignment.unit.name})
    doc.add_paragraph(reply.text)
    for line in reply.lines:
        doc.add_paragraph(f"{line.get('suggestion')}. {line.get('action')}", style="List Number")
    doc.add_paragraph(_("Result class: %(c)s") % {"c": reply.get_reply_class_display()})
    if reply.document_number:
        doc.add_paragraph(reply.document_number)
    doc.add_paragraph(reply.assignment.unit.name)
    doc.add_paragraph(timezone.localtime(reply.created_at).strftime("%Y年%m月%d日"))
    return _response(doc, f"reply-{reply.pk}.docx")


def evaluation_report_docx(rnd) -> HttpResponse:
    doc = Document()
    doc.add_heading(rnd.title, level=1)
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, [_("Rank"), _("Handling unit"), _("Score"), _("Verdict")],
                          strict=True):
        cell.text = str(text)
    for r in rnd.results.select_related("unit"):
        row = table.add_row().cells
        row[0].text, row[1].text, row[2].text = str(r.rank), r.unit.name, str(r.score)
        row[3].text = str(r.get_verdict_display()) if r.verdict else ""
        if r.rectification_report:
            doc.add_paragraph(f"{r.unit.name}：{r.rectification_report}")
    return _response(doc, f"evaluation-{rnd.pk}.docx")
