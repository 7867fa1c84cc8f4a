"""Simple bar charts for printed documents, drawn server-side with Pillow (already a dependency):
no browser, no matplotlib. Labels need a CJK font: the first of CJK_FONTS that exists (Debian's
fonts-wqy-microhei or fonts-noto-cjk); without one no chart is drawn and documents go without."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
BAR = (47, 84, 150)
LAST = (180, 190, 205)
INK = (33, 37, 41)
GRID = (222, 226, 230)


@lru_cache(maxsize=1)
def font_path() -> str | None:
    return next((p for p in CJK_FONTS if Path(p).exists()), None)


def _font(size: int):
    from PIL import ImageFont

    return ImageFont.truetype(font_path(), size)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def bar_chart_png(title: str, items: list[tuple[str, float]], *, unit: str = "", compare: list[float] | None = None,
                  compare_label: str = "", current_label: str = "", width: int = 1600) -> bytes | None:
    """Horizontal bars, one per (label, value), largest first as given; `compare` (same length)
    draws a thinner grey bar under each (e.g. last year). None when nothing to draw."""
    from PIL import Image, ImageDraw

    if font_path() is None or not items or not any(v for _label, v in items):
        return None
    scale = 2  # drawn at twice the size, so it stays sharp when printed at ~16 cm
    # sizes for a picture printed 150 mm wide: 13 px ≈ 9 pt
    label_font, value_font, title_font = _font(20 * scale), _font(18 * scale), _font(22 * scale)
    row_h = (44 if compare else 34) * scale
    top = 52 * scale + (22 * scale if compare else 0)
    height = top + row_h * len(items) + 16 * scale
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((8 * scale, 8 * scale), title, font=title_font, fill=INK)
    label_w = min(int(width * 0.32), max(int(draw.textlength(label, font=label_font)) for label, _v in items)
                  + 16 * scale)
    value_w = 120 * scale
    plot_w = width - label_w - value_w - 16 * scale
    peak = max([v for _l, v in items] + list(compare or [])) or 1
    if compare:
        x, y = label_w, 34 * scale
        for colour, text in ((BAR, current_label), (LAST, compare_label)):
            draw.rectangle((x, y, x + 14 * scale, y + 10 * scale), fill=colour)
            draw.text((x + 20 * scale, y - 4 * scale), text, font=value_font, fill=INK)
            x += 44 * scale + int(draw.textlength(text, font=value_font))
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        text = label
        while draw.textlength(text, font=label_font) > label_w - 12 * scale and len(text) > 2:
            text = text[:-2] + "…"
        draw.text((label_w - 8 * scale - draw.textlength(text, font=label_font), y + 2 * scale), text,
                  font=label_font, fill=INK)
        bar_h = 22 * scale
        draw.line((label_w, y, label_w, y + row_h), fill=GRID, width=scale)
        length = int(plot_w * value / peak)
        if length:
            draw.rectangle((label_w, y + 2 * scale, label_w + length, y + 2 * scale + bar_h), fill=BAR)
        draw.text((label_w + length + 6 * scale, y + 3 * scale), f"{_number(value)}{unit}", font=value_font, fill=INK)
        if compare:
            previous = compare[i]
            plen = int(plot_w * previous / peak)
            if plen:
                draw.rectangle((label_w, y + 26 * scale, label_w + plen, y + 36 * scale), fill=LAST)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
