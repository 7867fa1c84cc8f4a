"""Rebuild the per-member per-year duty scores (members.MemberYearScore) from the duty file: the
repair when the table is suspected wrong, and the first fill after bulk loads that send no
signals (COPY, raw SQL)."""

import time

from django.core.management.base import BaseCommand

from members import score_table
from organizations.models import OrgUnit


class Command(BaseCommand):
    help = "Rebuild the members' duty scores per year from the duty file (all, or one unit's subtree / years)."

    def add_arguments(self, parser):
        parser.add_argument("--unit", type=int, help="only members under this unit (id)")
        parser.add_argument("--year", type=int, action="append", help="only this year (repeatable)")
        parser.add_argument("--pending", action="store_true", help="only apply the pending marks")

    def handle(self, *args, **opts):
        started = time.monotonic()
        if opts["pending"]:
            done = score_table.apply_marks()
            self.stdout.write("pending marks applied" if done else "another worker is applying the marks")
            return
        path = OrgUnit.objects.get(pk=opts["unit"]).path if opts["unit"] else ""
        written = score_table.rebuild(path=path, years=opts["year"])
        self.stdout.write(self.style.SUCCESS(
            f"{written} score rows written in {time.monotonic() - started:.1f} s."))
