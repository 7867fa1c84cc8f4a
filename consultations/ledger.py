"""Ledger import (台账导入): a whole year of finished consultations from an Excel or CSV file.

One row is one suggestion of one consultation; rows with the same unit, topic and session date
are one consultation (the topic's columns are read from its first row). Reading happens in two
passes, all or nothing:

1. ``ledger_parse`` reads the file (xlsx, or CSV in UTF-8 or GBK/GB18030, as Excel in Chinese
   saves it), checks the header, each cell (dates in the three accepted styles, known units,
   members, choices) and duplicate rows, and names every problem by row and column. Nothing is
   written.
2. ``ledger_import`` runs every consultation through ``backentry.consultation_back_enter`` in
   one transaction. ``dry_run`` (the preview) rolls it all back but still reports, per row, what
   the services refused (e.g. a session dated before its research). A real import stops at the
   first refusal and writes nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.errors import DomainError
from portal.forms import DATE_FORMATS

from .backentry import BackEntry, BackSuggestion, consultation_back_enter, split_line_field
from .models import Channel, Ending, ResearchKind, Route, SessionForm
from .selectors import back_entry_choices

MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header in the template (the file's first row)
    label: object
    required: bool = False


COLUMNS = [
    Column("unit", "单位", gettext_lazy("Unit"), True),
    Column("title", "议题", gettext_lazy("Topic"), True),
    Column("channel", "渠道", gettext_lazy("Channel")),
    Column("category", "类别", gettext_lazy("Category")),
    Column("raised_on", "提出日期", gettext_lazy("Raised on"), True),
    Column("approved_on", "定题日期", gettext_lazy("Approved on"), True),
    Column("research_done_on", "调研日期", gettext_lazy("Research date"), True),
    Column("research_findings", "调研情况", gettext_lazy("Findings")),
    Column("held_on", "协商日期", gettext_lazy("Held on"), True),
    Column("session_form", "协商形式", gettext_lazy("Form")),
    Column("venue", "地点", gettext_lazy("Venue"), True),
    Column("members_attended", "参加委员", gettext_lazy("Members present")),
    Column("members_absent", "缺席委员", gettext_lazy("Members invited but absent")),
    Column("residents_count", "群众人次", gettext_lazy("Residents present (person-times)")),
    Column("outcome_summary", "协商成果", gettext_lazy("Result (public)"), True),
    Column("outcome_recorded_on", "成果日期", gettext_lazy("Outcome date")),
    Column("suggestion", "建议", gettext_lazy("Suggestion")),
    Column("route", "责任方", gettext_lazy("Responsible party")),
    Column("handling_unit", "承办单位", gettext_lazy("Handling unit")),
    Column("routed_on", "报送日期", gettext_lazy("Routed on")),
    Column("ending", "办理结果", gettext_lazy("Ending")),
    Column("feedback", "反馈", gettext_lazy("Feedback")),
    Column("closed_on", "反馈日期", gettext_lazy("Feedback given on")),
    Column("topic_closed_on", "办结日期", gettext_lazy("Closed on")),
    Column("followup_done_on", "回头看日期", gettext_lazy("Follow-up review (回头看) on")),
    Column("followup_findings", "回头看情况", gettext_lazy("Follow-up findings")),
]
BY_HEADER = {c.header: c for c in COLUMNS}
BY_KEY = {c.key: c for c in COLUMNS}
TEMPLATE_EXAMPLE = {
    "unit": "庆相桥社区", "title": "小区停车难", "channel": "群众出题", "category": "民生", "raised_on": "2025-03-02",
    "approved_on": "2025/03/10", "research_done_on": "2025年3月20日", "research_findings": "走访三个小区",
    "held_on": "2025-04-08", "session_form": "协商议事会", "venue": "社区协商议事厅", "members_attended": "张三、李四",
    "members_absent": "", "residents_count": "12", "outcome_summary": "启用地下车库，补划车位",
    "outcome_recorded_on": "2025-04-08", "suggestion": "协调开发商启用地下停车场", "route": "社区两委",
    "handling_unit": "", "routed_on": "2025-04-10", "ending": "解决", "feedback": "已补增300个车位",
    "closed_on": "2025-06-30", "topic_closed_on": "2025-07-01", "followup_done_on": "2025-10-15",
    "followup_findings": "车位运行良好",
}

# Words a ledger uses for the choices, besides the codes and the portal's own labels.
ENDING_WORDS = {"解决": Ending.SOLVED, "已解决": Ending.SOLVED, "解释": Ending.EXPLAINED, "争取理解": Ending.EXPLAINED,
                "解释说明": Ending.EXPLAINED, "提请民主监督": Ending.ESCALATED, "民主监督": Ending.ESCALATED}
ROUTE_WORDS = {"社区两委": Route.COMMUNITY, "两委": Route.COMMUNITY, "职能部门": Route.DEPARTMENT,
               "部门": Route.DEPARTMENT, "物业": Route.PROPERTY, "物业公司": Route.PROPERTY,
               "社会组织": Route.PROPERTY, "党组织": Route.PARTY}
CHANNEL_WORDS = {"党委政府点题": Channel.PARTY_GOV, "委员荐题": Channel.MEMBER, "群众出题": Channel.RESIDENT,
                 "社会征集": Channel.PUBLIC_CALL, "社情民意": Channel.OPINION, "接待日": Channel.RECEPTION,
                 "线上议事厅": Channel.HALL}
FORM_WORDS = {"会场": SessionForm.HALL, "现场": SessionForm.ON_SITE, "线上": SessionForm.ONLINE,
              "直播": SessionForm.LIVE, "恳谈会": SessionForm.DIALOGUE, "听证会": SessionForm.HEARING,
              "板凳会": SessionForm.BENCH, "协商议事会": SessionForm.COUNCIL, "其他": SessionForm.OTHER}
SPLIT = str.maketrans(dict.fromkeys("、，;；/ \n", ","))


@dataclass
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str  # the Chinese header, or "" for the whole row
    message: str

    def __str__(self):
        if self.column:
            return _("Row %(row)d, column %(column)s: %(message)s") % {
                "row": self.row, "column": self.column, "message": self.message}
        return _("Row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class LedgerGroup:
    rows: list[int]
    entry: BackEntry
    suggestion_rows: list[int] = field(default_factory=list)  # the row of each suggestion, in order


@dataclass
class LedgerResult:
    groups: list[LedgerGroup] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    imported: list = field(default_factory=list)  # topics (after a real import)

    @property
    def ok(self) -> bool:
        return not self.errors


class LedgerFileError(DomainError):
    """The file as a whole cannot be read (type, encoding, header, size)."""


# ------------------------------------------------------------------------------------- reading

def _decode_csv(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerFileError(_("The CSV file could not be read: save it as UTF-8 or GBK."), field="file")


def read_rows(upload_name: str, data: bytes) -> list[list[str]]:
    """The file's rows as lists of strings (the header first)."""
    if len(data) > MAX_BYTES:
        raise LedgerFileError(_("The file is too large (at most %(mb)d MB).") % {"mb": MAX_BYTES // (1024 * 1024)},
                              field="file")
    if not data:
        raise LedgerFileError(_("The file is empty."), field="file")
    name = (upload_name or "").lower()
    if name.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise LedgerFileError(_("The file's content does not match its type; it may be damaged."), field="file")
        import openpyxl

        try:
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged file
            raise LedgerFileError(_("The Excel file could not be read; it may be damaged."), field="file")
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append([_cell(v) for v in values])
            if len(rows) > MAX_ROWS + 1:
                break
        book.close()
        return rows
    if name.endswith(".csv"):
        text = _decode_csv(data)
        return list(csv.reader(io.StringIO(text)))
    raise LedgerFileError(_("Upload the ledger as an Excel (.xlsx) or CSV file."), field="file")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _date(text: str) -> datetime.date:
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("Enter a date such as 2026-11-25, 2026/11/25 or 2026年11月25日."))


def _choice(text: str, words: dict, choices) -> str:
    if text in choices.values:
        return text
    if text in words:
        return words[text]
    for value, label in choices.choices:
        if text == str(label):
            return value
    raise ValueError(_("Unknown value “%(v)s”; use one of: %(choices)s.")
                     % {"v": text[:40], "choices": "、".join(words)})


class _Lookup:
    """Names → records among what the user may use; ambiguous names are errors, not guesses."""

    def __init__(self, records, what):
        self.by_name: dict[str, list] = {}
        for record in records:
            self.by_name.setdefault(record.name, []).append(record)
            code = getattr(record, "code", "") or getattr(record, "id_key", "")
            if code:
                self.by_name.setdefault(code, []).append(record)
        self.what = what

    def get(self, name: str):
        found = self.by_name.get(name, [])
        if not found:
            raise ValueError(_("Unknown %(what)s “%(name)s” (not in your units).") % {"what": self.what,
                                                                                       "name": name[:40]})
        if len(found) > 1:
            raise ValueError(_("“%(name)s” names more than one %(what)s; use the code instead.")
                             % {"name": name[:40], "what": self.what})
        return found[0]


def ledger_parse(*, user, upload_name: str, data: bytes) -> LedgerResult:
    """Read and check the file; names every problem by row and column. Writes nothing."""
    rows = read_rows(upload_name, data)
    if not rows or not any(rows[0]):
        raise LedgerFileError(_("The file has no header row. Download the template and fill it in."), field="file")
    header = [h.strip() for h in rows[0]]
    unknown = [h for h in header if h and h not in BY_HEADER]
    missing = [c.header for c in COLUMNS if c.required and c.header not in header]
    if unknown or missing:
        parts = []
        if missing:
            parts.append(_("missing columns: %(cols)s") % {"cols": "、".join(missing)})
        if unknown:
            parts.append(_("unknown columns: %(cols)s") % {"cols": "、".join(h[:20] for h in unknown[:10])})
        raise LedgerFileError(_("The columns do not match the template (%(details)s). Download the template.")
                              % {"details": "; ".join(parts)}, field="file")
    body = rows[1:]
    while body and not any(c.strip() for c in body[-1]):
        body.pop()
    if len(body) > MAX_ROWS:
        raise LedgerFileError(_("The file has more than %(n)d rows; split it into several files.") % {"n": MAX_ROWS},
                              field="file")
    if not body:
        raise LedgerFileError(_("The file has no rows below the header."), field="file")
    units_qs, members_qs, handling_qs = back_entry_choices(user=user)
    units = _Lookup(units_qs.only("pk", "name", "code", "path", "kind"), _("unit"))
    members = _Lookup(members_qs.only("pk", "name", "id_key", "org_unit_id", "org_path"), _("member"))
    handling = _Lookup(handling_qs.only("pk", "name", "code", "path", "kind"), _("handling unit"))
    result = LedgerResult(rows=len(body))
    index = {h: i for i, h in enumerate(header) if h}
    seen_rows: dict[tuple, int] = {}
    groups: dict[tuple, LedgerGroup] = {}
    for offset, raw in enumerate(body):
        number = offset + 2
        if not any(c.strip() for c in raw):
            continue
        cells = {c.key: (raw[index[c.header]].strip() if c.header in index and index[c.header] < len(raw) else "")
                 for c in COLUMNS}
        errors_before = len(result.errors)

        def fail(key, message, number=number):
            result.errors.append(RowError(number, BY_KEY[key].header if key else "", str(message)))

        values = {}
        for column in COLUMNS:
            if column.required and not cells[column.key]:
                fail(column.key, _("This column is required."))
        for key in ("raised_on", "approved_on", "research_done_on", "held_on", "outcome_recorded_on", "routed_on",
                    "closed_on", "topic_closed_on", "followup_done_on"):
            if cells[key]:
                try:
                    values[key] = _date(cells[key])
                except ValueError as exc:
                    fail(key, exc)
        for key, lookup in (("unit", units), ("handling_unit", handling)):
            if cells[key]:
                try:
                    values[key] = lookup.get(cells[key])
                except ValueError as exc:
                    fail(key, exc)
        for key in ("members_attended", "members_absent"):
            values[key] = []
            for name in filter(None, (n.strip() for n in cells[key].translate(SPLIT).split(","))):
                try:
                    values[key].append(members.get(name))
                except ValueError as exc:
                    fail(key, exc)
        for key, words, choices, default in (("channel", CHANNEL_WORDS, Channel, Channel.RESIDENT),
                                             ("session_form", FORM_WORDS, SessionForm, SessionForm.COUNCIL),
                                             ("route", ROUTE_WORDS, Route, ""), ("ending", ENDING_WORDS, Ending, "")):
            try:
                values[key] = _choice(cells[key], words, choices) if cells[key] else default
            except ValueError as exc:
                fail(key, exc)
        try:
            values["residents_count"] = int(cells["residents_count"] or 0)
            if not 0 <= values["residents_count"] <= 1_000_000:
                raise ValueError
        except ValueError:
            fail("residents_count", _("Enter a whole number of people (0 or more)."))
        if cells["suggestion"] and not cells["route"]:
            fail("route", _("Give the responsible party of the suggestion."))
        if cells["suggestion"] and not cells["routed_on"]:
            fail("routed_on", _("Give the day the suggestion was routed."))
        if cells["ending"] and not cells["feedback"]:
            fail("feedback", _("Give the feedback for a suggestion that has ended."))
        for key in ("title", "venue"):
            if len(cells[key]) > 200:
                fail(key, _("Too long (at most %(n)d characters).") % {"n": 200})
        row_key = tuple(cells[c.key] for c in COLUMNS)
        if row_key in seen_rows:
            fail(None, _("Duplicate of row %(n)d.") % {"n": seen_rows[row_key]})
            continue
        seen_rows[row_key] = number
        if len(result.errors) > errors_before:
            continue
        consultation_key = (values["unit"].pk, cells["title"], values["held_on"])
        suggestion = None
        if cells["suggestion"]:
            suggestion = BackSuggestion(
                text=cells["suggestion"], route=values["route"], routed_on=values["routed_on"],
                handling_unit=values.get("handling_unit"), ending=values["ending"], feedback=cells["feedback"],
                closed_on=values.get("closed_on"))
        group = groups.get(consultation_key)
        if group is None:
            group = groups[consultation_key] = LedgerGroup(rows=[number], entry=BackEntry(
                org_unit=values["unit"], title=cells["title"], channel=values["channel"], category=cells["category"][:40],
                raised_on=values["raised_on"], approved_on=values["approved_on"],
                research_done_on=values["research_done_on"], research_kind=ResearchKind.VISIT,
                research_findings=cells["research_findings"], held_on=values["held_on"],
                session_form=values["session_form"], venue=cells["venue"],
                members_attended=values["members_attended"], members_absent=values["members_absent"],
                residents_count=values["residents_count"], outcome_summary=cells["outcome_summary"],
                outcome_recorded_on=values.get("outcome_recorded_on"), closed_on=values.get("topic_closed_on"),
                followup_done_on=values.get("followup_done_on"), followup_findings=cells["followup_findings"],
                source_ref=_("ledger row %(n)d") % {"n": number}))
        else:
            group.rows.append(number)
        if suggestion is not None:
            group.entry.suggestions.append(suggestion)
            group.suggestion_rows.append(number)
    result.groups = list(groups.values())
    return result


def _field_column(field_name: str | None) -> str:
    """The ledger column of a service error's field (``s0_closed_on`` → 反馈日期)."""
    if not field_name:
        return ""
    line, name = split_line_field(field_name)
    mapping = {"text": "suggestion", "closed_on": "closed_on", "org_unit": "unit", "description": "title",
               "members": "members_attended", "attendance": "members_attended", "member": "members_attended",
               "research_findings": "research_findings", "findings": "research_findings"}
    if line is None and name == "closed_on":
        name = "topic_closed_on"
    key = mapping.get(name, name)
    return BY_KEY[key].header if key in BY_KEY else ""


def ledger_import(*, user, result: LedgerResult, dry_run: bool) -> LedgerResult:
    """Run the parsed ledger through the services in ONE transaction. A dry run (the preview)
    checks every consultation in its own savepoint and rolls everything back; a real import
    stops at the first refusal and leaves nothing written."""
    if result.errors:
        return result

    class _Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            for group in result.groups:
                try:
                    with transaction.atomic():
                        topic = consultation_back_enter(actor=user, entry=group.entry)
                except DomainError as exc:
                    row = group.rows[0]
                    i, _name = split_line_field(exc.field)
                    if i is not None and i < len(group.suggestion_rows):
                        row = group.suggestion_rows[i]
                    result.errors.append(RowError(row, _field_column(exc.field), str(exc.message)))
                    if not dry_run:
                        raise _Rollback
                    continue
                result.imported.append(topic)
            if dry_run or result.errors:
                raise _Rollback
    except _Rollback:
        if not dry_run:
            result.imported = []
    return result


def template_xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append([c.header for c in COLUMNS])
    sheet.append([TEMPLATE_EXAMPLE.get(c.key, "") for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in COLUMNS])
    writer.writerow([TEMPLATE_EXAMPLE.get(c.key, "") for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")

