"""A faster end for transactional tests (`transaction=True`, browser journeys, real workers).

Django's TransactionTestCase empties the database after each test with `flush`: one TRUNCATE of
all ~100 tables, then post_migrate writes every content type and permission back — seconds on a
busy machine, for tests that usually wrote a few dozen rows. This teardown reaches the same end
state faster: it DELETEs the rows of only the tables that have any, in one transaction (the
foreign keys are deferred to its commit), and keeps the content types and permissions, which
post_migrate would write back unchanged.

Django's own flush still runs: the first time in each process (which records how many content
types and permissions there are), when a table holds more than BIG rows (TRUNCATE is faster
there), when the content types or permissions are no longer what the flush left, and for tests
that ask for reset sequences, serialized rollback or a subset of apps."""

from django.db import connections, transaction
from django.test import TransactionTestCase

KEEP = ("django_content_type", "auth_permission")  # what post_migrate writes back
BIG = 2000

_django_teardown = TransactionTestCase._fixture_teardown
_baseline: dict[str, tuple[int, int]] = {}  # alias → (content types, permissions) after a flush


def _kept_counts(cursor, qn):
    cursor.execute(" UNION ALL ".join(f"SELECT count(*) FROM {qn(table)}" for table in KEEP))
    return tuple(row[0] for row in cursor.fetchall())


def _empty(alias) -> bool:
    """Delete every row but the kept ones; False when Django's flush must do it instead."""
    connection = connections[alias]
    if connection.vendor != "postgresql" or alias not in _baseline:
        return False
    qn = connection.ops.quote_name
    tables = [t for t in connection.introspection.django_table_names(only_existing=True, include_views=False)
              if t not in KEEP]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(
            f"SELECT {i}, (SELECT count(*) FROM (SELECT 1 FROM {qn(table)} LIMIT {BIG + 1}) AS s)"
            for i, table in enumerate(tables)))
        filled = {tables[i]: n for i, n in cursor.fetchall() if n}
        if any(n > BIG for n in filled.values()) or _kept_counts(cursor, qn) != _baseline[alias]:
            return False
        for table in filled:
            cursor.execute(f"DELETE FROM {qn(table)}")
    return True


def _fixture_teardown(self):
    if self.available_apps is not None or self.serialized_rollback or self.reset_sequences:
        return _django_teardown(self)
    aliases = list(self._databases_names(include_mirrors=False))
    if all(_empty(alias) for alias in aliases):
        return None
    _django_teardown(self)  # (flushing an already emptied database again is harmless)
    for alias in aliases:
        connection = connections[alias]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                _baseline[alias] = _kept_counts(cursor, connection.ops.quote_name)
    return None


def install():
    TransactionTestCase._fixture_teardown = _fixture_teardown
