"""Index for the newest-first topic lists (PostgreSQL only).

The secretary's queue and the topics API order by `-updated_at, -id`; without an index every page
sorted the whole scope (8 s per page over 1,000,000 topics in bench/RESULTS.md). With it, a page
is an index walk. SQL, so the model (and `makemigrations --check`) stays as it is."""

from django.db import migrations

FORWARD = ["CREATE INDEX IF NOT EXISTS consultations_topic_recent ON consultations_topic (updated_at DESC, id DESC)"]
BACKWARD = ["DROP INDEX IF EXISTS consultations_topic_recent"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0003_trgm_title")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
