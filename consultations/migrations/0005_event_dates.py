"""Event dates, step 1 of 3: add the columns (nullable) and the back-entry flag."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("consultations", "0004_topic_recent_index")]

    operations = [
        migrations.AddField("topic", "raised_on", models.DateField(null=True, verbose_name="raised on")),
        migrations.AddField("topic", "approved_on", models.DateField(null=True, blank=True, db_index=True,
                                                                     verbose_name="approved on")),
        migrations.AddField("topic", "closed_on", models.DateField(null=True, blank=True, verbose_name="closed on")),
        migrations.AddField("topic", "back_entered", models.BooleanField(
            default=False, verbose_name="back-entered (补录)",
            help_text="Recorded after the fact from a ledger or paper minutes.")),
        migrations.AddField("outcome", "recorded_on", models.DateField(null=True, verbose_name="outcome date")),
        migrations.AddField("suggestion", "routed_on", models.DateField(null=True, verbose_name="routed on")),
        migrations.AddField("suggestion", "accepted_on", models.DateField(null=True, blank=True,
                                                                          verbose_name="accepted on")),
        migrations.AddField("suggestion", "closed_on", models.DateField(null=True, blank=True, db_index=True,
                                                                        verbose_name="feedback given on")),
    ]
