"""Reading generated Word documents back as text, in reading order (paragraphs and table rows)."""

from __future__ import annotations

import io
from urllib.parse import unquote

from docx import Document


def docx_lines(content: bytes) -> list[str]:
    doc = Document(io.BytesIO(content))
    lines = []
    body = doc.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(t.text or "" for t in child.iter() if t.tag.endswith("}t"))
            if text.strip():
                lines.append(text.strip())
        elif tag == "tbl":
            for row in child.iter():
                if row.tag.endswith("}tr"):
                    cells = []
                    for cell in row.iter():
                        if cell.tag.endswith("}tc"):
                            cells.append("".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t")))
                    lines.append(" | ".join(cells))
    return lines


def download_name(response) -> str:
    """The file name of a download, read from RFC 5987's filename*=UTF-8''…"""
    header = response["Content-Disposition"]
    assert header.startswith("attachment;"), header
    assert "filename*=utf-8''" in header.lower(), header
    return unquote(header.split("''", 1)[1])


def repeated(lines: list[str]) -> list[str]:
    """Paragraphs (longer than a few characters) that occur more than once; table rows (" | ")
    are left out, since a header row is repeated on purpose."""
    seen, twice = set(), []
    for line in (line for line in lines if " | " not in line):
        if len(line) > 6 and line in seen:
            twice.append(line)
        seen.add(line)
    return twice
