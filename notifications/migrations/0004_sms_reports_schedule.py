"""Beat schedule of the SMS delivery reports (QuerySendDetails), created once like 0002."""

from django.db import migrations

NAME = "notifications: SMS delivery reports"


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    every, _ = IntervalSchedule.objects.get_or_create(every=600, period="seconds")
    PeriodicTask.objects.create(
        name=NAME, task="notifications.sms_reports", interval=every, enabled=True,
        description="Every 10 minutes: ask the SMS provider whether sent messages reached the phone.")


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_sms"), ("django_celery_beat", "0019_alter_periodictasks_options")]

    operations = [migrations.RunPython(create, remove)]
