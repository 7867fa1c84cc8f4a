"""Every field of our models has a label a person can read in Chinese: the admin, the audit
history (portal/audit_text.py), exports and forms all show `verbose_name`, and a name Django makes
up from the attribute ("org path", "created by") is English in a Chinese interface."""

import re
from pathlib import Path

from django.apps import apps
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _own_models():
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(ROOT) and ".venv" not in path.parts:
            yield from config.get_models()


def test_our_apps_are_found():
    labels = {m._meta.app_label for m in _own_models()}
    assert {"portal", "organizations", "members", "consultations", "proposals", "hall", "reports",
            "notifications"} <= labels


def test_every_field_of_our_models_has_a_chinese_label():
    missing = []
    with translation.override("zh-hans"):
        for model in _own_models():
            for field in [*model._meta.local_fields, *model._meta.local_many_to_many]:
                if field.auto_created:  # the automatic id and multi-table parent links
                    continue
                where = f"{model._meta.label}.{field.name}"
                # Field keeps what was passed; Django fills verbose_name from the attribute name otherwise
                if getattr(field, "_verbose_name", None) is None:
                    missing.append(f"{where}: no verbose_name")
                elif not CJK.search(str(field.verbose_name)):
                    missing.append(f"{where}: {field.verbose_name!r} has no Chinese translation")
    assert not missing, "fields without a Chinese label (add verbose_name=_(…) and its msgstr):\n" + "\n".join(missing)


def test_every_model_of_ours_has_a_chinese_name():
    missing = []
    with translation.override("zh-hans"):
        for model in _own_models():
            for attr in ("verbose_name", "verbose_name_plural"):
                if attr not in model._meta.original_attrs:
                    missing.append(f"{model._meta.label}: no {attr}")
                elif not CJK.search(str(getattr(model._meta, attr))):
                    missing.append(f"{model._meta.label}: {attr} {getattr(model._meta, attr)!r} is not Chinese")
    assert not missing, "\n".join(missing)
