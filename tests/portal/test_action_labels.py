"""Every audit action a service logs has a Chinese label on the timeline, and an action without
one never shows its code (e.g. ``members.workroom.approve``) to the reader."""

import ast
import pathlib
import re

from django.utils import translation

from portal.audit import _ACTION_LABELS, action_label

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ["portal", "organizations", "notifications", "members", "consultations", "proposals", "hall", "reports"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _logged_actions():
    """(code or f-string prefix + "*", file) of every `audit_log(action=…)` call of the apps."""
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "audit_log"):
                    continue
                for kw in node.keywords:
                    if kw.arg != "action":
                        continue
                    if isinstance(kw.value, ast.Constant):
                        yield kw.value.value, path.relative_to(ROOT)
                    elif isinstance(kw.value, ast.JoinedStr) and isinstance(kw.value.values[0], ast.Constant):
                        yield kw.value.values[0].value + "*", path.relative_to(ROOT)


def test_the_walk_finds_the_services_actions():
    codes = {code for code, _ in _logged_actions()}
    assert "proposals.proposal.register" in codes and "members.workroom.*" in codes and len(codes) > 80


def test_every_logged_action_has_a_chinese_label():
    missing = []
    with translation.override("zh-hans"):
        for code, path in _logged_actions():
            if code.endswith("*"):
                labelled = [k for k in _ACTION_LABELS if k.startswith(code[:-1])]
                if not labelled or not all(CJK.search(str(_ACTION_LABELS[k])) for k in labelled):
                    missing.append(f"{code} ({path})")
            elif code not in _ACTION_LABELS or not CJK.search(str(_ACTION_LABELS[code])):
                missing.append(f"{code} ({path})")
    assert sorted(set(missing)) == [], "\n".join(sorted(set(missing)))


def test_an_unregistered_action_never_shows_its_code():
    with translation.override("zh-hans"):
        for code in ("members.thing.create", "hall.widget.update", "x.y.delete", "app.model.frobnicate", "odd"):
            label = str(action_label(code))
            assert code not in label and "." not in label and CJK.search(label), (code, label)
