"""Event dates, step 1 of 3: add the columns (nullable)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("proposals", "0002_trgm_title")]

    operations = [
        migrations.AddField("proposal", "submitted_on", models.DateField(null=True, blank=True, db_index=True,
                                                                         verbose_name="submitted on")),
        migrations.AddField("proposal", "registered_on", models.DateField(null=True, blank=True, db_index=True,
                                                                          verbose_name="registered on")),
        migrations.AddField("proposal", "assigned_on", models.DateField(null=True, blank=True,
                                                                        verbose_name="assigned on")),
        migrations.AddField("proposal", "closed_on", models.DateField(null=True, blank=True, db_index=True,
                                                                      verbose_name="closed on")),
        migrations.AddField("assignment", "assigned_on", models.DateField(null=True, blank=True,
                                                                          verbose_name="assigned on")),
        migrations.AddField("assignment", "replied_on", models.DateField(null=True, blank=True, db_index=True,
                                                                         verbose_name="replied on")),
        migrations.AddField("reply", "replied_on", models.DateField(null=True, verbose_name="replied on")),
        migrations.AddField("opinionitem", "submitted_on", models.DateField(null=True, verbose_name="submitted on")),
        migrations.AddField("opinionitem", "used_on", models.DateField(
            null=True, blank=True, verbose_name="used on",
            help_text="The day the office used it: compiled into a bulletin or reported.")),
    ]
