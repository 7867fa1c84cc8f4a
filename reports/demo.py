"""Demo: build the summary table for this year once, so the dashboards read it at once, and the
months of this year so far for the cockpit's trend (its few metrics only: cheap); the worker's
beat builds the other standard periods and follows every change from then on."""


def load(*, stdout):
    from django.utils import timezone

    from portal.metrics import METRICS

    from .cockpit import TREND
    from .periods import month_period, year_period
    from .services import facts_refresh

    today = timezone.localdate()
    result = facts_refresh(periods=[year_period(today.year)])
    stdout.write(f"reports: summary table: {result}")
    months = [month_period(today.year, m) for m in range(1, today.month + 1)]
    result = facts_refresh(periods=months, keys=[k for k in TREND if k in METRICS])
    stdout.write(f"reports: months of this year for the cockpit: {result}")
