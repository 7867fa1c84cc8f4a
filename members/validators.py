"""Uploaded evidence: size and real type (by content, not by name) are checked."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
ALLOWED = {
    ".jpg": [b"\xff\xd8\xff"], ".jpeg": [b"\xff\xd8\xff"], ".png": [b"\x89PNG\r\n\x1a\n"],
    ".pdf": [b"%PDF-"], ".docx": [b"PK\x03\x04"], ".xlsx": [b"PK\x03\x04"],
}


def validate_evidence(upload) -> None:
    """Raise ValidationError unless `upload` is a JPEG, PNG, PDF, DOCX or XLSX of at most 10 MB
    whose content matches its extension."""
    if upload is None:
        return
    name = (getattr(upload, "name", "") or "").lower()
    ext = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if ext not in ALLOWED:
        raise ValidationError(_("Upload a photo (JPG, PNG), a PDF or a Word/Excel file."), code="type")
    size = getattr(upload, "size", None) or 0
    if size > MAX_EVIDENCE_BYTES:
        raise ValidationError(_("The file is larger than 10 MB."), code="size")
    if size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in ALLOWED[ext]):
        raise ValidationError(_("The file's content does not match its type %(ext)s.") % {"ext": ext}, code="content")
