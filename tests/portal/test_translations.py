"""Chinese first: every user-facing string in code and templates has a zh-hans translation.

Re-extracts the catalogs from the current sources into a scratch copy (as scripts/messages.sh
does) and fails on any msgid without a translation, or a fuzzy one."""

import os
import shutil
import subprocess
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "var", "staticfiles", ".git", "bench", "tests"}


@pytest.mark.skipif(shutil.which("xgettext") is None and os.environ.get("REQUIRE_SERVICES") != "1",
                    reason="needs GNU gettext (apt-get install gettext)")
def test_every_string_has_a_chinese_translation(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=lambda d, names: [n for n in names if n in SKIP or n.endswith(".mo")])
    (copy / ".venv").symlink_to(ROOT / ".venv")
    result = subprocess.run(["bash", "scripts/messages.sh", "--no-compile"], cwd=copy, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    missing = []
    for po_path in sorted(copy.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
        for entry in polib.pofile(str(po_path)):
            if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags):
                missing.append(f"{po_path.relative_to(copy)}: {entry.msgid!r}")
    assert not missing, "untranslated strings (run scripts/messages.sh, then fill them):\n" + "\n".join(missing)


def test_compiled_catalogs_exist_for_every_catalog():
    for po_path in ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"):
        assert po_path.with_suffix(".mo").exists(), po_path
    assert (ROOT / "locale/zh_Hans/LC_MESSAGES/django.mo").exists()


def test_the_same_english_string_means_the_same_chinese_in_every_catalog():
    """Django merges all catalogs and the first app listed wins, so one msgid translated two ways
    shows one app's wording in another app (e.g. a unit's 'kind' as a member's). Strings that
    really differ by meaning need a context (pgettext)."""
    from collections import defaultdict

    seen = defaultdict(dict)
    for po_path in sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
        if any(part in SKIP for part in po_path.relative_to(ROOT).parts):
            continue
        for entry in polib.pofile(str(po_path)):
            if not entry.obsolete and entry.msgstr:
                seen[(entry.msgctxt, entry.msgid)][str(po_path.relative_to(ROOT))] = entry.msgstr
    clashes = [f"{key[1]!r}: {by_file}" for key, by_file in seen.items() if len(set(by_file.values())) > 1]
    assert not clashes, "translated differently in different catalogs:\n" + "\n".join(clashes)


def test_our_translation_wins_over_a_third_party_apps():
    """The same English in a third-party catalog (django-celery-beat's "Name" → "任务名") must not
    replace ours: what the user sees is what our catalog says."""
    from django.utils import translation
    from django.utils.translation import gettext, pgettext

    wrong = []
    with translation.override("zh-hans"):
        for po_path in sorted([*ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"),
                               ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"]):
            for e in polib.pofile(str(po_path)):
                if e.obsolete or e.msgid_plural or not e.msgstr:
                    continue
                got = pgettext(e.msgctxt, e.msgid) if e.msgctxt else gettext(e.msgid)
                if got != e.msgstr:
                    wrong.append(f"{po_path.relative_to(ROOT)}: {e.msgid!r} shows {got!r}, not {e.msgstr!r}")
    assert not wrong, "\n".join(wrong)


def test_the_admin_names_every_app_and_model_in_chinese():
    import re

    from django.contrib import admin
    from django.utils import translation

    cjk = re.compile(r"[\u4e00-\u9fff]")
    english = []
    with translation.override("zh-hans"):
        for model in admin.site._registry:
            for text in (model._meta.app_config.verbose_name, model._meta.verbose_name,
                         model._meta.verbose_name_plural):
                if not cjk.search(str(text)):
                    english.append(f"{model._meta.label}: {text}")
            # a model's plural is its name, never a bare measure word ("个")
            if str(model._meta.verbose_name_plural) in {"个", "件", "条", "次", "人", "项"}:
                english.append(f"{model._meta.label}: {model._meta.verbose_name_plural}")
    assert not english, "\n".join(english)
