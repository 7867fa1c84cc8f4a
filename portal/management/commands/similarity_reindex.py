"""Rebuild the words and statistics of the similar-text lookup (portal.similarity).

    manage.py similarity_reindex                     # every registered corpus
    manage.py similarity_reindex proposals.proposal  # one

Needed once after deploying on a database with more records than the migrations backfill, after a
bulk import that bypassed the services, or to recount exact statistics. Safe to run at any time:
records are updated in chunks by primary key, the statistics replaced in one transaction."""

from django.core.management.base import BaseCommand, CommandError

from portal import similarity


class Command(BaseCommand):
    help = "Rebuild the words and statistics of the similar-proposals lookup."

    def add_arguments(self, parser):
        parser.add_argument("corpora", nargs="*", help="corpus names (default: all)")
        parser.add_argument("--chunk", type=int, default=2000)

    def handle(self, *args, corpora, chunk, **options):
        names = corpora or sorted(similarity.CORPORA)
        unknown = [n for n in names if n not in similarity.CORPORA]
        if unknown:
            raise CommandError(f"Unknown corpus: {', '.join(unknown)}. Known: {', '.join(sorted(similarity.CORPORA))}")
        for name in names:
            similarity.reindex(similarity.CORPORA[name], chunk=chunk, stdout=self.stdout)
