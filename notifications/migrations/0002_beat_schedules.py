"""The reminder engine's beat schedules, as django-celery-beat rows administrators can see and
adjust (admin → Periodic tasks). Created once: later edits by administrators are kept."""

from django.db import migrations

SCHEDULES = [
    # name, task, crontab (minute, hour) or interval seconds, description
    ("notifications: scan reminder sources", "notifications.scan", ("5", "7-21"), None,
     "Every hour from 07:05 to 21:05 (Asia/Shanghai): find due reminders and deliver them once."),
    ("notifications: daily digests", "notifications.digest", ("30", "8"), None,
     "08:30 (Asia/Shanghai): one digest per user who chose daily digests."),
    ("notifications: recover stalled deliveries", "notifications.recover", None, 300,
     "Every 5 minutes: re-enqueue notifications and deliveries whose broker message was lost."),
]


def create(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    for name, task, cron, every, description in SCHEDULES:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        fields = {"task": task, "description": description, "enabled": True}
        if cron:
            fields["crontab"], _ = CrontabSchedule.objects.get_or_create(
                minute=cron[0], hour=cron[1], day_of_week="*", day_of_month="*", month_of_year="*",
                timezone="Asia/Shanghai")
        else:
            fields["interval"], _ = IntervalSchedule.objects.get_or_create(every=every, period="seconds")
        PeriodicTask.objects.create(name=name, **fields)


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
