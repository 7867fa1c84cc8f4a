"""The online hall's similar-submissions GIN index without GIN's "fast update" pending list: every
lookup scanned the unmerged list (up to 4 MB) in full until VACUUM merged it — see
proposals/migrations/0010 for the measurement. PostgreSQL only."""

from django.db import migrations

INDEXES = ["hall_submission_similarity_gin"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} SET (fastupdate = off)")
        schema_editor.execute(f"SELECT gin_clean_pending_list(c.oid) FROM pg_class c WHERE c.relname = '{name}'")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} RESET (fastupdate)")


class Migration(migrations.Migration):

    dependencies = [
        ("hall", "0006_merge_codes_and_similarity"),
    ]

    operations = [migrations.RunPython(forward, backward)]
