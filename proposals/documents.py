"""Word documents of the proposal work, rendered with docxtpl from templates built with the shared
layouts (portal.documents), so an office can open them in Word and keep its own wording:

- the reply letter (答复函) in the official format (GB/T 9704-2012): document number, title,
  addressee, body, the numbered per-suggestion actions (numbered once, in the text), the result
  class, issuing unit and date;
- the register of registered proposals (立案提案目录), a working document: one table per
  session (届次), and the proposals still without a handling unit listed apart at the end;
- the evaluation report (办理评议).
"""

from __future__ import annotations

import io
from itertools import groupby

from django.utils import timezone
from docx.enum.text import WD_TAB_ALIGNMENT
from docxtpl import DocxTemplate

from portal import documents as layout

REPLY_FIELDS = ("unit", "document_number", "title", "addressee", "proposal_number", "proposal_title",
                "paragraphs", "actions", "reply_class", "class_meaning", "date")


def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def render(template_bytes: bytes, context: dict) -> bytes:
    tpl = DocxTemplate(io.BytesIO(template_bytes))
    tpl.render(context, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


# ── reply letter ────────────────────────────────────────────────────────────────────────────


def reply_template_bytes() -> bytes:
    doc = layout.new_document(layout.OFFICIAL)
    doc.add_paragraph("{%p if document_number %}")
    layout.body_paragraph(doc, "{{ document_number }}", align_right=True)
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("")
    layout.centered_title(doc, "{{ title }}")
    doc.add_paragraph("")
    layout.body_paragraph(doc, "{{ addressee }}：", indent=False)
    layout.body_paragraph(doc, "您提出的《{{ proposal_title }}》（{{ proposal_number }}）提案收悉。现答复如下：")
    doc.add_paragraph("{%p for p in paragraphs %}")
    layout.body_paragraph(doc, "{{ p }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p for a in actions %}")
    layout.body_paragraph(doc, "{{ a.number }}. {{ a.text }}")
    doc.add_paragraph("{%p endfor %}")
    layout.body_paragraph(doc, "办理结果：{{ reply_class }}类（{{ class_meaning }}）。")
    layout.body_paragraph(doc, "感谢您对我们工作的关心和支持。")
    doc.add_paragraph("")
    doc.add_paragraph("")
    layout.signature(doc, "{{ unit }}", "{{ date }}")
    return layout.docx_bytes(doc)


def reply_context(reply) -> dict:
    proposal = reply.assignment.proposal
    unit = reply.assignment.unit.name
    paragraphs = [line.strip() for line in (reply.text or "").splitlines() if line.strip()]
    actions = []
    for i, line in enumerate(reply.lines or [], start=1):
        text = str(line.get("action", "") if isinstance(line, dict) else line).strip()
        if text:
            number = line.get("suggestion", i) if isinstance(line, dict) else i
            actions.append({"number": number, "text": text})
    number = proposal.number_label
    return {
        "unit": unit, "document_number": reply.document_number,
        "title": f"关于政协{number}提案的答复" if number else f"关于《{proposal.title}》提案的答复",
        "addressee": f"{proposal.proposer.name}委员", "proposal_number": number or "未编号",
        "proposal_title": proposal.title, "paragraphs": paragraphs, "actions": actions,
        "reply_class": reply.reply_class, "class_meaning": reply.class_meaning,
        "date": _date(timezone.localtime(reply.created_at).date()),
    }


def reply_filename(reply) -> str:
    proposal = reply.assignment.proposal
    return f"答复函-{proposal.number_label or proposal.title[:30]}-{reply.assignment.unit.name}.docx"


def reply_letter_bytes(reply) -> bytes:
    return render(reply_template_bytes(), reply_context(reply))


# ── register of registered proposals ────────────────────────────────────────────────────────

REGISTER_COLUMNS_MM = [20, 56, 18, 26, 40]


def register_template_bytes() -> bytes:
    doc = layout.new_document(layout.PLAIN)
    layout.centered_title(doc, "{{ unit }}立案提案目录")
    layout.body_paragraph(doc, "制表日期：{{ today }}　共{{ total }}件", indent=False, align_right=True)
    doc.add_paragraph("{%p for g in groups %}")
    doc.add_paragraph("{{ g.label }}（{{ g.count }}件）", style="Heading 2")
    layout.table(doc, ["编号", "案题", "提案者", "类别", "承办单位"], [
        ["{%tr for p in g.rows %}", "", "", "", ""],
        ["{{ p.number }}", "{{ p.title }}", "{{ p.proposer }}", "{{ p.category }}", "{{ p.units }}"],
        ["{%tr endfor %}", "", "", "", ""],
    ], widths_mm=REGISTER_COLUMNS_MM)
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p if unassigned %}")
    doc.add_paragraph("尚未确定承办单位的提案（{{ unassigned|length }}件）", style="Heading 2")
    layout.table(doc, ["编号", "案题", "提案者", "类别"], [
        ["{%tr for p in unassigned %}", "", "", ""],
        ["{{ p.number }}", "{{ p.title }}", "{{ p.proposer }}", "{{ p.category }}"],
        ["{%tr endfor %}", "", "", ""],
    ], widths_mm=[30, 86, 18, 26])
    doc.add_paragraph("{%p endif %}")
    return layout.docx_bytes(doc)


def register_context(proposals, *, unit_name: str) -> dict:
    """Proposals grouped by their session (term + session, in number order); the ones without any
    handling unit go to `unassigned` instead of a group."""
    rows, unassigned = [], []
    for p in proposals:
        units = "、".join(f"{a.unit.name}（{'主办' if a.role == 'main' else '协办'}）"
                         for a in sorted(p.assignments.all(), key=lambda a: (a.role != "main", a.pk)))
        row = {"number": f"第{p.number}号", "title": p.title, "proposer": p.proposer.name,
               "category": str(p.get_category_display()), "units": units,
               "session": f"{p.term}{p.session}" or "未分届次", "key": (p.year or 0, p.term, p.session, p.number),
               "full_number": p.number_label}
        (rows if units else unassigned).append(row)
    rows.sort(key=lambda r: r["key"])
    groups = [{"label": label, "rows": list(items)} for label, items in groupby(rows, key=lambda r: r["session"])]
    for g in groups:
        g["count"] = len(g["rows"])
    for row in unassigned:
        row["number"] = row["full_number"]
    unassigned.sort(key=lambda r: r["key"])
    return {"unit": unit_name, "today": _date(timezone.localdate()), "total": len(rows) + len(unassigned),
            "groups": groups, "unassigned": unassigned}


def register_bytes(proposals, *, unit_name: str) -> bytes:
    return render(register_template_bytes(), register_context(proposals, unit_name=unit_name))


# ── evaluation report ───────────────────────────────────────────────────────────────────────


def evaluation_bytes(rnd) -> bytes:
    doc = layout.new_document(layout.PLAIN)
    layout.centered_title(doc, rnd.title)
    results = list(rnd.results.select_related("unit"))
    layout.table(doc, ["名次", "承办单位", "得分", "评议结果"], [
        [str(r.rank), r.unit.name, str(r.score), str(r.get_verdict_display()) if r.verdict else "—"]
        for r in results], widths_mm=[18, 80, 25, 37])
    reports = [r for r in results if r.rectification_report]
    if reports:
        doc.add_paragraph("整改情况", style="Heading 2")
        for r in reports:
            layout.body_paragraph(doc, f"{r.unit.name}：{r.rectification_report}")
    return layout.docx_bytes(doc)


# ── the 《社情民意》 bulletin issue (社情民意专报) ──────────────────────────────────────────────

BULLETIN_FIELDS = ("name", "issue_label", "issuer", "date", "title", "items")
CHINESE_NUMBERS = "一二三四五六七八九十"


def bulletin_template_bytes() -> bytes:
    """One issue in the official format: the bulletin's name as the masthead, the issue and the
    issuing office with the date, then each item — numbered title, “<source>反映：” leading its
    first paragraph, its further paragraphs."""
    doc = layout.new_document(layout.OFFICIAL)
    layout.centered_title(doc, "{{ name }}")
    layout.centered_title(doc, "{{ issue_label }}", style="Normal")
    line = layout.body_paragraph(doc, "{{ issuer }}\t{{ date }}", indent=False)  # date flush right
    section = doc.sections[0]
    line.paragraph_format.tab_stops.add_tab_stop(section.page_width - section.left_margin - section.right_margin,
                                                 WD_TAB_ALIGNMENT.RIGHT)
    doc.add_paragraph("{%p if title %}")
    layout.centered_title(doc, "{{ title }}", style="Heading 2")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p for item in items %}")
    layout.body_paragraph(doc, "{{ item.number }}、{{ item.title }}", indent=False, style="Heading 2")
    layout.body_paragraph(doc, "{{ item.source }}反映：{{ item.lead }}")
    doc.add_paragraph("{%p for p in item.more %}")
    layout.body_paragraph(doc, "{{ p }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("")
    layout.signature(doc, "{{ issuer }}", "{{ date }}")
    return layout.docx_bytes(doc)


def bulletin_context(bulletin) -> dict:
    items = []
    for n, item in enumerate(bulletin.items.select_related("member", "submitter").order_by("pk"), start=1):
        paragraphs = [line.strip() for line in item.content.splitlines() if line.strip()] or [item.title]
        source = (f"{item.member.name}委员" if item.member else item.source_point or item.submitter.label)
        items.append({"number": CHINESE_NUMBERS[n - 1] if n <= len(CHINESE_NUMBERS) else str(n),
                      "title": item.title, "source": source, "lead": paragraphs[0], "more": paragraphs[1:]})
    return {"name": "社情民意", "issue_label": f"{bulletin.year}年第{bulletin.issue}期",
            "issuer": f"政协{bulletin.org_unit.name}委员会办公室", "date": _date(bulletin.published_on),
            "title": bulletin.title, "items": items}


def bulletin_filename(bulletin) -> str:
    return f"社情民意-{bulletin.org_unit.name}-{bulletin.year}年第{bulletin.issue}期.docx"


def bulletin_bytes(bulletin) -> bytes:
    return render(bulletin_template_bytes(), bulletin_context(bulletin))
