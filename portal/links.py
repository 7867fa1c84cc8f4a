"""Links of list rows without a `{% url %}` per row: `{% url %}` resolves the pattern, quotes the
arguments and looks up the script prefix on every call (~30 rows × a few links per list page).
`row_links(rows, "app:detail")` reverses once and sets `row.href` on every row."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.urls import reverse

_SENTINEL = 987654321


def link_to(name: str) -> Callable[[object], str]:
    """pk -> the URL `reverse(name, args=[pk])` gives, from a single reverse (integer keys)."""
    head, tail = reverse(name, args=[_SENTINEL]).split(str(_SENTINEL))
    return lambda pk: f"{head}{int(pk)}{tail}"


def row_links(rows: Iterable, name: str, *, key: str = "pk", attr: str = "href") -> None:
    """Set `row.<attr>` to the URL of `name` for each row's `key` (a dotted path, e.g. "member.pk")."""
    to = link_to(name)
    parts = key.split(".")
    for row in rows:
        value = row
        for part in parts:
            value = getattr(value, part)
        setattr(row, attr, to(value))
