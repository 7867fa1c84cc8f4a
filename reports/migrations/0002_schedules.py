"""The reports' schedules as django-celery-beat rows, so offices can see and adjust them in the
admin: refresh the summary tables every 5 minutes; the monthly report on the 1st at 08:00."""

from django.db import migrations


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every5, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    monthly, _ = CrontabSchedule.objects.get_or_create(minute="0", hour="8", day_of_month="1", month_of_year="*",
                                                       day_of_week="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(name="reports: refresh summary tables",
                                       defaults={"task": "reports.refresh_facts", "interval": every5})
    PeriodicTask.objects.get_or_create(name="reports: monthly report to county offices",
                                       defaults={"task": "reports.send_monthly_reports", "crontab": monthly})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task__in=["reports.refresh_facts", "reports.send_monthly_reports"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
