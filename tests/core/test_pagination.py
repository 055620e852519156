"""A list counts its matches up to a cap when asked to (``page_of(count_up_to=…)``): below and at the cap the count
is exact; above it the list says "以上" and offers only the pages up to the cap."""

import pytest
from django.test import RequestFactory

from huimin.core.models import Region
from huimin.core.pagination import CappedPaginator, page_of


def _page(items, page="1", cap=10, size=3):
    return page_of(RequestFactory().get("/", {"page": page}), items, size, count_up_to=cap)


@pytest.mark.parametrize(("items", "count", "capped"), [(9, 9, False), (10, 10, False), (11, 10, True)])
def test_the_count_is_exact_up_to_the_cap_and_capped_above_it(items, count, capped):
    page = _page(list(range(items)))
    assert (page.paginator.count, page.paginator.capped) == (count, capped)


def test_past_the_cap_the_last_page_ends_at_the_cap():
    page = _page(list(range(50)), page="999")
    assert page.number == 4 and list(page) == [9]  # pages of 3 up to the 10th item, none beyond


def test_without_a_cap_the_count_is_every_item():
    page = page_of(RequestFactory().get("/"), list(range(50)), 3)
    assert page.paginator.count == 50 and not getattr(page.paginator, "capped", False)


@pytest.mark.django_db
def test_a_queryset_is_counted_by_the_database_no_further_than_the_cap(django_assert_num_queries, regions):
    every = Region.objects.order_by("code")
    total = every.count()
    paginator = CappedPaginator(every, 2, cap=total - 1)
    with django_assert_num_queries(1) as captured:
        assert paginator.count == total - 1 and paginator.capped
    assert "LIMIT" in captured.captured_queries[0]["sql"].upper()
    assert not CappedPaginator(every, 2, cap=total).capped


@pytest.mark.django_db
def test_a_page_fetched_by_its_keys_holds_the_same_rows_in_the_same_order(regions):
    from django.core.paginator import Paginator

    every = Region.objects.select_related("parent").order_by("-level", "code")
    plain, capped = Paginator(every, 2), CappedPaginator(every, 2, cap=10)
    for number in capped.page_range:
        assert [r.code for r in capped.page(number)] == [r.code for r in plain.page(number)]


@pytest.mark.django_db
@pytest.mark.parametrize("in_order", [False, True])
def test_a_count_in_order_reads_the_first_rows_of_the_lists_order(django_assert_num_queries, regions, in_order):
    every = Region.objects.order_by("code")
    total = every.count()
    paginator = CappedPaginator(every, 2, cap=total - 1, count_in_order=in_order)
    with django_assert_num_queries(1) as captured:
        assert paginator.count == total - 1 and paginator.capped
    count_sql = captured.captured_queries[0]["sql"].upper()
    assert ("ORDER BY" in count_sql) is in_order  # an index in the list's order answers it wherever the rows lie
    assert CappedPaginator(every, 2, cap=total, count_in_order=in_order).count == total


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "in_order"), [({"status": "alive"}, True), ({"q": "zw"}, False)])
def test_the_person_list_counts_in_its_own_order_unless_searching_a_text(users, client, query, in_order):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(users["approver"])
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/registry/persons/", query).status_code == 200
    counts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(*)")]
    assert counts and all(("ORDER BY" in sql) is in_order for sql in counts)  # pinyin: its matches may bunch


@pytest.mark.django_db
def test_postgresql_connections_do_not_jit_compile():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
