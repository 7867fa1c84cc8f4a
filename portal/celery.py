"""The Celery app. Broker: Redis when REDIS_URL is set, else an embedded filesystem broker."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _ensure_filesystem_broker_folders():
    """The embedded filesystem broker needs its folders before the first message."""
    from django.conf import settings

    if str(getattr(settings, "CELERY_BROKER_URL", "")).startswith("filesystem"):
        from pathlib import Path

        for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
            folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)


@app.on_after_configure.connect
def _setup(sender, **kwargs):
    _ensure_filesystem_broker_folders()
