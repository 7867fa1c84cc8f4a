"""Event dates, step 2 of 3: fill them from today's timestamps (the Asia/Shanghai calendar day of
each), so every existing record keeps counting in the period it did before. Nothing is lost: the
timestamps stay as the audit of when things were typed in."""

from django.db import migrations
from django.utils import timezone


def _day(value):
    return timezone.localtime(value).date() if value else None


def forwards(apps, schema_editor):
    Topic = apps.get_model("consultations", "Topic")
    Outcome = apps.get_model("consultations", "Outcome")
    Suggestion = apps.get_model("consultations", "Suggestion")
    batch = []
    for topic in Topic.objects.only("pk", "created_at", "approved_at", "closed_at").iterator(chunk_size=2000):
        topic.raised_on = _day(topic.created_at)
        topic.approved_on = _day(topic.approved_at)
        topic.closed_on = _day(topic.closed_at)
        batch.append(topic)
        if len(batch) >= 2000:
            Topic.objects.bulk_update(batch, ["raised_on", "approved_on", "closed_on"])
            batch = []
    Topic.objects.bulk_update(batch, ["raised_on", "approved_on", "closed_on"])
    batch = []
    for outcome in Outcome.objects.only("pk", "recorded_at").iterator(chunk_size=2000):
        outcome.recorded_on = _day(outcome.recorded_at)
        batch.append(outcome)
    Outcome.objects.bulk_update(batch, ["recorded_on"], batch_size=2000)
    batch = []
    for s in Suggestion.objects.only("pk", "created_at", "accepted_at", "closed_at").iterator(chunk_size=2000):
        s.routed_on = _day(s.created_at)
        s.accepted_on = _day(s.accepted_at)
        s.closed_on = _day(s.closed_at)
        batch.append(s)
        if len(batch) >= 2000:
            Suggestion.objects.bulk_update(batch, ["routed_on", "accepted_on", "closed_on"])
            batch = []
    Suggestion.objects.bulk_update(batch, ["routed_on", "accepted_on", "closed_on"])


class Migration(migrations.Migration):
    dependencies = [("consultations", "0005_event_dates")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
