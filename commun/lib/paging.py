"""Pages of long lists that cost about the same on the last page as on the first.

`OFFSET` over joins makes the database build, join and drop every skipped row. Here a page
is read either as a range of gapless numbers, or by reading its primary keys first (an
index walk, no join) and then only those rows with their joins. A `Listing` says how to
count and page one list; the web pages read it through `Pager` (Django's paginator), the
API through its own paginator (members.api.Pages).
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Below this offset a plain OFFSET is as fast as reading the ids first, and saves a query.
SHALLOW = 1000


def page_rows(
    queryset: QuerySet,
    bottom: int,
    top: int,
    *,
    numbered: str | None = None,
    count: int | None = None,
) -> list:
    """Rows `bottom` to `top` (excluded) of an ordered queryset.

    `numbered` names the ordering field ("-number") when its values are exactly 1..`count`
    in the queryset: the page is then a range of numbers, found by the unique index.
    """
    if top <= bottom:
        return []
    if numbered and count is not None:
        field = numbered.removeprefix("-")
        if numbered.startswith("-"):
            low, high = count - top, count - bottom
        else:
            low, high = bottom, top
        return list(queryset.filter(**{f"{field}__gt": low, f"{field}__lte": high}))
    if bottom < SHALLOW:
        return list(queryset[bottom:top])
    return rows_by_ids(queryset, list(queryset.values_list("pk", flat=True)[bottom:top]))


def in_key_order(queryset: QuerySet, key: str, size: int) -> Iterator:
    """Every row of `queryset` by increasing `key` (a unique field), read `size` at a time.

    Memory stays flat without a server-side cursor, which PostgreSQL behind a transaction
    pooler cannot keep (DATABASE_POOLING): there, `iterator()` reads the whole result."""
    last = None
    while True:
        page = queryset.order_by(key)
        if last is not None:
            page = page.filter(**{f"{key}__gt": last})
        rows = list(page[:size])
        yield from rows
        if len(rows) < size:
            return
        last = getattr(rows[-1], key)


def rows_by_ids(queryset: QuerySet, ids: list) -> list:
    """The queryset's rows with these primary keys, in the order of `ids`."""
    if not ids:
        return []
    found = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()}
    return [found[pk] for pk in ids if pk in found]


@dataclass
class Listing:
    """An ordered queryset to show page by page, and what makes it cheap to count and page.

    `count`: the number of rows when known without counting (None: COUNT(*)).
    `numbered`: see `page_rows`; used only with a known `count`.
    `count_at_most`: for a search, which is for finding someone, not for reading to the
    end: only the first `count_at_most` rows are counted and paged, their ids read in one
    pass, and `more` tells whether there were others.
    """

    queryset: QuerySet
    count: int | None = None
    numbered: str | None = None
    count_at_most: int | None = None

    @cached_property
    def _first_ids(self) -> list:
        return list(self.queryset.values_list("pk", flat=True)[: self.count_at_most + 1])

    @cached_property
    def total(self) -> int:
        """How many rows there are to page (at most `count_at_most`)."""
        if self.count is not None:
            return self.count
        if self.count_at_most is not None:
            return min(len(self._first_ids), self.count_at_most)
        return self.queryset.count()

    @property
    def more(self) -> bool:
        """True when rows beyond `count_at_most` were left out."""
        return self.count_at_most is not None and len(self._first_ids) > self.count_at_most

    def rows(self, bottom: int, top: int) -> list:
        """Rows `bottom` to `top` (excluded)."""
        if self.count is None and self.count_at_most is not None:
            return rows_by_ids(self.queryset, self._first_ids[bottom : min(top, self.total)])
        return page_rows(self.queryset, bottom, top, numbered=self.numbered, count=self.count)


class Pager(Paginator):
    """Django's paginator over a `Listing`: its count, its pages, and `more`."""

    def __init__(self, listing: Listing, per_page, **kwargs):
        super().__init__(listing.queryset, per_page, **kwargs)
        self.listing = listing

    @cached_property
    def count(self) -> int:
        return self.listing.total

    @property
    def more(self) -> bool:
        return self.listing.more

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        # Not cut at the count, unlike Django's: a count a minute old must not hide rows.
        if self.orphans and top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.listing.rows(bottom, top), number, self)
