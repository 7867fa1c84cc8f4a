"""Demo: fill this year's summary rows once, so the county dashboards show their "as of" time at
once; the worker's beat keeps all standard periods current from then on."""


def load(*, stdout):
    from django.utils import timezone

    from .periods import year_period
    from .services import facts_refresh

    rows = facts_refresh(periods=[year_period(timezone.localdate().year)])
    stdout.write(f"reports: {rows} summary rows refreshed")
