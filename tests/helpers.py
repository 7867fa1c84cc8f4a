"""Test helpers: constant query counts, printing every SQL statement when they differ."""

import json
import re

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts import authcache


def count_queries(func) -> tuple[int, list[str]]:
    n, sqls, _result = _counted(func)
    return n, sqls


def _counted(func):
    with CaptureQueriesContext(connection) as ctx:
        result = func()
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries], result


def count_rows(result, rows=None) -> int | None:
    """How many rows `result` shows: `rows` may be a regular expression whose distinct matches are
    counted in the page (e.g. the records' links), a marker string, or a function of the result.
    By default: the `results` of a JSON page (or a JSON list), the table rows (`<tr`) of an HTML
    page (None when the page has no table), the length of a list or queryset."""
    if isinstance(rows, re.Pattern):
        return len(set(rows.findall(result.content.decode())))
    if callable(rows):
        return rows(result)
    if hasattr(result, "status_code"):
        content = result.content.decode()
        if rows is not None:
            return content.count(rows)
        if "json" in result.get("Content-Type", ""):
            result = json.loads(content)
        else:
            return content.count("<tr") or None
    if isinstance(result, dict):
        if "results" not in result:
            raise AssertionError("Say how to count the rows of this result (rows=…).")
        result = result["results"]
    return len(result)


def assert_constant_queries(fetch, add_rows, *, small: int = 1, large: int = 30, status: int = 200, rows=None):
    """`add_rows(n)` creates n more rows visible to `fetch()`; the query count with `large`
    rows must equal the count with `small` rows (no N+1). The page must answer `status` both times
    and show every added row (a 404 page or an empty list runs few queries too) — so lists are
    measured with pages of at least `large` (30) rows. See `count_rows` for `rows`."""
    add_rows(small)
    fetch()  # warm caches (content types, sessions)
    n_small, _, first = _counted(fetch)
    generation = cache.get(authcache.GENERATION_KEY)
    add_rows(large - small)
    if cache.get(authcache.GENERATION_KEY) != generation:
        # the rows added changed roles or users (e.g. people with roles): the next request reads the
        # signed-in user, roles and two-factor setting again, once (portal/accounts/authcache.py)
        fetch()
    n_large, sqls, second = _counted(fetch)
    for result in (first, second):
        if hasattr(result, "status_code"):
            assert result.status_code == status, f"status {result.status_code}, expected {status}"
    shown_small, shown_large = count_rows(first, rows), count_rows(second, rows)
    if shown_large is None:  # an HTML page without a table and no `rows` given: it must at least grow
        assert len(second.content) > len(first.content), "the page did not grow with the added rows"
    else:
        assert (shown_large or 0) - (shown_small or 0) >= large - small, (
            f"{large - small} rows were added but the page shows {(shown_large or 0) - (shown_small or 0)} more "
            f"({shown_small} → {shown_large}): not every row rendered"
        )
    assert n_small == n_large, (
        f"query count grew from {n_small} ({small} rows) to {n_large} ({large} rows):\n" + "\n".join(sqls)
    )
    return n_large


def assert_not_allowed_page(response, message: str | None = None) -> str:
    """The refusal policy's 403 on a page: the portal's Chinese "not allowed" page (not a redirect,
    not a bare status), with the service's own message when given. Returns the page's text."""
    assert response.status_code == 403, (response.status_code, response.get("Location"))
    body = response.content.decode()
    assert "无权操作" in body and 'id="error-message"' in body, body[:500]
    if message is not None:
        assert message in body, body[:2000]
    return body


def assert_step_refused(client, url, data=None, *, reader, stranger, action: str, message: str | None = None) -> None:
    """The refusal policy for a step on a record: `reader` may see the record but holds no role for
    the step — the 403 page and nothing audited as `action`; `stranger`, outside the record's scope,
    is not told it exists — 404. (The caller checks the record itself is unchanged.)"""
    from portal.models import AuditEvent

    client.force_login(reader)
    assert_not_allowed_page(client.post(url, data or {}), message)
    assert not AuditEvent.objects.filter(action=action).exists()
    client.force_login(stranger)
    assert client.post(url, data or {}).status_code == 404


def assert_back_to_record_with(client, response, url: str, message: str) -> None:
    """The refusal policy's answer to a button the record's state refuses: back to the record
    (302), where the reason is shown above its current state."""
    assert response.status_code == 302 and response["Location"] == url, (response.status_code, response.get("Location"))
    page = client.get(url)
    assert page.status_code == 200 and message in page.content.decode()
