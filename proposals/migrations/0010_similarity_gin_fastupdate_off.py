"""The similar-proposals GIN indexes without GIN's "fast update" pending list.

With fastupdate on (PostgreSQL's default) new rows go to an unsorted pending list of up to
gin_pending_list_limit (4 MB) that every lookup scans in full until VACUUM merges it: at 200,000
proposals a pending list of 501 pages made one candidate query take 58 ms instead of 1.4 ms, and
the planner, costing those pages, walked the table instead of the index. Proposals are written a
few thousand a year, so inserting straight into the index costs nothing that matters. The list
already there is merged now. PostgreSQL only (SQLite has no such index)."""

from django.db import migrations

INDEXES = ["proposals_proposal_similarity_gin", "proposals_opinionitem_similarity_gin"]


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
        ("proposals", "0009_merge_publication_and_similarity"),
    ]

    operations = [migrations.RunPython(forward, backward)]
