"""Minutes (协商纪要) as Word documents from templates staff can edit (docxtpl / Jinja fields such as
``{{ title }}``). The fields a template may use are listed in FIELDS; anything else is refused
when the template is uploaded.

The minutes say each thing once: a sentence of the minutes that is also the agreed result or a
suggestion is printed only there, and a result that only repeats a suggestion is left out (the
numbered suggestions carry it). Working-document layout (portal.documents.PLAIN)."""

from __future__ import annotations

import io
import re

from django.utils import timezone
from django.utils.translation import gettext as _
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from portal import documents as layout
from portal.errors import DomainError

FIELDS = {
    "title": "议题", "unit": "单位", "date": "协商日期", "venue": "地点", "form": "形式", "participants": "参加人员",
    "consensus": "是否达成共识", "summary": "协商结果（已在纪要或建议中出现的不再重复）",
    "minutes": "纪要正文", "minutes_paragraphs": "纪要正文（逐段，用于 {%p for p in minutes_paragraphs %}）",
    "suggestions": "协商建议（逐条，已编号的文本）",
    "suggestion_list": "协商建议（逐条：number 序号、text 内容、handler 承办、deadline 期限）",
    "today": "制表日期",
}

SAMPLE = {
    "title": "示例议题", "unit": "示例街道政协联络组", "date": "2026年1月1日", "venue": "社区协商议事厅",
    "form": "协商议事会", "participants": "张三、李四", "consensus": "是", "summary": "示例结果",
    "minutes": "示例纪要", "minutes_paragraphs": ["示例纪要"], "suggestions": "1. 示例建议",
    "suggestion_list": [{"number": 1, "text": "示例建议", "handler": "示例单位", "deadline": "2026年2月1日"}],
    "today": "2026年1月1日",
}


def default_template_bytes() -> bytes:
    """The built-in template: plain layout, one section per thing (情况, 结果, 建议)."""
    doc = layout.new_document(layout.PLAIN)
    layout.centered_title(doc, "协商纪要")
    layout.centered_title(doc, "{{ title }}", style="Heading 2")
    for line in ("时间：{{ date }}", "地点：{{ venue }}", "形式：{{ form }}", "主持单位：{{ unit }}",
                 "参加人员：{{ participants }}"):
        layout.body_paragraph(doc, line, indent=False)
    doc.add_paragraph("一、协商情况", style="Heading 3")
    doc.add_paragraph("{%p for p in minutes_paragraphs %}")
    layout.body_paragraph(doc, "{{ p }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("二、协商结果", style="Heading 3")
    layout.body_paragraph(doc, "{% if consensus == '是' %}与会各方达成共识。{% else %}未能达成共识。{% endif %}"
                               "{{ summary }}")
    doc.add_paragraph("{%p if suggestion_list %}")
    doc.add_paragraph("三、协商建议", style="Heading 3")
    doc.add_paragraph("{%p for s in suggestion_list %}")
    layout.body_paragraph(doc, "{{ s.number }}. {{ s.text }}{% if s.handler or s.deadline %}（"
                               "{% if s.handler %}承办：{{ s.handler }}{% endif %}"
                               "{% if s.handler and s.deadline %}；{% endif %}"
                               "{% if s.deadline %}期限：{{ s.deadline }}{% endif %}）{% endif %}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("")
    layout.signature(doc, "{{ unit }}", "{{ today }}")
    return layout.docx_bytes(doc)


def _env():
    # Autoescaped: the values are text put into the document's XML, so an “&” or “<” in the
    # minutes (or a title, a venue, a participant's name) must stay text, not break the file.
    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=True)


def _render(template_bytes: bytes, context: dict) -> bytes:
    try:
        tpl = DocxTemplate(io.BytesIO(template_bytes))
        tpl.render(context, jinja_env=_env(), autoescape=True)
    except TemplateError as exc:
        raise DomainError(_("The template has a broken field: %(error)s. Fields you may use: %(fields)s")
                          % {"error": exc, "fields": ", ".join(FIELDS)}, field="file")
    except Exception:  # not a Word document, or damaged
        raise DomainError(_("The template could not be read. Upload a Word (.docx) document."), field="file")
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def check_template(template_bytes: bytes) -> None:
    """Render with sample values; refuses unknown or malformed fields."""
    _render(template_bytes, dict(SAMPLE))


_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_NOISE = re.compile(r"[\s，,。！？!?；;：:、“”\"'（）()]")


def _key(text: str) -> str:
    return _NOISE.sub("", text)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text or "") if _key(s)]


def _without(text: str, said: set[str]) -> str:
    """`text` without the sentences already said elsewhere (compared without punctuation)."""
    return "".join(s for s in _sentences(text) if _key(s) not in said)


def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def minutes_context(topic, outcome) -> dict:
    sessions = [s for s in topic.sessions.all() if s.status == "held"]
    session = outcome.session if outcome and outcome.session_id else (sessions[-1] if sessions else None)
    participants = list(session.participants.all()) if session else []
    suggestions = list(topic.suggestions.all())
    suggestion_keys = {_key(s) for item in suggestions for s in _sentences(item.text)}
    suggestion_keys |= {_key(item.text) for item in suggestions}

    summary = outcome.summary if outcome else ""
    summary = _without(summary, suggestion_keys)
    summary_keys = {_key(s) for s in _sentences(summary)}
    raw_minutes = (outcome.minutes if outcome else "") or (session.summary if session else "")
    paragraphs = []
    for block in raw_minutes.splitlines():
        kept = _without(block, suggestion_keys | summary_keys)
        if kept and _key(kept) not in {_key(p) for p in paragraphs}:
            paragraphs.append(kept)
    if not paragraphs and session and session.summary:
        paragraphs = [session.summary]
    minutes_keys = {_key(s) for p in paragraphs for s in _sentences(p)}
    summary = _without(summary, minutes_keys)

    suggestion_list = [{
        "number": i, "text": item.text.strip(),
        "handler": item.handling_unit.name if item.handling_unit_id else item.handler_name,
        "deadline": _date(item.deadline),
    } for i, item in enumerate(suggestions, start=1)]
    return {
        "title": topic.title, "unit": topic.org_unit.display_body,
        "date": _date(session.scheduled_on) if session else "",
        "venue": session.venue if session else "", "form": session.get_form_display() if session else "",
        "participants": "、".join(p.name for p in participants if p.attendance == "attended"),
        "consensus": ("是" if outcome.consensus else "否") if outcome else "",
        "summary": summary, "minutes": "\n".join(paragraphs), "minutes_paragraphs": paragraphs,
        "suggestions": "\n".join(f"{s['number']}. {s['text']}" for s in suggestion_list),
        "suggestion_list": suggestion_list,
        "today": _date(timezone.localdate()),
    }


def minutes_filename(topic) -> str:
    return f"协商纪要-{topic.title[:40]}.docx"


def render_minutes(topic, outcome, template_bytes: bytes | None) -> bytes:
    return _render(template_bytes or default_template_bytes(), minutes_context(topic, outcome))


# ── the 公示 notice of a published topic ────────────────────────────────────────────────────


def notice_template_bytes() -> bytes:
    """The notice posted when a topic is published (公示), in the official format: title, the
    sentence of publication, the topic's particulars, where to send opinions, issuer and date."""
    doc = layout.new_document(layout.OFFICIAL)
    layout.centered_title(doc, "{{ heading }}")
    doc.add_paragraph("")
    layout.body_paragraph(doc, "{{ opening }}")
    layout.body_paragraph(doc, "议题名称：{{ title }}", indent=False)
    doc.add_paragraph("{%p if raised_by %}")
    layout.body_paragraph(doc, "提出方：{{ raised_by }}", indent=False)
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p if planned %}")
    layout.body_paragraph(doc, "计划协商时间：{{ planned }}", indent=False)
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p if paragraphs %}")
    layout.body_paragraph(doc, "议题内容：", indent=False)
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p for p in paragraphs %}")
    layout.body_paragraph(doc, "{{ p }}")
    doc.add_paragraph("{%p endfor %}")
    layout.body_paragraph(doc, "{{ closing }}")
    doc.add_paragraph("")
    layout.signature(doc, "{{ unit }}", "{{ date }}")
    return layout.docx_bytes(doc)


def notice_context(topic) -> dict:
    unit = topic.org_unit.display_body
    published = timezone.localtime(topic.published_at).date() if topic.published_at else timezone.localdate()
    raised_by = " · ".join(x for x in (topic.proposer_name, str(topic.get_channel_display())) if x)
    return {
        "heading": f"关于“{topic.title}”协商议题的公示", "title": topic.title, "unit": unit,
        "opening": f"经{unit}研究审定，“{topic.title}”列为协商议题，现予以公示。",
        "raised_by": raised_by,
        "planned": f"{topic.planned_month.year}年{topic.planned_month.month}月" if topic.planned_month else "",
        "paragraphs": [line.strip() for line in (topic.description or "").splitlines() if line.strip()],
        "closing": f"公示期间，群众如有意见建议，请向{unit}反映。",
        "date": _date(published),
    }


def notice_filename(topic) -> str:
    return f"公示-{topic.title[:40]}.docx"


def render_notice(topic) -> bytes:
    tpl = DocxTemplate(io.BytesIO(notice_template_bytes()))
    tpl.render(notice_context(topic), autoescape=True)  # a title with “&” or “<” stays text
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()
