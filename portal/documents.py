"""What every generated document shares: the two page layouts, the download response, and small
text helpers. Apps build their Word files from docxtpl templates staff can edit; the built-in
templates are made with these layouts.

- **Official** (公文格式, GB/T 9704-2012) for what goes to leaders or other bodies — reply letters,
  社情民意 issues, the annual report pack, notices: A4, margins top 37 mm / bottom 35 mm / left 28 mm /
  right 26 mm, title in 方正小标宋简体 (2号, 22 pt), body in 仿宋_GB2312 (3号, 16 pt) with a fixed
  28.95 pt line pitch (22 lines of 28 characters), page numbers "— 1 —" in 宋体 4号 at the outer
  edge, issuing body and date at the end.
- **Plain** for working documents — minutes, registers, duty reports: A4, 25 mm margins, 宋体 12 pt,
  headings in 黑体, page number centred.

The font names are the ones Chinese offices have installed. Where they are missing (Debian
servers, LibreOffice) fontconfig substitutes free fonts that ship with Debian: see
``deploy/fontconfig/65-portal-gbt9704.conf`` (方正小标宋/黑体 → Noto Sans/Serif CJK SC bold,
仿宋/宋体/楷体 → Noto Serif CJK SC, then WenQuanYi Micro Hei).
"""

from __future__ import annotations

import io

from .files import download, safe_filename

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
KAITI_FONT = "楷体_GB2312"
PLAIN_FONT = "宋体"
LATIN_FONT = "Times New Roman"

OFFICIAL, PLAIN = "official", "plain"

def file_response(data: bytes, filename: str, content_type: str = DOCX):
    """A generated document's download (`portal.files.download`, the name made safe)."""
    return download(data, safe_filename(filename), content_type=content_type)


def docx_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def count_label(numerator: int | float | None, denominator: int | float | None) -> str:
    """A rate as people read it in a report: "75%（3/4）", and "—" when there is nothing to divide
    (never "0.0%" for 0/0)."""
    if not denominator:
        return "—"
    percent = 100 * (numerator or 0) / denominator
    text = f"{percent:.0f}%" if abs(percent - round(percent)) < 0.05 else f"{percent:.1f}%"
    return f"{text}（{_number(numerator or 0)}/{_number(denominator)}）"


def figure_label(value, unit: str = "") -> str:
    """A figure for a table: zero (or nothing) is "—", anything else keeps its unit."""
    if value in (None, "", 0, 0.0):
        return "—"
    return f"{_number(value)}{unit}"


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


# ── page layout ─────────────────────────────────────────────────────────────────────────────


def _set_fonts(style_or_run, *, east_asian: str, latin: str = LATIN_FONT, size_pt: float | None = None,
               bold: bool | None = None) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = style_or_run.font
    font.name = latin
    if size_pt is not None:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    element = style_or_run.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asian)


def _page_number_footer(section, *, official: bool) -> None:
    """"— 1 —" (official) or "1" (plain) in the footer, from Word's PAGE field."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    footer = section.footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    for run in list(paragraph.runs):
        run._r.getparent().remove(run._r)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def run(text=None):
        r = paragraph.add_run(text)
        _set_fonts(r, east_asian=PLAIN_FONT, size_pt=14 if official else 10.5)
        return r

    if official:
        run("— ")
    field = run()
    for tag, attrs, text in (("w:fldChar", {"w:fldCharType": "begin"}, None),
                             ("w:instrText", {"xml:space": "preserve"}, " PAGE "),
                             ("w:fldChar", {"w:fldCharType": "separate"}, None)):
        element = OxmlElement(tag)
        for key, value in attrs.items():
            element.set(qn(key), value)
        if text:
            element.text = text
        field._r.append(element)
    number = run("1")
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    number._r.append(end)
    if official:
        run(" —")


def apply_layout(document, kind: str = PLAIN) -> None:
    """Page size, margins, fonts of the body/heading/title styles and the page-number footer."""
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt, RGBColor

    official = kind == OFFICIAL
    for section in document.sections:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        if official:
            section.top_margin, section.bottom_margin = Mm(37), Mm(35)
            section.left_margin, section.right_margin = Mm(28), Mm(26)
        else:
            section.top_margin = section.bottom_margin = Mm(25)
            section.left_margin = section.right_margin = Mm(25)
        section.footer_distance = Mm(18 if official else 12)
        _page_number_footer(section, official=official)

    styles = document.styles
    normal = styles["Normal"]
    _set_fonts(normal, east_asian=BODY_FONT if official else PLAIN_FONT, size_pt=16 if official else 12)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after = Pt(0), Pt(0 if official else 4)
    if official:
        fmt.line_spacing = Pt(28.95)
    else:
        fmt.line_spacing = 1.3
    for name, size, font in (("Title", 22, TITLE_FONT), ("Heading 1", 22 if official else 18, TITLE_FONT
                                                         if official else HEADING_FONT),
                             ("Heading 2", 16 if official else 14, HEADING_FONT),
                             ("Heading 3", 16 if official else 12, KAITI_FONT if official else HEADING_FONT)):
        style = styles[name]
        _set_fonts(style, east_asian=font, size_pt=size, bold=name != "Heading 3" and not official
                   or name == "Heading 3" and official)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.italic = False
        style.paragraph_format.space_before = Pt(6 if not official else 0)
        style.paragraph_format.space_after = Pt(6 if not official else 0)
        style.paragraph_format.keep_with_next = True
        if official:
            style.paragraph_format.line_spacing = Pt(28.95) if name != "Heading 1" and name != "Title" else Pt(36)
    if official:
        # The title (2号 方正小标宋) is not bold; headings of level 1 (一、) are 黑体 3号.
        styles["Heading 2"].font.bold = False


def new_document(kind: str = PLAIN):
    from docx import Document

    document = Document()
    apply_layout(document, kind)
    return document


def centered_title(document, text: str, *, style: str = "Heading 1"):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    paragraph = document.add_paragraph(text, style=style)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return paragraph


def body_paragraph(document, text: str, *, indent: bool = True, align_right: bool = False, style=None):
    """A body paragraph with the 2-character first-line indent of official documents."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = document.add_paragraph(text, style=style)
    if align_right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    elif indent:
        size = document.styles["Normal"].font.size or Pt(12)
        paragraph.paragraph_format.first_line_indent = size * 2
    return paragraph


def table(document, header: list[str], rows: list[list[str]], *, widths_mm: list[float] | None = None,
          font_pt: float = 10.5):
    """A bordered table with a bold, repeated header row and the given column widths."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    t = document.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    head = t.rows[0]
    tr_pr = head._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, text in zip(head.cells, header, strict=True):
        cell.text = str(text)
    for values in rows:
        cells = t.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = str(text)
    if widths_mm:  # LibreOffice reads the grid, Word the cells: set both
        for column, width in zip(t.columns, widths_mm, strict=True):
            column.width = Mm(width)
    for i, row in enumerate(t.rows):
        for j, cell in enumerate(row.cells):
            if widths_mm:
                cell.width = Mm(widths_mm[j])
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.first_line_indent = Pt(0)
                paragraph.paragraph_format.line_spacing = 1.0
                paragraph.paragraph_format.space_after = Pt(0)
                for run in paragraph.runs:
                    run.font.size = Pt(font_pt)
                    if i == 0:
                        run.font.bold = True
    return t


def signature(document, issuer: str, date: str):
    """The issuing body over the date at the end, right-aligned (right indent two characters, as
    official documents keep the date off the margin), kept on one page together."""
    from docx.shared import Pt

    size = document.styles["Normal"].font.size or Pt(12)
    first = body_paragraph(document, issuer, align_right=True)
    first.paragraph_format.keep_with_next = True
    second = body_paragraph(document, date, align_right=True)
    for paragraph in (first, second):
        paragraph.paragraph_format.right_indent = size * 2
    return first, second
