"""The annual report pack (年度工作报告素材): what a county office hands to a leader, readable in
five minutes. For the chosen unit and period:

- per section (协商议事, 提案与社情民意, 委员与履职, 线上议事厅): a paragraph written from the
  figures ("2026年，相山区政协召开协商议事会8次，参与群众121人次，……"), a small table of the
  headline figures against the same period last year and the yearly quota, and a chart;
- the child units in ONE table with the key figures only (zero is "—", a rate shows its
  numerator and denominator, 0/0 is "—", never "0.0%");
- the notable cases (outcomes marked as typical), when an app offers them.

The context keeps the keys of the first built-in template (``sections[].entries``, ``children``)
so templates offices uploaded before keep rendering.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.utils import timezone

from portal.documents import count_label, figure_label
from portal.metrics import METRICS, Metric

from .periods import Period

# How a figure reads in a sentence, and its measure word. Metrics not listed read "label value unit".
PHRASES: dict[str, tuple[str, str]] = {
    "consultations.topics": ("登记协商议题{v}个", "个"),
    "consultations.topics_approved": ("审核通过议题{v}个", "个"),
    "consultations.sessions_held": ("召开协商议事会{v}次", "次"),
    "consultations.participants": ("参加协商{v}人次", "人次"),
    "consultations.member_attendances": ("委员参会{v}人次", "人次"),
    "consultations.resident_person_times": ("参与群众{v}人次", "人次"),
    "consultations.suggestions": ("提出建议{v}条", "条"),
    "consultations.suggestions_adopted": ("采纳建议{v}条", "条"),
    "consultations.followups_done": ("开展“回头看”{v}次", "次"),
    "proposals.received": ("收到提案{v}件", "件"),
    "proposals.registered": ("立案{v}件", "件"),
    "proposals.key": ("确定重点提案{v}件", "件"),
    "opinions.submitted": ("报送社情民意信息{v}件", "件"),
    "opinions.adopted_national": ("被全国政协采用{v}件", "件"),
    "opinions.adopted_province": ("被省级采用{v}件", "件"),
    "opinions.adopted_city": ("被市级采用{v}件", "件"),
    "opinions.adopted_county": ("被县（区）级采用{v}件", "件"),
    "opinions.instructed_items": ("获领导批示{v}件", "件"),
    "proposals.assigned_to_unit": ("交办承办单位{v}件", "件"),
    "org.townships": ("下辖乡镇（街道）{v}个", "个"),
    "org.communities": ("村（社区）{v}个", "个"),
    "org.committees": ("设专门委员会{v}个", "个"),
    "org.sectors": ("界别及界别活动组{v}个", "个"),
    "members.active": ("有在册委员{v}人", "人"),
    "members.duty_records": ("委员参加履职活动{v}人次", "人次"),
    "members.participants": ("参与履职的委员{v}人", "人"),
    "members.duty_entries": ("记录委员履职活动{v}条", "条"),
    "members.active_members": ("有履职记录的委员{v}人", "人"),
    "members.below_minimum": ("积分未达年度最低要求的委员{v}人", "人"),
    "members.workrooms_active": ("开展活动的委员工作室{v}个", "个"),
    "hall.submissions": ("群众网上出题{v}件", "件"),
    "hall.submissions_accepted": ("转为协商议题{v}件", "件"),
    "hall.consultations": ("开展网上协商{v}场", "场"),
    "hall.participants": ("网上参与{v}人", "人"),
    "hall.comments": ("收到网上意见{v}条", "条"),
}
RATE_PHRASES: dict[str, str] = {
    "proposals.registered_rate": "立案率{v}",
    "proposals.replied_on_time_rate": "按期答复率{v}",
    "proposals.satisfied_rate": "提案者对办理结果满意和基本满意率{v}",
    "consultations.member_participation_rate": "委员参与率{v}",
    "members.active_share": "有履职活动的委员占比{v}",
    "proposals.closing_rate": "办结率{v}",
    "hall.answered_share": "群众网上意见答复率{v}",
}
# A rate's (numerator, denominator) where the metric itself does not say (Metric.parts).
RATE_PARTS: dict[str, tuple[str, str]] = {
}
# The few figures of the child-unit table, in this order (those that exist).
CHILD_KEYS = ["consultations.sessions_held", "consultations.resident_person_times", "consultations.suggestions",
              "proposals.received", "opinions.submitted", "members.duty_records",
              "consultations.member_participation_rate", "members.participation_rate"]
# Short column heads of the child-unit table (the measure word follows in brackets).
CHILD_LABELS = {"consultations.sessions_held": "协商会", "consultations.resident_person_times": "群众参与",
                "consultations.suggestions": "建议", "proposals.received": "提案", "opinions.submitted": "社情民意",
                "members.duty_records": "委员履职", "members.participation_rate": "委员参与率",
                "consultations.member_participation_rate": "委员参会率"}
HEADLINES_PER_SECTION = 6
# The headline figures of each section, most important first (the prose follows this order).
HEADLINE_KEYS = [
    "consultations.sessions_held", "consultations.member_participation_rate", "consultations.resident_person_times",
    "consultations.topics",
    "consultations.suggestions", "consultations.suggestions_adopted", "consultations.followups_done",
    "org.townships", "org.communities", "org.committees", "org.sectors",
    "members.active", "members.duty_records", "members.participants", "members.active_share",
    "members.duty_entries", "members.active_members", "members.below_minimum", "members.workrooms_active",
    "proposals.received", "proposals.registered", "proposals.registered_rate", "proposals.replied_on_time_rate",
    "proposals.satisfied_rate", "proposals.key",
    "opinions.submitted", "opinions.adopted_national", "opinions.adopted_province", "opinions.adopted_city",
    "opinions.instructed_items",
    "hall.submissions", "hall.submissions_accepted", "hall.consultations", "hall.participants", "hall.comments",
]
CHINESE_NUMBERS = "一二三四五六七八九十"


# Measure words of metrics that declare none, by key prefix.
UNIT_BY_PREFIX = {"consultations.topics": "个", "consultations.suggestions": "条", "consultations.sessions": "次",
                  "consultations.followups": "次"}


def unit_of(metric: Metric) -> str:
    """The measure word of a figure: the one of its phrase, else the metric's own, else by prefix."""
    if metric.key in PHRASES:
        return PHRASES[metric.key][1]
    if str(metric.unit):
        return str(metric.unit) if str(metric.unit) != "%" else ""
    return next((unit for prefix, unit in UNIT_BY_PREFIX.items() if metric.key.startswith(prefix)), "")


def parts_of(metric: Metric) -> tuple[str, str] | None:
    parts = getattr(metric, "parts", None) or RATE_PARTS.get(metric.key)
    if parts and all(p in METRICS for p in parts):
        return tuple(parts)
    return None


def is_rate(metric: Metric) -> bool:
    return str(metric.unit) == "%"


def shifted_year(period: Period, years: int = -1) -> Period:
    def shift(day: datetime.date) -> datetime.date:
        try:
            return day.replace(year=day.year + years)
        except ValueError:  # 29 February
            return day.replace(year=day.year + years, day=28)

    return Period(period.kind, shift(period.start), shift(period.end))


@dataclass
class Figures:
    """The values of one unit: this period, the same period last year, and the quota."""

    now: dict[str, float]
    last: dict[str, float]

    def rate_text(self, metric: Metric, values: dict[str, float]) -> str:
        parts = parts_of(metric)
        if parts:
            return count_label(values.get(parts[0], 0), values.get(parts[1], 0))
        value = values.get(metric.key, 0)
        if not value:
            return "—"
        return f"{value:.0f}%" if float(value).is_integer() else f"{value:.1f}%"


def _value_text(metric: Metric, values: dict[str, float], figures: Figures) -> str:
    if is_rate(metric):
        return figures.rate_text(metric, values)
    return figure_label(values.get(metric.key, 0), unit_of(metric))


def _change(metric: Metric, figures: Figures) -> str:
    if is_rate(metric):
        return ""
    now, last = figures.now.get(metric.key, 0), figures.last.get(metric.key, 0)
    if not last:
        return "—"
    diff = now - last
    if not diff:
        return "持平"
    return f"{'增加' if diff > 0 else '减少'}{abs(diff) / last * 100:.0f}%"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _sentence(metric: Metric, figures: Figures) -> str | None:
    if is_rate(metric):
        text = figures.rate_text(metric, figures.now)
        if text == "—" or metric.key not in RATE_PHRASES:
            return None
        return RATE_PHRASES[metric.key].format(v=text.replace("（", "（").split("（")[0])
    value = figures.now.get(metric.key, 0)
    if not value:
        return None
    if metric.key in PHRASES:
        return PHRASES[metric.key][0].format(v=_number(value))
    return f"{metric.label}{_number(value)}{unit_of(metric)}"


def headline_metrics(metrics: list[Metric]) -> list[Metric]:
    by_key = {m.key: m for m in metrics}
    known = [by_key[k] for k in HEADLINE_KEYS if k in by_key]
    return (known or metrics)[:HEADLINES_PER_SECTION]


def pack_context(board, *, last_year_values: dict[str, float], quotas: dict[str, int | None],
                 body_name: str = "", cases: list[dict] | None = None, charts: bool = True) -> dict:
    """The template's context from the dashboard of the period (`board`), the unit's values of
    the same period last year and the quotas ({metric key: quota for the year})."""
    from docx.shared import Mm

    unit = board.unit
    body = body_name or unit.display_body
    if unit.kind in ("province", "city", "county") and not body.endswith("政协"):
        body += "政协"
    now = {c.metric.key: c.value for s in board.sections for c in s.cells}
    figures = Figures(now, last_year_values)
    last_label = shifted_year(board.period).label
    sections = []
    for index, section in enumerate(board.sections):
        metrics = [c.metric for c in section.cells]
        heads = headline_metrics(metrics)
        sentences = [s for s in (_sentence(m, figures) for m in heads) if s]
        if sentences:
            prose = f"{board.period.label}，{body}" + "，".join(sentences) + "。"
        else:
            prose = f"{board.period.label}，{body}{section.label}方面暂无统计数据。"
        rows = [{
            "label": str(m.label), "value": _value_text(m, now, figures),
            "last": _value_text(m, last_year_values, figures), "change": _change(m, figures),
            "quota": (f"{quotas[m.key]}{unit_of(m)}" if quotas.get(m.key) else "—"),
        } for m in heads]
        # a row with nothing in it says nothing: keep the table to the figures there are
        rows = [r for r in rows if (r["value"], r["last"], r["quota"]) != ("—", "—", "—")]
        chart = None
        counts = [m for m in heads if not is_rate(m)]
        if charts and counts and board.rows:
            chart_metric = counts[0]
            items = sorted(((r.unit.name, next(c.value for c in r.cells if c.metric.key == chart_metric.key))
                            for r in board.rows), key=lambda kv: -kv[1])
            items = [kv for kv in items if kv[1]][:12]
            title = f"{chart_metric.label}（按下级单位，{board.period.label}）"
            chart = _chart_png(title, items, unit_of(chart_metric)) if len(items) >= 2 else None
        sections.append({
            "label": section.label, "heading": f"{_chinese(index + 1)}、{section.label}", "prose": prose,
            "table": rows, "chart_png": chart,
            # the first template's keys
            "entries": [{"label": str(c.metric.label), "value": _value_text(c.metric, now, figures),
                         "unit": ""} for c in section.cells],
        })
    child_metrics = [METRICS[k] for k in CHILD_KEYS if k in METRICS]
    children = []
    for row in board.rows:
        values = {c.metric.key: c.value for c in row.cells}
        children.append({
            "name": row.unit.name,
            "values": [_bare(_value_text(m, values, Figures(values, {})), m) for m in child_metrics],
            "cells": [{"label": str(m.label), "value": _value_text(m, values, Figures(values, {}))}
                      for m in child_metrics],
        })
    header = []
    for m in child_metrics:
        label = CHILD_LABELS.get(m.key, str(m.label))
        header.append(f"{label}（{unit_of(m)}）" if unit_of(m) and "（" not in label else label)
    total = [_bare(_value_text(m, now, figures), m) for m in child_metrics]
    today = timezone.localdate()
    return {
        "unit_name": unit.name, "body_name": body, "period_label": board.period.label,
        "last_period_label": last_label,
        "as_of": timezone.localtime(board.as_of).strftime("%Y-%m-%d %H:%M"),
        "as_of_date": _date(timezone.localtime(board.as_of).date()),
        "sections": sections, "children": children, "children_header": header, "children_total": total,
        "children_heading": f"{_chinese(len(sections) + 1)}、下级单位情况",
        "cases": cases or [], "cases_heading": f"{_chinese(len(sections) + 2)}、典型案例",
        "today": _date(today), "chart_width": Mm(150),
    }


def _bare(text: str, metric: Metric) -> str:
    """A figure without its measure word, for a table whose header carries it."""
    unit = unit_of(metric)
    return text[: -len(unit)] if unit and text.endswith(unit) else text


def _chart_png(title, items, unit):
    from .charts import bar_chart_png

    return bar_chart_png(title, items, unit=unit)


def _chinese(n: int) -> str:
    if n <= 10:
        return CHINESE_NUMBERS[n - 1]
    return "十" + CHINESE_NUMBERS[n - 11] if n < 20 else str(n)


def _date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def attach_images(doc, context: dict) -> dict:
    """Turn the charts' PNG bytes into docxtpl images and the child table into a subdocument,
    for the template `doc` being rendered."""
    from docx.shared import Mm
    from docxtpl import InlineImage

    from portal import documents as layout

    for section in context["sections"]:
        png = section.pop("chart_png", None)
        section["chart"] = InlineImage(doc, io.BytesIO(png), width=Mm(150)) if png else ""
    if context["children"]:
        sub = doc.new_subdoc()
        header = ["单位", *context["children_header"]]
        rows = [[c["name"], *c["values"]] for c in context["children"]]
        rows.append(["合计", *context["children_total"]])
        # the unit's name, then the figures; a rate ("86.9%（73/84）") gets a wider column
        rates = [("%" in h or "率" in h) for h in header[1:]]
        first, rate_w = 38, 30
        count_w = (156 - first - rate_w * sum(rates)) / max(1, len(rates) - sum(rates))
        layout.table(sub, header, rows, widths_mm=[first] + [rate_w if r else count_w for r in rates], font_pt=10)
        context["children_table"] = sub
    else:
        context["children_table"] = ""
    return context
