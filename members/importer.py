"""Bulk import of members from Excel (.xlsx) or CSV. The whole file is checked first and every
bad row reported; nothing is written until the file is clean, and then everything is written in
one transaction (all or nothing)."""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations import permissions
from organizations.models import Body, BodyKind, OrgUnit
from portal.audit import audit_log
from portal.errors import NotAllowed

from . import services
from .models import Member, MemberLevel

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000

# column key -> accepted headers (Chinese and English, case-insensitive)
COLUMNS = {
    "name": ["姓名", "name"],
    "id_key": ["身份证号", "身份证号码", "证件号", "id_key", "identity key"],
    "gender": ["性别", "gender"],
    "level": ["层级", "委员层级", "level"],
    "term": ["届次", "term"],
    "sector": ["界别", "sector"],
    "committee": ["专委会", "专门委员会", "committee"],
    "party": ["党派", "政治面貌", "party"],
    "work_unit": ["工作单位", "work unit", "work_unit"],
    "position": ["职务", "position"],
    "phone": ["手机", "手机号", "联系电话", "phone"],
    "expertise": ["特长", "专长", "expertise"],
    "postings": ["下沉", "下沉单位", "联系乡镇", "postings"],
    "joined_on": ["任职日期", "任职时间", "joined on", "joined_on", "member since"],
}
REQUIRED = ["name", "id_key"]
COLUMN_LABELS = {"name": gettext_lazy("name"), "id_key": gettext_lazy("identity key")}
GENDERS = {"男": "m", "女": "f", "m": "m", "f": "f", "male": "m", "female": "f"}
LEVELS = {"全国": MemberLevel.NATIONAL, "省": MemberLevel.PROVINCE, "省级": MemberLevel.PROVINCE,
          "市": MemberLevel.CITY, "市级": MemberLevel.CITY, "县": MemberLevel.COUNTY, "县级": MemberLevel.COUNTY,
          "区": MemberLevel.COUNTY, "区级": MemberLevel.COUNTY, **{v: v for v in MemberLevel.values}}


EARLIEST_JOINED = datetime.date(1949, 10, 1)


def _parse_date(text: str) -> datetime.date | None:
    """2026-11-25, 2026/11/25 or 2026年11月25日 (spreadsheet cells may carry a time: ignored)."""
    from portal.forms import DATE_FORMATS

    text = text.strip().split(" ")[0]
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class ImportFileError(Exception):
    """The file as a whole cannot be read (type, encoding, missing columns)."""

    def __init__(self, message):
        self.message = message
        super().__init__(message)


@dataclass
class ImportResult:
    rows: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _read_rows(upload) -> list[list[str]]:
    name = (getattr(upload, "name", "") or "").lower()
    if getattr(upload, "size", 0) > MAX_BYTES:
        raise ImportFileError(_("The file is larger than 5 MB."))
    upload.seek(0)
    data = upload.read()
    if name.endswith(".xlsx"):
        if not data.startswith(b"PK"):
            raise ImportFileError(_("This is not an Excel (.xlsx) file."))
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            return [["" if v is None else str(v).strip() for v in row] for row in sheet.iter_rows(values_only=True)]
        except Exception:  # noqa: BLE001 - any broken workbook is the same message to the user
            raise ImportFileError(_("The Excel file could not be read. Save it again as .xlsx and retry."))
    if name.endswith(".csv"):
        text = _decode(data)
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    raise ImportFileError(_("Upload an Excel (.xlsx) or CSV file."))


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030 (what Excel saves on Chinese Windows); a file
    whose lines are in different encodings is refused rather than imported as mojibake."""
    utf8_lines = bad_lines = 0
    for line in data.split(b"\n"):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
        except UnicodeDecodeError:
            bad_lines += 1
    if utf8_lines and bad_lines:
        raise ImportFileError(_("The file mixes text encodings. Save it as UTF-8 (or as .xlsx) and retry."))
    try:
        return data.decode("utf-8-sig") if not bad_lines else data.decode("gb18030")
    except UnicodeDecodeError:
        raise ImportFileError(_("The file's text encoding is not recognised. Save it as UTF-8 or .xlsx and retry."))


def _map_header(header: list[str]) -> dict[str, int]:
    lookup = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    mapping = {}
    for index, title in enumerate(header):
        key = lookup.get(title.strip().lower())
        if key and key not in mapping:
            mapping[key] = index
    missing = [k for k in REQUIRED if k not in mapping]
    if missing:
        raise ImportFileError(_("Missing columns: %(cols)s. The first row must name the columns (姓名, 身份证号 …).")
                              % {"cols": "、".join(COLUMNS[k][0] for k in missing)})
    return mapping


def check_file(*, actor, unit: OrgUnit, upload) -> ImportResult:
    """Read and check every row; nothing is written."""
    if not permissions.has_role(actor, services.CLERKS, unit):
        raise NotAllowed()
    result = ImportResult()
    try:
        raw = [r for r in _read_rows(upload) if any(c for c in r)]
        if not raw:
            raise ImportFileError(_("The file is empty."))
        mapping = _map_header(raw[0])
    except ImportFileError as exc:
        result.errors.append(str(exc.message))
        return result
    if len(raw) - 1 > MAX_ROWS:
        result.errors.append(_("At most %(n)d rows can be imported at once.") % {"n": MAX_ROWS})
        return result
    bodies = {}
    for body in Body.objects.filter(unit_id__in=unit.ancestor_ids, is_active=True).select_related("unit"):
        bodies.setdefault((body.kind, body.name), body)
    units_below = {}
    for u in permissions.units_visible_to(actor, roles=services.CLERKS).filter(
            path__startswith=unit.path, kind__in=services.POSTABLE_KINDS):
        units_below.setdefault(u.name, []).append(u)
        if u.short_name:
            units_below.setdefault(u.short_name, []).append(u)
    keys_in_file: dict[str, int] = {}
    all_keys = []
    for line, row in enumerate(raw[1:], start=2):
        def cell(key, row=row):
            index = mapping.get(key)
            return row[index].strip() if index is not None and index < len(row) else ""

        errors = []
        data = {"line": line, "name": cell("name"), "id_key": cell("id_key").upper()}
        for key in REQUIRED:
            if not data[key]:
                errors.append(_("%(col)s is empty") % {"col": COLUMN_LABELS[key]})
        if len(data["name"]) > 60:
            errors.append(_("the name is longer than 60 characters"))
        if len(data["id_key"]) > 40:
            errors.append(_("the identity key is longer than 40 characters"))
        if data["id_key"]:
            if data["id_key"] in keys_in_file:
                errors.append(_("the identity key repeats row %(row)d") % {"row": keys_in_file[data["id_key"]]})
            keys_in_file.setdefault(data["id_key"], line)
            all_keys.append((line, data["id_key"]))
        gender = cell("gender").lower()
        data["gender"] = GENDERS.get(gender, "")
        if gender and not data["gender"]:
            errors.append(_("unknown gender “%(v)s”") % {"v": gender})
        level = cell("level")
        data["level"] = LEVELS.get(level, MemberLevel.COUNTY if not level else None)
        if data["level"] is None:
            errors.append(_("unknown level “%(v)s”") % {"v": level})
        for key, kind in (("sector", BodyKind.SECTOR), ("committee", BodyKind.COMMITTEE)):
            name = cell(key)
            data[key] = bodies.get((kind, name)) if name else None
            if name and data[key] is None:
                errors.append(_("no %(what)s named “%(v)s” in %(unit)s") % {
                    "what": _("sector") if key == "sector" else _("special committee"), "v": name, "unit": unit.name})
        for key, limit in (("term", 40), ("party", 40), ("work_unit", 100), ("position", 100), ("phone", 20),
                           ("expertise", 200)):
            data[key] = cell(key)
            if len(data[key]) > limit:
                errors.append(_("%(col)s is longer than %(n)d characters") % {"col": COLUMNS[key][0], "n": limit})
        joined = cell("joined_on")
        data["joined_on"] = None
        if joined:
            data["joined_on"] = _parse_date(joined)
            if data["joined_on"] is None:
                errors.append(_("“%(v)s” is not a date such as 2026-11-25, 2026/11/25 or 2026年11月25日") % {"v": joined})
            elif data["joined_on"] > timezone.localdate() or data["joined_on"] < EARLIEST_JOINED:
                errors.append(_("the date of taking office “%(v)s” is in the future or before 1949") % {"v": joined})
                data["joined_on"] = None
        data["postings"] = []
        for name in [p.strip() for p in cell("postings").replace("，", "、").replace(",", "、").split("、") if p.strip()]:
            found = units_below.get(name, [])
            if len(found) != 1:
                errors.append(_("posting “%(v)s” is not a township or community in your area") % {"v": name}
                              if not found else _("posting “%(v)s” is ambiguous") % {"v": name})
            else:
                data["postings"].append(found[0])
        data["errors"] = errors
        result.rows.append(data)
    existing = set(Member.objects.filter(id_key__in=[k for _line, k in all_keys]).values_list("id_key", flat=True))
    for data in result.rows:
        if data["id_key"] in existing:
            data["errors"].append(_("a member with this identity key already exists"))
        for message in data["errors"]:
            result.errors.append(_("Row %(row)d: %(error)s") % {"row": data["line"], "error": message})
    return result


def import_file(*, actor, unit: OrgUnit, upload) -> ImportResult:
    """Check, then write every row in one transaction — or nothing."""
    result = check_file(actor=actor, unit=unit, upload=upload)
    if not result.ok:
        return result
    with transaction.atomic():
        # one batch: the members, their postings, audit events and marks as if created one by one
        services.member_create_many(actor=actor, unit=unit, rows=[{
            "committees": [data["committee"]] if data["committee"] else [], "postings": data["postings"],
            "name": data["name"], "id_key": data["id_key"], "gender": data["gender"], "level": data["level"],
            "term": data["term"], "sector": data["sector"], "party": data["party"], "work_unit": data["work_unit"],
            "position": data["position"], "phone": data["phone"], "expertise": data["expertise"],
            # members on an old register took office long before the import; without the
            # column they count from today (pro rata minimum, no escalation this year)
            **({"joined_on": data["joined_on"]} if data["joined_on"] else {})} for data in result.rows])
        result.created = len(result.rows)
        audit_log(actor=actor, action="members.import", target=unit,
                  after={"created": result.created, "file": getattr(upload, "name", "")})
    return result


# --- the checked file kept between preview and confirm ------------------------------------------
# The preview stores the uploaded bytes in private storage (MEDIA_ROOT is never served by a URL)
# under an unguessable name; the session keeps a signed token naming the file, its owner and the
# unit, so "Import" on the preview page needs no second upload. The token cannot be forged or
# reused by another user, and it expires.

STASH_PREFIX = "members/import-stash"
STASH_SALT = "members.import.stash"
STASH_MAX_AGE = datetime.timedelta(hours=2)


def stash_upload(*, actor, unit: OrgUnit, upload) -> str:
    """Keep the checked file; returns the signed token for the session."""
    import os
    import uuid

    from django.core import signing
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    original = os.path.basename(getattr(upload, "name", "") or "")
    ext = os.path.splitext(original)[1].lower()
    if ext not in (".xlsx", ".csv"):
        raise ImportFileError(_("Upload an Excel (.xlsx) or CSV file."))
    _purge_old_stashes()
    upload.seek(0)
    stored = default_storage.save(f"{STASH_PREFIX}/{uuid.uuid4().hex}{ext}", ContentFile(upload.read()))
    return signing.dumps({"f": stored, "n": original[:200], "u": actor.pk, "unit": unit.pk}, salt=STASH_SALT)


@dataclass
class Stash:
    token: str
    stored: str
    name: str
    unit_id: int

    def open(self):
        """The kept file as an upload (same name, same bytes)."""
        from django.core.files.storage import default_storage
        from django.core.files.uploadedfile import SimpleUploadedFile

        try:
            with default_storage.open(self.stored, "rb") as handle:
                return SimpleUploadedFile(self.name, handle.read())
        except (FileNotFoundError, OSError):
            raise ImportFileError(_("The checked file is no longer kept. Choose it again and check it."))


def load_stash(*, actor, token: str | None) -> Stash | None:
    """The kept file a session token names, or None (no token, forged, expired, another user's)."""
    from django.core import signing

    if not token:
        return None
    try:
        data = signing.loads(token, salt=STASH_SALT, max_age=STASH_MAX_AGE)
        if data["u"] != actor.pk or not str(data["f"]).startswith(STASH_PREFIX + "/"):
            return None
        return Stash(token=token, stored=data["f"], name=data["n"], unit_id=int(data["unit"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def discard_stash(stash: Stash | None) -> None:
    from django.core.files.storage import default_storage

    if stash is not None:
        with contextlib.suppress(OSError):
            default_storage.delete(stash.stored)


def _purge_old_stashes() -> None:
    """Kept files older than their tokens are of no use: remove them (cheap, one directory)."""
    from django.core.files.storage import default_storage

    limit = timezone.now() - STASH_MAX_AGE
    try:
        _dirs, files = default_storage.listdir(STASH_PREFIX)
    except (FileNotFoundError, OSError, NotImplementedError):
        return
    for name in files:
        path = f"{STASH_PREFIX}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
        except (FileNotFoundError, OSError, NotImplementedError):
            continue


TEMPLATE_HEADER = ["姓名", "身份证号", "性别", "层级", "届次", "界别", "专委会", "党派", "工作单位", "职务", "手机", "特长",
                   "下沉"]
