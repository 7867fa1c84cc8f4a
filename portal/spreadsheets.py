"""Excel files every app writes the same way (xlsxwriter, the one Excel writer of the project;
openpyxl only reads uploaded files): a title and a "数据截至" line above a bold header row, and a
print setup that prints as people expect — A4 (landscape unless a sheet is narrow), fitted to the page width, the title and
header rows repeated on every page, page numbers in the footer."""

from __future__ import annotations

import io

import xlsxwriter

MAX_SHEET_NAME = 31
_BAD_SHEET_CHARS = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


def sheet_name(text: str, taken: set[str] | None = None) -> str:
    name = str(text).translate(_BAD_SHEET_CHARS)[:MAX_SHEET_NAME] or "Sheet"
    if taken is not None:
        base, n = name, 2
        while name in taken:
            suffix = f"({n})"
            name = base[:MAX_SHEET_NAME - len(suffix)] + suffix
            n += 1
        taken.add(name)
    return name


class Workbook:
    """A workbook in constant-memory mode (rows are flushed as they are written)."""

    def __init__(self, target=None):
        self.buffer = io.BytesIO() if target is None else None
        self.book = xlsxwriter.Workbook(target if target is not None else self.buffer,
                                        {"constant_memory": True, "strings_to_urls": False,
                                         "in_memory": target is None})
        self.title_format = self.book.add_format({"bold": True, "font_size": 14})
        self.note_format = self.book.add_format({"font_color": "#555555"})
        self.header_format = self.book.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1,
                                                   "text_wrap": True, "valign": "vcenter"})
        self.cell_format = self.book.add_format({"border": 1, "valign": "top", "text_wrap": True})
        self.number_format = self.book.add_format({"border": 1, "valign": "top"})
        self.names: set[str] = set()

    def sheet(self, name: str, *, title: str, as_of: str, header: list[str], widths: list[float],
              landscape: bool = True):
        """A sheet with its title, its "数据截至" line and the header row; rows follow from
        `HEADER_ROW + 1`. Column widths in characters."""
        ws = self.book.add_worksheet(sheet_name(name, self.names))
        ws.write(0, 0, title, self.title_format)
        ws.write(1, 0, f"数据截至 {as_of}", self.note_format)
        ws.write_row(HEADER_ROW, 0, header, self.header_format)
        for i, width in enumerate(widths):
            ws.set_column(i, i, width)
        if landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.set_paper(9)  # A4
        ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        ws.fit_to_pages(1, 0)  # one page wide, as many pages long as needed
        ws.repeat_rows(0, HEADER_ROW)
        ws.center_horizontally()
        ws.set_footer("&C第 &P 页，共 &N 页")
        ws.freeze_panes(HEADER_ROW + 1, 1)
        return ws

    def row(self, ws, index: int, values: list) -> None:
        for col, value in enumerate(values):
            fmt = self.number_format if isinstance(value, int | float) else self.cell_format
            ws.write(index, col, value, fmt)

    def close(self) -> bytes | None:
        self.book.close()
        return self.buffer.getvalue() if self.buffer is not None else None


HEADER_ROW = 3  # title, 数据截至, blank, header
