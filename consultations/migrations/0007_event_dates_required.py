"""Event dates, step 3 of 3: the dates every record has are now required."""

from django.db import migrations, models
from django.utils import timezone


class Migration(migrations.Migration):
    dependencies = [("consultations", "0006_event_dates_backfill")]

    operations = [
        migrations.AlterField("topic", "raised_on", models.DateField(
            db_index=True, default=timezone.localdate, verbose_name="raised on",
            help_text="The day the topic was raised (选题), e.g. the date on the ledger.")),
        migrations.AlterField("outcome", "recorded_on", models.DateField(
            default=timezone.localdate, verbose_name="outcome date", help_text="The day the result was agreed (成果形成).")),
        migrations.AlterField("suggestion", "routed_on", models.DateField(db_index=True, default=timezone.localdate,
                                                                        verbose_name="routed on")),
    ]
