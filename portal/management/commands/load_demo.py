"""Load the Anhui demo data: `python manage.py load_demo`.

Each app may have a `demo.py` with `load(*, stdout)`; they run in INSTALLED_APPS order, so
later apps find the units and members they need. Every loader is idempotent (keys, not
counts), so running the command twice changes nothing."""

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Load (or top up) the Anhui demo data. Safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when the org tree already has units (first run only).")

    def handle(self, *args, **options):
        from members import score_table
        from organizations.models import OrgUnit
        from portal import audit
        from reports import marks

        if options["if_empty"] and OrgUnit.objects.exists():
            self.stdout.write("Demo data already loaded; nothing to do.")
            return
        for config in apps.get_app_configs():
            try:
                module = importlib.import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            # The audit events and the summary and score marks of each app's writes go in at the end
            # of its transaction, in one INSERT each rather than one per event or saved record (the
            # same rows: the trail and the refreshes see no difference).
            with transaction.atomic(), audit.deferred(), marks.deferred(), score_table.deferred():
                module.load(stdout=self.stdout)
        # The demo modules write records directly: index their words for "similar proposals".
        from portal import similarity

        for corpus in similarity.CORPORA.values():
            similarity.reindex(corpus)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
