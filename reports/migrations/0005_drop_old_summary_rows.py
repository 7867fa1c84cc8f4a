"""The summary table now stores no zeros and covers the periods listed in FactPeriod: the rows of
the old full rewrites (mostly zeros, some for periods nobody keeps current) are dropped; the next
refresh (beat, every 5 minutes) builds the standard periods again."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_summary_marks_and_periods")]

    operations = [migrations.RunSQL("DELETE FROM reports_unitfact", migrations.RunSQL.noop)]
