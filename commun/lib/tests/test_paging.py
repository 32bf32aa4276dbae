"""Pages read by number range or ids first give the rows OFFSET would, in fewer joins."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commun.lib import paging
from commun.lib.paging import Listing, Pager, in_key_order, page_rows
from commun.members.models import ShareMovement


@pytest.fixture
def register(bob):
    """Bob's 2 movements plus 23 subscriptions: 25 movements numbered 1..25."""
    for _ in range(23):
        ShareMovement.objects.record(ShareMovement.Kind.SUBSCRIPTION, bob, 1)
    return ShareMovement.objects.select_related("member", "counterpart").order_by("-number")


@pytest.fixture
def always_ids_first(monkeypatch):
    monkeypatch.setattr(paging, "SHALLOW", 0)


def numbers(rows) -> list[int]:
    return [row.number for row in rows]


@pytest.mark.parametrize("bottom", [0, 10, 20, 24, 25, 30])
def test_a_range_of_numbers_gives_the_rows_of_offset_paging(register, bottom):
    by_range = page_rows(register, bottom, bottom + 10, numbered="-number", count=25)
    assert numbers(by_range) == numbers(register[bottom : bottom + 10])


def test_a_page_by_numbers_is_one_query_without_offset(register):
    with CaptureQueriesContext(connection) as queries:
        rows = page_rows(register, 20, 30, numbered="-number", count=25)
    assert numbers(rows) == [5, 4, 3, 2, 1]
    assert len(queries) == 1 and "OFFSET" not in queries[0]["sql"].upper()


@pytest.mark.parametrize("bottom", [0, 7, 21, 40])
def test_ids_first_gives_the_rows_of_offset_paging(register, always_ids_first, bottom):
    subscriptions = register.filter(kind=ShareMovement.Kind.SUBSCRIPTION)
    assert numbers(page_rows(subscriptions, bottom, bottom + 7)) == numbers(
        subscriptions[bottom : bottom + 7]
    )


def test_ids_first_skips_rows_without_their_joins(register, always_ids_first):
    with CaptureQueriesContext(connection) as queries:
        rows = page_rows(register, 10, 20)
    ids, page = (query["sql"].upper() for query in queries.captured_queries)
    assert "JOIN" not in ids and "LIMIT" in ids
    assert "JOIN" in page and "OFFSET" not in page
    assert numbers(rows) == list(range(15, 5, -1))


def test_a_shallow_page_is_a_single_query(register):
    with CaptureQueriesContext(connection) as queries:
        rows = page_rows(register, 0, 10)
    assert len(queries) == 1 and numbers(rows) == list(range(25, 15, -1))


def test_the_pager_takes_a_known_count_instead_of_counting(register):
    pager = Pager(Listing(register, count=25, numbered="-number"), 10)
    with CaptureQueriesContext(connection) as queries:
        page = pager.get_page(3)
    assert numbers(page) == [5, 4, 3, 2, 1] and pager.num_pages == 3
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


def test_without_a_known_count_the_pager_counts(register):
    pager = Pager(Listing(register.filter(number__lte=6), numbered="-number"), 4)
    assert pager.count == 6 and numbers(pager.get_page(2)) == [2, 1]


def test_a_listing_stops_counting_at_its_limit_and_says_there_are_more(register):
    pager = Pager(Listing(register, count_at_most=10), 4)
    with CaptureQueriesContext(connection) as queries:
        last = pager.get_page(99)
    assert pager.more and pager.count == 10 and pager.num_pages == 3
    assert numbers(last) == [17, 16]
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


def test_under_its_limit_a_listing_counts_exactly_from_the_ids(register):
    listing = Listing(register.filter(number__lte=6), count_at_most=10)
    with CaptureQueriesContext(connection) as queries:
        assert listing.total == 6 and not listing.more
        assert numbers(listing.rows(4, 8)) == [2, 1]
    assert len(queries) == 2
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


def test_a_listing_lists_nothing_past_its_limit(register):
    listing = Listing(register, count_at_most=10)
    assert listing.rows(10, 20) == [] and listing.total == 10


@pytest.mark.parametrize("size", [1, 5, 25, 100])
def test_in_key_order_reads_every_row_once_by_pages_of_a_size(register, size):
    with CaptureQueriesContext(connection) as queries:
        rows = list(in_key_order(register, "number", size))

    assert numbers(rows) == list(range(1, 26))
    assert len(queries) == 25 // size + 1
    assert all("OFFSET" not in query["sql"].upper() for query in queries.captured_queries)
