"""Dates as Commun writes them: Django's formats, and in French the first of the month as an
ordinal (« 1er mars 2027 », never « 1 mars »), which no format character can say.

Templates get it through the `date` filter (`commun/core/templatetags/dates.py`, a built-in
that replaces Django's), Python code through `date_format`: a page, an email and a PDF write
a date the same way."""

from django.utils import dateformat, formats
from django.utils.translation import get_language


def date_format(value, format: str | None = None) -> str:
    """`value` in `format` (a format or the name of a setting, DATE_FORMAT by default), as
    `django.utils.formats.date_format` writes it, the first of the month aside."""
    pattern = formats.get_format(format or "DATE_FORMAT")
    if value.day == 1 and (get_language() or "").split("-")[0] == "fr":
        pattern = _first_as_ordinal(pattern)
    return dateformat.format(value, pattern)


def _first_as_ordinal(pattern: str) -> str:
    """`pattern` with each day of the month (`j`) written « 1er », escaped as a literal.
    `d`, the day on two digits, belongs to numeric dates (01/03/2027) and stays."""
    out, escaped = [], False
    for character in pattern:
        if escaped:
            out.append("\\" + character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == "j":
            out.append(r"\1\e\r")
        else:
            out.append(character)
    return "".join(out)
