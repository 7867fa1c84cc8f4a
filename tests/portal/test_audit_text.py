"""Every audit key the services write has a human label, and the timeline reads as sentences."""

import ast
import pathlib
import re

import pytest
from django.apps import apps
from django.utils import translation

from portal.audit_text import HIDDEN, audit_label_problems, key_for, registered_models

ROOT = pathlib.Path(__file__).resolve().parents[2]
APPS = ["organizations", "notifications", "members", "consultations", "proposals", "hall", "reports"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_field_of_an_audited_model_has_a_label():
    assert audit_label_problems() == []


def test_every_label_has_a_chinese_translation():
    missing = []
    with translation.override("zh-hans"):
        for model in registered_models():
            names = [f.name for f in model._meta.get_fields() if not f.auto_created and (f.concrete or f.many_to_many)]
            for name in names:
                key = key_for(model, name)
                if key.kind != HIDDEN and not CJK.search(str(key.label)):
                    missing.append(f"{model._meta.label}.{name}: {key.label}")
    assert missing == []


def _logged_keys(path: pathlib.Path):
    """Literal keys of `before=`/`after=` dicts and `snapshot(x, [...])` lists in audit_log calls."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "audit_log"):
            continue
        for kw in node.keywords:
            if kw.arg not in ("before", "after"):
                continue
            for sub in ast.walk(kw.value):
                if isinstance(sub, ast.Dict):
                    yield from (k.value for k in sub.keys if isinstance(k, ast.Constant))
                if (isinstance(sub, ast.Call) and getattr(sub.func, "id", None) == "snapshot"
                        and isinstance(sub.args[1], ast.List | ast.Tuple)):
                    yield from (e.value for e in sub.args[1].elts if isinstance(e, ast.Constant))


@pytest.mark.parametrize("app", APPS)
def test_every_key_a_service_logs_has_a_label(app):
    """A key logged in `app` must be a labelled (or deliberately hidden) field or registered key of
    an audited model: a service that starts logging a new key without a label fails here."""
    models = registered_models()
    unknown = set()
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for name in _logged_keys(path):
            keys = [key_for(m, name) for m in models]
            if not any(k is not None and (k.kind == HIDDEN or k.label is not None) for k in keys):
                unknown.add(f"{path.relative_to(ROOT)}: {name}")
    assert sorted(unknown) == []


def test_app_models_are_registered_when_they_are_audit_targets():
    # The targets the services name: each must be registered (its extra keys and hidden fields).
    for label in ["consultations.Topic", "consultations.Session", "proposals.Proposal", "proposals.OpinionItem",
                  "members.Member", "members.Workroom", "members.DutyRecord", "hall.Submission",
                  "organizations.OrgUnit", "organizations.RoleAssignment", "reports.ExportJob"]:
        assert apps.get_model(label) in registered_models(), label
