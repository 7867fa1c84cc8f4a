"""Trigram index for Chinese text search in proposal and 社情民意 titles (PostgreSQL only).

`title__icontains` becomes UPPER(title) LIKE UPPER('%…%'); a GIN pg_trgm index on UPPER(title)
answers it for search terms of 3+ characters instead of scanning every proposal. Written as SQL so
the models (and `makemigrations --check`) stay as they are; on SQLite it does nothing."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS proposals_proposal_title_trgm ON proposals_proposal "
    "USING gin (UPPER(title::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS proposals_opinionitem_title_trgm ON proposals_opinionitem "
    "USING gin (UPPER(title::text) gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS proposals_proposal_title_trgm", "DROP INDEX IF EXISTS proposals_opinionitem_title_trgm"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("proposals", "0001_initial")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
