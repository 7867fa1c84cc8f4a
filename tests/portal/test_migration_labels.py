"""The label-only migrations (portal/migration_ops.py: `LabelsOnly`) apply their operations to the
migration state at once and run no SQL. Proof that this changes nothing: every wrapped operation,
applied on its own to the state before it, would write no SQL on PostgreSQL; and the state the
wrapper leaves — with the apps rendered, as `migrate` has them — is the one the operations leave
one by one, models, fields, labels and rendered options alike."""

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AlterField, AlterModelOptions

from portal.migration_ops import LabelsOnly

_BEFORE = {}


def _before(loader, key):
    """The state before a migration, built once per run (replaying the migrations is the cost)."""
    if key not in _BEFORE:
        _BEFORE[key] = loader.project_state(key, at_end=False)
    return _BEFORE[key].clone()


_LOADER = []


def _loader():
    if not _LOADER:
        _LOADER.append(MigrationLoader(None, ignore_no_migrations=True))
    return _LOADER[0]


def _wrappers(loader):
    found = []
    for key, migration in sorted(loader.disk_migrations.items()):
        for index, op in enumerate(migration.operations):
            if isinstance(op, LabelsOnly):
                assert index == 0 and len(migration.operations) == 1, key  # (the state before it is the migration's)
                found.append((key, op))
    return found


def test_the_label_migrations_of_every_app_are_wrapped():
    apps = {key[0] for key, _op in _wrappers(_loader())}
    assert apps == {"portal", "organizations", "members", "consultations", "proposals", "notifications",
                    "reports", "hall"}


def test_only_label_operations_can_be_wrapped():
    with pytest.raises(TypeError):
        LabelsOnly([AlterField("x", "y", None), object()])


@pytest.mark.postgres
@pytest.mark.django_db
def test_no_wrapped_operation_would_write_sql_on_its_own():
    loader = _loader()
    checked = 0
    for (app_label, name), wrapper in _wrappers(loader):
        # Each operation touches its own field or model's options (asserted), so the state before
        # the migration and the state after all of it hold exactly what each operation sees before
        # and after itself: two renderings per migration instead of one per operation.
        targets = [(op.name_lower,) if isinstance(op, AlterModelOptions) else (op.model_name_lower, op.name_lower)
                   for op in wrapper.operations]
        assert len(set(targets)) == len(targets), (app_label, name)
        before = _before(loader, (app_label, name))
        after = before.clone()
        for op in wrapper.operations:
            op.state_forwards(app_label, after)
        for op in wrapper.operations:
            with connection.schema_editor(collect_sql=True, atomic=False) as editor:
                op.database_forwards(app_label, editor, before, after)
            assert editor.collected_sql == [], (app_label, name, op.describe(), editor.collected_sql)
            checked += 1
    assert checked > 200


def test_the_wrapper_leaves_the_state_the_operations_leave_one_by_one():
    loader = _loader()
    for (app_label, name), wrapper in _wrappers(loader):
        before = _before(loader, (app_label, name))
        before.apps  # rendered, as during migrate  # noqa: B018
        at_once = before.clone()
        wrapper.state_forwards(app_label, at_once)
        # the reference: the operations one by one on the model states, the apps rendered afresh
        # from the result (the same models as reloading them after each operation, for a fraction
        # of the cost)
        one_by_one = _before(loader, (app_label, name))
        one_by_one.__dict__.pop("apps", None)
        for op in wrapper.operations:
            op.state_forwards(app_label, one_by_one)
        assert at_once.models == one_by_one.models, (app_label, name)
        for model_key in at_once.models:
            if model_key[0] != app_label:
                continue
            a = at_once.apps.get_model(*model_key)._meta
            b = one_by_one.apps.get_model(*model_key)._meta
            assert (a.verbose_name, a.verbose_name_plural, a.ordering) == (b.verbose_name, b.verbose_name_plural, b.ordering)
            assert [(f.name, f.verbose_name, f.help_text) for f in a.get_fields() if hasattr(f, "verbose_name")] == \
                   [(f.name, f.verbose_name, f.help_text) for f in b.get_fields() if hasattr(f, "verbose_name")], model_key
