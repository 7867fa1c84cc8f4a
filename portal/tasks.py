"""Infrastructure tasks. Tasks are thin: they pass ids and call services."""

import socket

from celery import shared_task
from celery.signals import worker_ready
from django.utils import timezone

from .models import WorkerHeartbeat


@worker_ready.connect
def _beat_on_start(sender=None, **kwargs):
    heartbeat.delay()


@shared_task(name="portal.heartbeat", ignore_result=True)
def heartbeat():
    """Scheduled by beat every 30 s; the health page reads its time to know a worker runs."""
    WorkerHeartbeat.objects.update_or_create(
        name="worker", defaults={"seen_at": timezone.now(), "hostname": socket.gethostname()}
    )


@shared_task(name="portal.idempotency_prune", ignore_result=True)
def idempotency_prune():
    """Hourly: forget form tokens and Idempotency-Keys older than a day."""
    from .idempotency import prune

    prune()
