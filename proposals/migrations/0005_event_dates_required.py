"""Event dates, step 3 of 3: the dates every reply and item has are now required."""

from django.db import migrations, models
from django.utils import timezone


class Migration(migrations.Migration):
    dependencies = [("proposals", "0004_event_dates_backfill")]

    operations = [
        migrations.AlterField("reply", "replied_on", models.DateField(
            db_index=True, default=timezone.localdate, verbose_name="replied on",
            help_text="The date of the reply letter.")),
        migrations.AlterField("opinionitem", "submitted_on", models.DateField(
            db_index=True, default=timezone.localdate, verbose_name="submitted on")),
    ]
