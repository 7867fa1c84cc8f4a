"""Demo: build the summary table for this year once, so the dashboards read it at once; the
worker's beat builds the other standard periods and follows every change from then on."""


def load(*, stdout):
    from django.utils import timezone

    from .periods import year_period
    from .services import facts_refresh

    result = facts_refresh(periods=[year_period(timezone.localdate().year)])
    stdout.write(f"reports: summary table: {result}")
