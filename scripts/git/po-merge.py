#!/usr/bin/env python3
"""Git merge driver for gettext catalogs: union of both sides' entries (by msgctxt + msgid).

Parallel branches each add translations to the same per-app catalog; a line-based merge
conflicts or garbles them. Enable with:
    git config merge.po-union.driver "python3 scripts/git/po-merge.py %O %A %B"
(.gitattributes maps *.po to it). Afterwards `make messages` re-extracts and drops obsolete ones.
"""

import sys

try:
    import polib
except ImportError:  # fall back to git's own merge when polib is not importable
    sys.exit(1)


def main(base_path: str, ours_path: str, theirs_path: str) -> int:
    ours = polib.pofile(ours_path, wrapwidth=0)
    theirs = polib.pofile(theirs_path, wrapwidth=0)
    try:
        base = {(e.msgctxt, e.msgid): e for e in polib.pofile(base_path, wrapwidth=0)}
    except (OSError, ValueError):
        base = {}
    index = {(e.msgctxt, e.msgid): e for e in ours}
    for entry in theirs:
        key = (entry.msgctxt, entry.msgid)
        mine, old = index.get(key), base.get(key)
        if mine is None:
            ours.append(entry)
            index[key] = entry
            continue
        # Three-way per entry: take their translation where ours is empty or unchanged since the base.
        if entry.msgstr and (not mine.msgstr or (old is not None and mine.msgstr == old.msgstr)):
            mine.msgstr = entry.msgstr
        if any(entry.msgstr_plural.values()) and (
                not any(mine.msgstr_plural.values())
                or (old is not None and mine.msgstr_plural == old.msgstr_plural)):
            mine.msgstr_plural = entry.msgstr_plural
    ours.save(ours_path)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
