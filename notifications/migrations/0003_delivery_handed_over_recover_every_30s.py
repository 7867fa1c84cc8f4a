"""Deliveries remember when an e-mail was handed over to the server (handover.py), and the
recovery beat runs every 30 seconds (was 5 minutes), so a send killed mid-way is picked up within
two minutes with the 60-second lease. An interval an administrator already changed is kept."""

from django.db import migrations, models

NAME = "notifications: recover stalled deliveries"


def every_30s(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    task = PeriodicTask.objects.filter(name=NAME, interval__every=300, interval__period="seconds").first()
    if task:
        task.interval, _ = IntervalSchedule.objects.get_or_create(every=30, period="seconds")
        task.description = ("Every 30 seconds: re-enqueue notifications and deliveries whose broker message was "
                            "lost or whose worker died while sending.")
        task.save(update_fields=["interval", "description"])


def every_5min(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    task = PeriodicTask.objects.filter(name=NAME, interval__every=30, interval__period="seconds").first()
    if task:
        task.interval, _ = IntervalSchedule.objects.get_or_create(every=300, period="seconds")
        task.save(update_fields=["interval"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_beat_schedules"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="handed_over_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="handed over"),
        ),
        migrations.RunPython(every_30s, every_5min),
    ]
