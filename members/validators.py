"""Uploaded evidence: size and real type (by content, not by name) are checked."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.uploads import content_matches

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
ALLOWED = {".jpg", ".jpeg", ".png", ".pdf", ".docx", ".xlsx"}


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
    if not content_matches(upload, ext):
        raise ValidationError(_("The file's content does not match its type %(ext)s.") % {"ext": ext}, code="content")
