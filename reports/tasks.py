"""Celery tasks of the reports: thin wrappers over services."""

from celery import shared_task


@shared_task(name="reports.run_export", ignore_result=True, acks_late=True)
def run_export(job_id: int) -> None:
    from .services import export_run

    export_run(job_id)


@shared_task(name="reports.refresh_facts", ignore_result=True)
def refresh_facts() -> int:
    """Scheduled every 5 minutes (django-celery-beat, see migration 0002): keeps the summary
    tables of the standard periods current."""
    from .services import facts_refresh

    return facts_refresh()


@shared_task(name="reports.send_monthly_reports", ignore_result=True)
def send_monthly_reports() -> int:
    """Scheduled on the 1st of each month: last month's report to every county office."""
    from .monthly import monthly_reports_send

    return monthly_reports_send()


@shared_task(name="reports.purge_exports", ignore_result=True)
def purge_exports() -> int:
    """Scheduled daily: export files are kept a week."""
    from .services import exports_purge

    return exports_purge()
