"""A migration operation for label-only changes.

The `*_field_labels` migrations change only what Django shows — fields' verbose names and help
texts, models' verbose names and ordering — in 10 to 53 operations each. Applied one by one, each
operation clones the migration state and renders its model again although none writes SQL: those
eight migrations were about half of a `migrate` from empty (22 of 46 s of CPU here), which every
new installation, `make run` on a fresh machine and every test run pays.

`LabelsOnly([...])` applies the same operations to the migration state at once — the state after
it is exactly what the operations one by one leave (`makemigrations --check` compares it with the
models) — renders each touched model once, and runs no SQL, forwards or backwards.
tests/portal/test_migration_labels.py proves that every operation wrapped this way would write no
SQL on its own."""

from __future__ import annotations

from django.db.migrations.operations import AlterField, AlterModelOptions
from django.db.migrations.operations.base import Operation

ALLOWED = (AlterField, AlterModelOptions)


class LabelsOnly(Operation):
    reversible = True
    reduces_to_sql = True

    def __init__(self, operations):
        bad = [op for op in operations if not isinstance(op, ALLOWED)]
        if bad:
            raise TypeError(f"LabelsOnly takes AlterField and AlterModelOptions only, not {bad!r}")
        self.operations = list(operations)

    def deconstruct(self):
        return ("portal.migration_ops.LabelsOnly", [self.operations], {})

    def state_forwards(self, app_label, state):
        # Without rendered apps the operations only change the model states; the touched models
        # (and the models related to them) are rendered again once, at the end.
        apps = state.__dict__.pop("apps", None)
        try:
            for operation in self.operations:
                operation.state_forwards(app_label, state)
        finally:
            if apps is not None:
                state.__dict__["apps"] = apps
                touched = {(app_label, operation.name_lower if isinstance(operation, AlterModelOptions)
                            else operation.model_name_lower) for operation in self.operations}
                state.reload_models(sorted(touched), delay=False)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        pass  # labels only: nothing in the database changes

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass

    def describe(self):
        return f"Labels of {len(self.operations)} fields and models (no SQL)"
