"""Event dates, step 2 of 3: fill them from today's timestamps (each one's Asia/Shanghai calendar
day), so existing records keep counting in the period they did. The timestamps stay as the audit."""

from django.db import migrations
from django.utils import timezone


def _day(value):
    return timezone.localtime(value).date() if value else None


def _fill(model, pairs, extra=None):
    fields = [date_field for date_field, _ts in pairs]
    batch = []
    for row in model.objects.all().iterator(chunk_size=2000):
        for date_field, ts_field in pairs:
            setattr(row, date_field, _day(getattr(row, ts_field)))
        if extra:
            extra(row)
        batch.append(row)
        if len(batch) >= 2000:
            model.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        model.objects.bulk_update(batch, fields)


def forwards(apps, schema_editor):
    _fill(apps.get_model("proposals", "Proposal"), [("submitted_on", "submitted_at"), ("registered_on", "registered_at"),
                                                     ("assigned_on", "assigned_at"), ("closed_on", "closed_at")])
    _fill(apps.get_model("proposals", "Assignment"), [("assigned_on", "assigned_at"), ("replied_on", "replied_at")])
    _fill(apps.get_model("proposals", "Reply"), [("replied_on", "created_at")])
    Item = apps.get_model("proposals", "OpinionItem")
    _fill(Item, [("submitted_on", "submitted_at")])
    # Items already used (compiled or reported): the bulletin's date when there is one, else the
    # day they were submitted — the closest day the data holds.
    for item in Item.objects.filter(status__in=["compiled", "reported", "adopted"]).select_related("bulletin"):
        item.used_on = item.bulletin.published_on if item.bulletin_id else item.submitted_on
        item.save(update_fields=["used_on"])


class Migration(migrations.Migration):
    dependencies = [("proposals", "0003_event_dates")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
