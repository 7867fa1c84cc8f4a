"""Repairs: recompute the whole summary table (every metric, unit and covered period), write the
differences and drop rows of metrics that are gone. The beat's refresh only follows changes."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from reports.periods import month_period, year_period
from reports.services import facts_rebuild


class Command(BaseCommand):
    help = "Recompute every summary row of the reports (repairs; the beat keeps it current otherwise)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", default=[],
                            help="also cover this year (repeatable); the standard periods are always rebuilt")
        parser.add_argument("--months", type=int, action="append", default=[],
                            help="also cover every month of this year up to now (repeatable): the cockpit's "
                                 "month-by-month trend reads them")

    def handle(self, *args, **options):
        started = time.monotonic()
        today = timezone.localdate()
        months = [month_period(y, m) for y in options["months"] for m in range(1, 13)
                  if (y, m) <= (today.year, today.month)]
        result = facts_rebuild(periods=[*(year_period(y) for y in options["year"]), *months])
        self.stdout.write(f"summary rebuilt in {time.monotonic() - started:.1f} s: {result}")
