"""Trigram index for Chinese text search in topic titles (PostgreSQL only).

`title__icontains` becomes UPPER(title) LIKE UPPER('%…%'); a GIN pg_trgm index on UPPER(title)
answers it for search terms of 3+ characters instead of scanning every topic. Written as SQL so
the models (and `makemigrations --check`) stay as they are; on SQLite it does nothing."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS consultations_topic_title_trgm ON consultations_topic "
    "USING gin (UPPER(title::text) gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS consultations_topic_title_trgm"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0002_minutes_template")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
