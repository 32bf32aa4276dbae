"""Pages of long lists that cost about the same on the last page as on the first.

`OFFSET` over joins makes the database build, join and drop every skipped row. Here a page
is read either as a range of gapless numbers, or by reading its primary keys first (an
index walk, no join) and then only those rows with their joins. Used by the web pages
(`Pager`) and the API (`Listing`, read by the API's paginator) alike.
"""

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


def rows_by_ids(queryset: QuerySet, ids: list) -> list:
    """The queryset's rows with these primary keys, in the order of `ids`."""
    if not ids:
        return []
    found = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()}
    return [found[pk] for pk in ids if pk in found]


@dataclass
class Listing:
    """What an API endpoint hands its paginator: the rows, and how to page them cheaply.

    `count`: known without counting. `numbered`: see `page_rows`. `probe`: for a search,
    whose matches are often few but costly to find (a scan on SQLite): read the ids of up
    to `probe` matches first; when that is all of them, they give the count and the page
    in one pass, else the rows are counted.
    """

    queryset: QuerySet
    count: int | None = None
    numbered: str | None = None
    probe: int | None = None

    def page(self, bottom: int, top: int) -> tuple[int, list]:
        """The count of rows, and rows `bottom` to `top`."""
        if self.count is None and self.probe:
            ids = list(self.queryset.values_list("pk", flat=True)[: self.probe + 1])
            if len(ids) <= self.probe:
                return len(ids), rows_by_ids(self.queryset, ids[bottom:top])
        count = self.queryset.count() if self.count is None else self.count
        return count, page_rows(
            self.queryset, bottom, top, numbered=self.numbered, count=self.count
        )


class Pager(Paginator):
    """Django's paginator, reading pages with `page_rows` and counting less.

    `count`: the number of rows when already known (no COUNT(*)). `count_at_most`: stop
    counting past that many rows; `more` then tells there were more, and only the first
    `count_at_most` rows are paged (a search to narrow down, not to read to the end).
    """

    def __init__(
        self,
        object_list,
        per_page,
        *,
        count: int | None = None,
        numbered: str | None = None,
        count_at_most: int | None = None,
        **kwargs,
    ):
        super().__init__(object_list, per_page, **kwargs)
        self.numbered = numbered if count is not None else None
        self.count_at_most = count_at_most
        if count is not None:
            self.count = count

    @cached_property
    def _first_ids(self) -> list:
        # One pass finds both the capped count and every reachable page's ids.
        return list(self.object_list.values_list("pk", flat=True)[: self.count_at_most + 1])

    @cached_property
    def count(self) -> int:
        if self.count_at_most is None:
            return super().count
        return min(len(self._first_ids), self.count_at_most)

    @property
    def more(self) -> bool:
        """True when rows beyond `count_at_most` were left uncounted."""
        return self.count_at_most is not None and len(self._first_ids) > self.count_at_most

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if self.count_at_most is not None:
            rows = rows_by_ids(self.object_list, self._first_ids[bottom:top])
        else:
            rows = page_rows(
                self.object_list, bottom, top, numbered=self.numbered, count=self.count
            )
        return self._get_page(rows, number, self)
