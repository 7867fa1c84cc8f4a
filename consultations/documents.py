"""Minutes (协商纪要) as Word documents from templates staff can edit (docxtpl / Jinja fields such as
``{{ title }}``). The fields a template may use are listed in FIELDS; anything else is refused
when the template is uploaded."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from portal.errors import DomainError

FIELDS = {
    "title": "议题", "unit": "单位", "date": "协商日期", "venue": "地点", "form": "形式", "participants": "参加人员",
    "consensus": "是否达成共识", "summary": "协商结果", "minutes": "纪要正文", "suggestions": "协商建议（逐条）",
    "today": "制表日期",
}


def default_template_bytes() -> bytes:
    doc = Document()
    doc.add_heading("协商纪要", level=1)
    doc.add_paragraph("议题：{{ title }}")
    doc.add_paragraph("单位：{{ unit }}")
    doc.add_paragraph("时间：{{ date }}    地点：{{ venue }}    形式：{{ form }}")
    doc.add_paragraph("参加人员：{{ participants }}")
    doc.add_paragraph("是否达成共识：{{ consensus }}")
    doc.add_heading("协商结果", level=2)
    doc.add_paragraph("{{ summary }}")
    doc.add_heading("纪要", level=2)
    doc.add_paragraph("{{ minutes }}")
    doc.add_heading("协商建议", level=2)
    doc.add_paragraph("{{ suggestions }}")
    doc.add_paragraph("{{ today }}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _env():
    env = SandboxedEnvironment(undefined=StrictUndefined)
    return env


def _render(template_bytes: bytes, context: dict) -> bytes:
    try:
        tpl = DocxTemplate(io.BytesIO(template_bytes))
        tpl.render(context, jinja_env=_env())
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
    _render(template_bytes, dict(FIELDS))


def minutes_context(topic, outcome) -> dict:
    sessions = [s for s in topic.sessions.all() if s.status == "held"]
    session = outcome.session if outcome and outcome.session_id else (sessions[-1] if sessions else None)
    participants = list(session.participants.all()) if session else []
    return {
        "title": topic.title, "unit": topic.org_unit.display_body,
        "date": session.scheduled_on.isoformat() if session else "",
        "venue": session.venue if session else "", "form": session.get_form_display() if session else "",
        "participants": "、".join(p.name for p in participants if p.attendance == "attended"),
        "consensus": ("是" if outcome.consensus else "否") if outcome else "",
        "summary": outcome.summary if outcome else "", "minutes": outcome.minutes if outcome else "",
        "suggestions": "\n".join(f"{i}. {s.text}（{s.get_route_display()}）"
                                 for i, s in enumerate(topic.suggestions.all(), start=1)),
        "today": timezone.localdate().isoformat(),
    }


def render_minutes(topic, outcome, template_bytes: bytes | None) -> bytes:
    return _render(template_bytes or default_template_bytes(), minutes_context(topic, outcome))
