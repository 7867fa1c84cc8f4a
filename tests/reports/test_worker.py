"""The export job on a real Celery worker (a worker thread on the configured broker: Redis in CI,
the embedded filesystem broker locally): the web request only queues, the worker builds the
file, the status page then offers the download."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from portal.celery import app as celery_app
from reports.models import ExportJob, ExportStatus

from .conftest import YEAR


@pytest.mark.django_db(transaction=True)
def test_export_runs_on_a_real_worker(client, tree, world, users):
    client.force_login(users.clerk)
    with start_worker(celery_app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=10):
        response = client.post(reverse("reports:export_create", args=[tree.county_a.pk]),
                               {"period": "year", "year": str(YEAR), "kind": "dashboard"})
        job = ExportJob.objects.get()
        assert response["Location"] == reverse("reports:export", args=[job.pk])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if not job.is_active:
                break
            time.sleep(0.2)
    assert job.status == ExportStatus.DONE, job.error
    page = client.get(reverse("reports:export", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "data-download" in page and "hx-trigger" not in page
