"""A task for the worker fault tests, loaded into a real worker with `-I tests.faults.probe_tasks`.

Each run leaves an `attempt-*` file; the effect (`done-<item>`) is created exclusively, the way a
real task guards its effect with a unique key, so a redelivered message cannot apply it twice."""

import time
import uuid
from pathlib import Path

from celery import shared_task


@shared_task(name="faults.record", ignore_result=True)
def record(item: int, folder: str, sleep: float = 0.0):
    folder = Path(folder)
    (folder / f"attempt-{item}-{uuid.uuid4().hex[:8]}").touch()
    time.sleep(sleep)
    try:
        with open(folder / f"done-{item}", "x"):
            pass
    except FileExistsError:
        (folder / f"duplicate-{item}-{uuid.uuid4().hex[:8]}").touch()
