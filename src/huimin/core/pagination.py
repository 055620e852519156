from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet

PAGE_SIZE = 30


class CappedPaginator(Paginator):
    """Counts no further than ``cap`` items: a search that matches tens of thousands of persons in a province's
    registry answers "1,000 条以上" instead of counting them all (counting every match of a common name was most
    of a name search's time at 10,000,000 persons). Pages beyond the cap are not offered: the user narrows the
    search instead. A page of a queryset is fetched by its keys first (``page``)."""

    def __init__(self, object_list, per_page, cap: int):
        super().__init__(object_list, per_page)
        self.cap = cap

    @cached_property
    def _counted(self) -> int:
        items = self.object_list
        if isinstance(items, QuerySet):  # unordered and only the keys: the count stops at the cap's row
            return items.order_by().values("pk")[: self.cap + 1].count()
        return len(items[: self.cap + 1])

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    def page(self, number):
        """A queryset's page by its keys first (the sort reads only the keys and sort columns of every match, not
        whole rows and their joins), then those rows."""
        page = super().page(number)
        if isinstance(self.object_list, QuerySet):
            keys = list(page.object_list.values_list("pk", flat=True))
            page.object_list = self.object_list.filter(pk__in=keys)
        return page

    @property
    def capped(self) -> bool:
        """More items match than were counted."""
        return self._counted > self.cap


def page_of(request, items, size: int = PAGE_SIZE, count_up_to: int | None = None):
    """The page of ``items`` the request asks for (``?page=``); out-of-range and junk numbers give a valid page.
    ``count_up_to`` stops counting there (``CappedPaginator``), for searches over the whole registry."""
    paginator = Paginator(items, size) if count_up_to is None else CappedPaginator(items, size, count_up_to)
    return paginator.get_page(request.GET.get("page"))
