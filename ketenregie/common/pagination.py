"""Pagination helpers for long lists."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CountedPaginator(Paginator):
    """A paginator that is told its number of items, for lists whose total is counted anyway.

    Django's Paginator runs its own ``COUNT(*)``; a list that already counts its rows (per status,
    say) passes that total and saves the query.
    """

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count
