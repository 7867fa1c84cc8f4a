"""The data generator on PostgreSQL at a tiny scale: every app's generate.py runs, the data is
deterministic for a seed, stays under its own root and can be replaced with --force."""

import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from organizations.models import OrgScopedModel, OrgUnit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _counts(root_path):
    counts = {}
    for model in apps.get_models():
        if issubclass(model, OrgScopedModel):
            n = model._base_manager.filter(org_path__startswith=root_path).count()
            if n:
                counts[model._meta.label] = n
    return counts


def test_generate_small_province_then_replace_it():
    out = io.StringIO()
    call_command("generate_data", scale=0.001, seed=3, stdout=out)
    root = OrgUnit.objects.get(code="gen3-root")
    counts = _counts(root.path)
    assert counts["members.Member"] == 50
    assert counts["members.DutyRecord"] == 500
    assert counts["consultations.Topic"] == 1000
    assert "rows/s" in out.getvalue()
    assert OrgUnit.objects.filter(path__startswith=root.path, kind="county").count() == 16

    with pytest.raises(CommandError):
        call_command("generate_data", scale=0.001, seed=3, stdout=io.StringIO())
    call_command("generate_data", scale=0.001, seed=3, force=True, stdout=io.StringIO())
    root = OrgUnit.objects.get(code="gen3-root")
    assert _counts(root.path) == counts  # same seed, same set; the old one is gone
    assert OrgUnit.objects.filter(code__startswith="gen3-").count() == OrgUnit.objects.filter(
        path__startswith=root.path).count()
