"""Test helpers: constant query counts, printing every SQL statement when they differ."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(func) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def assert_constant_queries(fetch, add_rows, *, small: int = 1, large: int = 30):
    """`add_rows(n)` creates n more rows visible to `fetch()`; the query count with `large`
    rows must equal the count with `small` rows (no N+1)."""
    add_rows(small)
    fetch()  # warm caches (content types, sessions)
    n_small, _ = count_queries(fetch)
    add_rows(large - small)
    n_large, sqls = count_queries(fetch)
    assert n_small == n_large, (
        f"query count grew from {n_small} ({small} rows) to {n_large} ({large} rows):\n" + "\n".join(sqls)
    )
    return n_large
