"""Checks every rendered page must pass, shared by the page tests and the screenshot tour:
no raw codes (`snake_case: x → y`, ISO timestamps, None/True), no untranslated English."""

import re
from html.parser import HTMLParser

# Names that stay English in a Chinese interface: products, formats, protocols, our brand of API.
ALLOWED_ENGLISH = {
    "excel", "word", "powerpoint", "pdf", "jpeg", "jpg", "png", "csv", "xlsx", "docx", "api", "openapi",
    "swagger", "redoc", "json", "html", "http", "https", "url", "ip", "get", "post", "sha", "echarts",
    "english", "wps", "h5", "qr", "id", "ok", "token", "cppcc", "celery", "redis", "postgresql", "django",
}

RAW_CODES = [
    ("snake_case field", re.compile(r"\b[a-z]+_[a-z_]+\s*:\s*\S")),
    ("ISO timestamp", re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")),
    ("None/True/False", re.compile(r"(?<![A-Za-z])(None|True|False)(?![A-Za-z])")),
    ("demo key", re.compile(r"\bdemo:[a-z-]+")),
]


class _Text(HTMLParser):
    SKIP = {"script", "style", "noscript", "template"}

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"[ \t]+", " ", "\n".join(p.strip() for p in parser.parts if p.strip()))


def english_words(text: str, *, allowed=()) -> set[str]:
    """Latin words of three letters or more that are not names allowed to stay English."""
    ok = ALLOWED_ENGLISH | {a.lower() for a in allowed}
    return {w for w in re.findall(r"(?<![\w@./:-])[A-Za-z][A-Za-z'-]{2,}(?![\w@/-])", text) if w.lower() not in ok}


def raw_codes(text: str) -> list[str]:
    found = []
    for name, pattern in RAW_CODES:
        for m in pattern.finditer(text):
            found.append(f"{name}: …{text[max(0, m.start() - 30):m.end() + 30]}…")
    return found
