"""Spreadsheet downloads, streamed row by row in constant memory."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse


class _Echo:
    """A file-like object that hands back what csv.writer writes, for streaming."""

    def write(self, value):
        return value


def csv_response(header: list, rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """A CSV download: a BOM (so spreadsheets read UTF-8), the header, then each row."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def spreadsheet_safe(text: str) -> str:
    """Free text as a cell: one starting with = + - @ would run as a formula in a spreadsheet."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def plain_euros(cents: int) -> str:
    """Cents as a spreadsheet reads a number: "-1234.50", no grouping, no currency."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"
