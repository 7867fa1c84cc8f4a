"""Daily purge of export files older than a week (03:30 Asia/Shanghai)."""

from django.db import migrations


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _ = CrontabSchedule.objects.get_or_create(minute="30", hour="3", day_of_month="*", month_of_year="*",
                                                     day_of_week="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(name="reports: purge old exports",
                                       defaults={"task": "reports.purge_exports", "crontab": daily})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task="reports.purge_exports").delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_schedules")]

    operations = [migrations.RunPython(create, remove)]
