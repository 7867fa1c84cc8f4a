"""Reads that may go to a read replica (scale-out path for dashboards and exports).

Set ``DATABASE_REPLICA_URL`` and the settings add a ``replica`` database alias. Nothing reads from
it by itself: code that can live with a replica's lag (the reports' dashboards and exports read
summary rows that are minutes old anyway) opts in with ``replica_reads()``. Inside it the router
sends reads to the replica; writes always go to ``default``, and outside it everything reads
``default`` — so a service never reads back a write from a replica that has not caught up.
Without a replica configured, ``replica_reads()`` changes nothing."""

from __future__ import annotations

import contextlib
import contextvars

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_READS = contextvars.ContextVar("replica_reads", default=False)


def replica_configured() -> bool:
    return bool(getattr(settings, "READ_REPLICA", False)) and REPLICA in connections.settings


@contextlib.contextmanager
def replica_reads():
    """Reads inside go to the replica when one is configured (usable as a decorator too)."""
    token = _READS.set(True)
    try:
        yield
    finally:
        _READS.reset(token)


def read_alias() -> str:
    return REPLICA if _READS.get() and replica_configured() else DEFAULT_DB_ALIAS


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: reads to the replica inside replica_reads(), writes to default."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of default: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return None  # a real replica gets the schema through replication; never migrate it directly
