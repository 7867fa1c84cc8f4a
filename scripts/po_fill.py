"""Fill msgstr entries of a .po catalog from a JSON object {msgid: msgstr} (a list for plurals).

Usage: python scripts/po_fill.py CATALOG.po TRANSLATIONS.json
Prints the msgids still untranslated afterwards; exit status 1 if any remain."""

import json
import sys

import polib


def main():
    po_path, json_path = sys.argv[1:3]
    with open(json_path, encoding="utf-8") as handle:
        mapping = json.load(handle)
    po = polib.pofile(po_path)
    for entry in po:
        if entry.msgid in mapping:
            value = mapping[entry.msgid]
            if entry.msgid_plural:
                values = value if isinstance(value, list) else [value]
                entry.msgstr_plural = dict(enumerate(values))
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.save()
    missing = [e.msgid for e in po if not e.translated() and not e.obsolete]
    for msgid in missing:
        print("untranslated:", repr(msgid))
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    main()
