"""Pages of a long list without counting it: a queue of a county's topics does not need "page 1 of
319" (a COUNT(*) over every topic of the county on each view), only "next" when there is more.
One query per page: the page's rows plus one, which tells whether a next page exists."""

from __future__ import annotations


class MorePage:
    """Quacks like django.core.paginator.Page for templates: iterate it, has_next/has_previous,
    next_page_number/previous_page_number, number, has_other_pages; no num_pages."""

    def __init__(self, object_list: list, number: int, has_more: bool):
        self.object_list, self.number, self._has_more = object_list, number, has_more

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def more_page(queryset, number, per_page: int = 30) -> MorePage:
    """Page `number` (any input; garbage or < 1 means 1) of an ordered queryset."""
    try:
        number = max(int(number), 1)
    except (TypeError, ValueError):
        number = 1
    number = min(number, 100_000)  # a bogus huge page is just empty, never a huge OFFSET
    offset = (number - 1) * per_page
    rows = list(queryset[offset:offset + per_page + 1])
    return MorePage(rows[:per_page], number, len(rows) > per_page)
