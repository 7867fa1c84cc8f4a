"""Fingerprints of the metrics' definitions, so the summary tables never keep a figure computed by
an older definition: when a counting rule is fixed (e.g. members with duty records counted once
per record, "383" for 84 members on the register), the rows built before the fix are not shown
and the next refresh builds them again."""

from __future__ import annotations

import functools
import hashlib
import inspect

from portal.metrics import METRICS


@functools.cache
def fingerprint(key: str) -> str:
    """A short hash of the metric's own definition: its function's source, its parts (a rate's
    numerator and denominator) and whether it is cumulative."""
    metric = METRICS.get(key)
    if metric is None:
        return ""
    try:
        source = inspect.getsource(metric.func)
    except (OSError, TypeError):  # defined where no source is kept: the name stands for it
        source = getattr(metric.func, "__qualname__", repr(metric.func))
    text = "\n".join([key, source, repr(metric.parts), repr(metric.cumulative)])
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def current_keys(keys, prints) -> set[str]:
    """Of the metric keys a period was built with, those built by the current definition."""
    prints = prints or {}
    return {k for k in keys or () if prints.get(k) and prints[k] == fingerprint(k)}
