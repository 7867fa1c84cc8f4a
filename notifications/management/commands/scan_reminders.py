"""Run the reminder scan now: `python manage.py scan_reminders [--date 2026-11-25] [--inline]`.

Without --inline the scan is queued for the Celery worker, exactly as beat does. With --inline
everything (scan, dispatch, e-mail) runs in this process — for a first look or a demo without a
worker. Either way each reminder is delivered once."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from notifications import services
from notifications.recurrence import local_today


class Command(BaseCommand):
    help = "Scan every reminder source for today (Asia/Shanghai) or --date, and deliver what is due."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="YYYY-MM-DD (default: today in the portal's time zone)")
        parser.add_argument("--inline", action="store_true", help="Run in this process instead of the worker.")

    def handle(self, *args, **options):
        try:
            day = datetime.date.fromisoformat(options["date"]) if options["date"] else local_today()
        except ValueError:
            raise CommandError("--date must look like 2026-11-25")
        if options["inline"]:
            from portal.celery import app

            app.conf.CELERY_TASK_ALWAYS_EAGER = True
        kinds = services.scan_all(today=day)
        self.stdout.write(f"{day}: {len(kinds)} reminder sources {'scanned' if options['inline'] else 'queued'}.")
