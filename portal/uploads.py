"""What an uploaded file really is: its first bytes must match its extension. Apps keep their own
lists of accepted extensions, size limits and messages, and share this table and check."""

from __future__ import annotations

OFFICE_ZIP = [b"PK\x03\x04"]
OFFICE_OLE = [b"\xd0\xcf\x11\xe0"]
JPEG = [b"\xff\xd8\xff"]

# extension (lower case, with the dot) → accepted leading bytes; [] means plain UTF-8 text
SIGNATURES: dict[str, list[bytes]] = {
    ".pdf": [b"%PDF"],
    ".docx": OFFICE_ZIP, ".xlsx": OFFICE_ZIP, ".pptx": OFFICE_ZIP,
    ".doc": OFFICE_OLE, ".xls": OFFICE_OLE,
    ".jpg": JPEG, ".jpeg": JPEG, ".png": [b"\x89PNG\r\n\x1a\n"],
    ".txt": [],
}


def content_matches(upload, ext: str) -> bool:
    """True when the upload's first bytes fit `ext` (a key of SIGNATURES). Leaves the file at 0."""
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    signatures = SIGNATURES[ext]
    if signatures:
        return any(head.startswith(sig) for sig in signatures)
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 4  # a multi-byte character cut at the end of the sample
    return True
