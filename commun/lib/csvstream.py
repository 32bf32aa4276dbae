"""Spreadsheet downloads, streamed row by row in constant memory.

Every text cell goes through `spreadsheet_safe()`: a name, a pseudonym or a label is typed
by someone else than the officer or accountant who opens the file, and a cell starting with
= + - @ would run as a formula there (a link that leaks the sheet, a DDE command). Numbers
are not text: they are passed as `int`, `float` or `Decimal` (`plain_euros()`), so a negative
amount stays a number.
"""

import csv
from collections.abc import Iterable
from decimal import Decimal

from django.http import StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


class _Echo:
    """A file-like object that hands back what csv.writer writes, for streaming."""

    def write(self, value):
        return value


def csv_response(header: list, rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """A CSV download: a BOM (so spreadsheets read UTF-8), the header, then each row."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow(spreadsheet_row(header))
        for row in rows:
            yield writer.writerow(spreadsheet_row(row))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def spreadsheet_row(row: Iterable) -> list:
    return [spreadsheet_cell(cell) for cell in row]


def spreadsheet_cell(value):
    """Numbers (int, float, Decimal) as they are, even negative: a spreadsheet reads them as
    numbers, never as formulas. None as an empty cell, anything else as defused text."""
    if isinstance(value, (int, float, Decimal)):
        return value
    return "" if value is None else spreadsheet_safe(str(value))


def spreadsheet_safe(text: str) -> str:
    """Text as a cell that never runs as a formula: a leading quote keeps it text."""
    return "'" + text if text.startswith(FORMULA_START) else text


def plain_euros(cents: int) -> Decimal:
    """Cents as a spreadsheet reads a number: -1234.50, no grouping, no currency."""
    return Decimal(cents).scaleb(-2)
