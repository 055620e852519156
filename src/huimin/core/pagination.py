from django.core.paginator import Paginator

PAGE_SIZE = 30


def page_of(request, items, size: int = PAGE_SIZE):
    """The page of ``items`` the request asks for (``?page=``); out-of-range and junk numbers give a valid page."""
    return Paginator(items, size).get_page(request.GET.get("page"))
