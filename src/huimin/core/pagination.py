from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet

PAGE_SIZE = 30


class CappedPaginator(Paginator):
    """Counts no further than ``cap`` items: a search that matches tens of thousands of persons in a province's
    registry answers "1,000 条以上" instead of counting them all (counting every match of a common name was most
    of a name search's time at 10,000,000 persons). Pages beyond the cap are not offered: the user narrows the
    search instead. A page of a queryset is fetched by its keys first (``page``).

    ``keys``, where given, is a queryset of the object list's keys in the list's own order read from narrower rows
    (the registry's name-pair table): it is counted and sliced instead of the object list.

    The count reads only the keys and stops at the cap's row. Unordered, the database takes the first rows that
    match wherever they lie, which is fast when matches are dense in the table and a scan of most of it when they
    are not (a county whose persons were loaded last). ``count_in_order`` counts in the list's own order instead,
    for a list whose every order and filter has an index that yields its rows in that order (the person list:
    the first 1,001 entries of the region's index range)."""

    def __init__(self, object_list, per_page, cap: int, keys: QuerySet | None = None, count_in_order: bool = False):
        super().__init__(object_list, per_page)
        self.cap = cap
        self.keys = keys
        self.count_in_order = count_in_order

    @cached_property
    def _counted(self) -> int:
        items = self.object_list
        if self.keys is not None:
            counted = self.keys
        elif isinstance(items, QuerySet):
            counted = items.values("pk")
        else:
            return len(items[: self.cap + 1])
        if not self.count_in_order:
            counted = counted.order_by()
        return counted[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    def page(self, number):
        """A queryset's page by its keys first (the sort reads only the keys and sort columns of every match, not
        whole rows and their joins), then those rows."""
        page = super().page(number)
        if isinstance(self.object_list, QuerySet):
            page.object_list = self.rows(page.start_index() - 1 if self.count else 0, page.end_index())
        return page

    def rows(self, start: int, stop: int) -> QuerySet:
        """The object list's items ``start`` to ``stop`` (a queryset), by their keys first."""
        keys = self.keys if self.keys is not None else self.object_list.values_list("pk", flat=True)
        return self.object_list.filter(pk__in=list(keys[start:stop]))

    @property
    def capped(self) -> bool:
        """More items match than were counted."""
        return self._counted > self.cap


def page_of(
    request,
    items,
    size: int = PAGE_SIZE,
    count_up_to: int | None = None,
    keys: QuerySet | None = None,
    count_in_order: bool = False,
):
    """The page of ``items`` the request asks for (``?page=``); out-of-range and junk numbers give a valid page.
    ``count_up_to`` stops counting there (``CappedPaginator``, with its ``keys`` and ``count_in_order``), for
    searches over the whole registry."""
    capped = count_up_to is not None
    paginator = CappedPaginator(items, size, count_up_to, keys, count_in_order) if capped else Paginator(items, size)
    return paginator.get_page(request.GET.get("page"))
