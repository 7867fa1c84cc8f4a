"""One vocabulary: every catalog translates the glossary's English to the glossary's Chinese."""

import re
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "术语表.md"


def _rows():
    for line in GLOSSARY.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] not in ("中文", "---") and not set(cells[0]) <= {"-"}:
            english = re.sub(r"\s*\(.*\)$", "", cells[1])
            if english and english != "—":
                yield cells[0], english


def test_glossary_lists_the_domain_words():
    words = {zh for zh, _en in _rows()}
    assert {"议题", "协商会", "协商成果", "协商建议", "承办单位", "回头看", "提案", "交办", "社情民意"} <= words


def test_every_catalog_uses_the_glossary_words():
    wrong = []
    rows = list(_rows())
    for po_path in sorted([*ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"),
                           ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"]):
        for entry in polib.pofile(str(po_path)):
            if entry.obsolete or entry.msgctxt or not entry.msgstr:
                continue
            for zh, en in rows:
                if entry.msgid.lower() == en.lower() and zh not in entry.msgstr:
                    wrong.append(f"{po_path.relative_to(ROOT)}: {entry.msgid!r} → {entry.msgstr!r}, glossary: {zh}")
    assert not wrong, "\n".join(wrong)
